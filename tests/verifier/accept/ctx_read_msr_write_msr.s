# read msr of the msr_write context
-- event
msr_write
-- asm
ldxw %r0, [%r1+12]
exit
