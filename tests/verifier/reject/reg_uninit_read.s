# r2 was never written
-- asm
mov %r0, %r2
exit
-- error
EACCES
-- log
0: R2 read before write
