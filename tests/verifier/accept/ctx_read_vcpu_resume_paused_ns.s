# read paused_ns of the vcpu_resume context
-- event
vcpu_resume
-- asm
ldxdw %r0, [%r1+8]
exit
