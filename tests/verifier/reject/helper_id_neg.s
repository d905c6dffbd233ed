# negative helper id
-- asm
call -1
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unknown helper -1
