# vcpu_reg(RIP) in a local event
-- event
msr_write
-- asm
mov %r1, 16
call vcpu_reg
exit
