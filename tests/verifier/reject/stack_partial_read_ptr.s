# reading 4 bytes of a spilled pointer
-- asm
stxdw [%r10-8], %r1
ldxw %r0, [%r10-8]
exit
-- error
EACCES
-- log
1: R10 partial read of a spilled pointer at off=-8
