# reading stack never written
-- asm
ldxdw %r0, [%r10-8]
exit
-- error
EACCES
-- log
0: R10 invalid read from stack: off=-8 size=8 (uninitialized)
