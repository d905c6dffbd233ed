# comparing memory with a pointer in r0
-- asm
stdw [%r10-8], 0
mov %r0, %r1
mov %r2, 0
lock cmpxchg [%r10-8], %r2
mov %r0, 0
exit
-- error
EACCES
-- log
3: R0 cmpxchg comparand must be a scalar, not ctx
