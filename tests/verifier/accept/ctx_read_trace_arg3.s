# read arg3 of the trace context
-- event
trace
-- asm
ldxdw %r0, [%r1+56]
exit
