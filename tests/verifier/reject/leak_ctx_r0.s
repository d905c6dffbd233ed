# returning the ctx address
-- asm
mov %r0, %r1
exit
-- error
EACCES
-- log
1: R0 leaks a ctx pointer at exit (must be a scalar)
