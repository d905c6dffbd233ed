# only 4 of the 8 bytes were written
-- asm
stw [%r10-8], 1
ldxdw %r0, [%r10-8]
exit
-- error
EACCES
-- log
1: R10 invalid read from stack: off=-8 size=8
