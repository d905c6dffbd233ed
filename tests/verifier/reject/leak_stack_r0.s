# returning the stack address
-- asm
mov %r0, %r10
exit
-- error
EACCES
-- log
1: R0 leaks a stack pointer at exit
