# a callee does not see its caller's r6
-- asm
mov %r6, 1
call local f
exit
f:
mov %r0, %r6
exit
-- error
EACCES
-- log
3: R6 read before write
