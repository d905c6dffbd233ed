# the untouched half of an overwritten pointer holds address bits
-- asm
stxdw [%r10-8], %r1
stw [%r10-8], 0
ldxw %r0, [%r10-4]
exit
-- error
EACCES
-- log
2: R10 invalid read from stack: off=-4 size=4
