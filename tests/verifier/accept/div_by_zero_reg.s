# division by a zero register
-- asm
ldxdw %r0, [%r1+32]
mov %r2, 0
div %r0, %r2
exit
