# past hup_msr_ctx (24 bytes)
-- event
msr_write
-- asm
ldxdw %r0, [%r1+24]
exit
-- error
EACCES
-- log
0: R1 invalid msr_write ctx access: off=24 size=8
