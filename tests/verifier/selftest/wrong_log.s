# SELF-TEST: the right errno but a log line that is not the one logged.
-- asm
mov %r0, %r2
exit
-- error
EACCES
-- log
0: R3 read before write
