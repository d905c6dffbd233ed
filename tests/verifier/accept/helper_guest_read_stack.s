# guest_read into a stack buffer, which is then initialised
-- asm
mov %r1, %r10
add %r1, -64
mov %r2, 64
mov %r3, 0x1000
call guest_read
ldxdw %r0, [%r10-64]
ldxdw %r1, [%r10-8]
add %r0, %r1
exit
