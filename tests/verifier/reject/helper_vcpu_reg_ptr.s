# vcpu_reg(ctx pointer)
-- asm
call vcpu_reg
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 type ctx: vcpu_reg expects a scalar
