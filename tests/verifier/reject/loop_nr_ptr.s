# the count is the ctx pointer
-- asm
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
-- error
EACCES
-- log
4: R1 type ctx: loop expects a scalar
