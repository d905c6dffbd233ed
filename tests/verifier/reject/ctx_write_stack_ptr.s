# a stack address stored into ctx
-- event
reclaim
-- asm
mov %r2, %r10
stxdw [%r1+24], %r2
mov %r0, 0
exit
-- error
EACCES
-- log
1: R2 leaks a stack pointer into ctx
