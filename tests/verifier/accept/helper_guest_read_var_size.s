# a variable size bounded by a mask
-- asm
ldxdw %r6, [%r1+32]
mov %r1, %r10
add %r1, -128
mov %r2, %r6
and %r2, 127
mov %r3, 0x1000
call guest_read
mov %r0, 0
exit
