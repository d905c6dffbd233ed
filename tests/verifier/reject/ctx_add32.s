# 32-bit add on the ctx pointer
-- asm
add32 %r1, 8
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 32-bit ALU on a pointer prohibited (leaks the address)
