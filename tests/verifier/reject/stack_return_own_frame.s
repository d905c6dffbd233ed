# returning a pointer into the dying frame
-- asm
call local f
exit
f:
mov %r0, %r10
exit
-- error
EACCES
-- log
3: R0 returns a stack pointer that dies with its frame
