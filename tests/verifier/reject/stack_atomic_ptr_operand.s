# exchanging a pointer into memory
-- asm
stdw [%r10-8], 0
lock xchg [%r10-8], %r1
mov %r0, 0
exit
-- error
EACCES
-- log
1: R1 atomic operand must be a scalar, not ctx
