# every 32-bit ALU op on constants
-- asm
mov32 %r0, 100
add32 %r0, 5
sub32 %r0, 3
mul32 %r0, 4
or32 %r0, 1
and32 %r0, 0xff
xor32 %r0, 0x10
lsh32 %r0, 2
rsh32 %r0, 1
arsh32 %r0, 1
neg32 %r0
exit
-- result
0xffffff77
