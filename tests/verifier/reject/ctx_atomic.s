# atomics on the context
-- event
reclaim
-- asm
mov %r2, 1
lock or [%r1+16], %r2
mov %r0, 0
exit
-- error
EACCES
-- log
1: R1 atomic on ctx prohibited
