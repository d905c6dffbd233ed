# r0 must be set before exit
-- asm
exit
-- error
EACCES
-- log
0: R0 read before write
