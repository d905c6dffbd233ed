# past HUP_FN_MAX
-- asm
call 11
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unknown helper 11
