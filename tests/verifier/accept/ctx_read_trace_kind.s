# read kind of the trace context
-- event
trace
-- asm
ldxw %r0, [%r1+20]
exit
