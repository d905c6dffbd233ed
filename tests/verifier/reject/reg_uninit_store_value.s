# storing an unwritten register
-- asm
stxdw [%r10-8], %r4
mov %r0, 0
exit
-- error
EACCES
-- log
0: R4 read before write
