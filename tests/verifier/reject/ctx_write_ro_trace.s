# the trace context is read-only
-- asm
stdw [%r1+0], 1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 write to read-only ctx field host_ns
