# read host_ns of the trace context
-- event
trace
-- asm
ldxdw %r0, [%r1+0]
exit
