# just past hup_trace_ctx (64 bytes)
-- asm
ldxdw %r0, [%r1+64]
exit
-- error
EACCES
-- log
0: R1 invalid trace ctx access: off=64 size=8
