# 32-bit move of the ctx pointer
-- asm
mov32 %r2, %r1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 32-bit move of a pointer prohibited (leaks the address)
