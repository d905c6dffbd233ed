# loading through an unwritten register
-- asm
ldxdw %r0, [%r5+0]
exit
-- error
EACCES
-- log
0: R5 read before write
