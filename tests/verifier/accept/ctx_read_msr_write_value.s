# read value of the msr_write context
-- event
msr_write
-- asm
ldxdw %r0, [%r1+16]
exit
