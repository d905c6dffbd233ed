# read vcpu of the vcpu_resume context
-- event
vcpu_resume
-- asm
ldxw %r0, [%r1+16]
exit
