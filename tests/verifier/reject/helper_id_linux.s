# a Linux helper id
-- asm
call 0x70
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unknown helper 112
