# the ctx address stored into ctx
-- event
reclaim
-- asm
stxdw [%r1+16], %r1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 leaks a ctx pointer into ctx
