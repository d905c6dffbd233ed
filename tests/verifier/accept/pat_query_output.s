# a query summing two arguments
-- event
query
-- asm
ldxdw %r2, [%r1+8]
ldxdw %r3, [%r1+16]
add %r2, %r3
stxdw [%r10-8], %r2
mov %r1, %r10
add %r1, -8
mov %r2, 8
call output
mov %r0, 0
exit
