# helper ids start at 1
-- asm
call 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unknown helper 0
