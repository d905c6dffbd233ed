# SELF-TEST: a rejection with the wrong errno class expected (it is EACCES).
-- asm
mov %r0, %r2
exit
-- error
EINVAL
-- log
0: R2 read before write
