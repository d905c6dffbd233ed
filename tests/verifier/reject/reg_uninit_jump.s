# comparing an unwritten register
-- asm
jeq %r6, 0, +0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R6 read before write
