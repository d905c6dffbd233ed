# ctx + constant, then a field read (arg[1])
-- asm
mov %r2, %r1
add %r2, 32
ldxdw %r0, [%r2+8]
exit
