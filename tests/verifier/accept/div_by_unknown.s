# division and modulo by unknown values
-- asm
ldxdw %r0, [%r1+32]
ldxdw %r2, [%r1+40]
div %r0, %r2
mod %r0, %r2
exit
