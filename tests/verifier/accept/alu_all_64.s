# every 64-bit ALU op on constants
-- asm
mov %r0, 100
add %r0, 5
sub %r0, 3
mul %r0, 4
or %r0, 1
and %r0, 0xff
xor %r0, 0x10
lsh %r0, 2
rsh %r0, 1
arsh %r0, 1
neg %r0
neg %r0
exit
-- result
0x89
