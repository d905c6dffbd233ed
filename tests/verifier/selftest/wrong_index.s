# SELF-TEST: the right message at the wrong instruction index.
-- asm
mov %r0, 0
mov %r0, %r2
exit
-- error
EACCES
-- log
0: R2 read before write
