# half of a spilled pointer overwritten: the rest is unreadable
-- asm
stxdw [%r10-8], %r1
stw [%r10-8], 0
ldxdw %r2, [%r10-8]
ldxdw %r0, [%r2+0]
exit
-- error
EACCES
-- log
2: R10 invalid read from stack: off=-8 size=8 (uninitialized)
