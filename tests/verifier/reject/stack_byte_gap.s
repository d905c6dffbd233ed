# byte -2 was never written
-- asm
stb [%r10-1], 1
stb [%r10-3], 1
ldxh %r0, [%r10-2]
exit
-- error
EACCES
-- log
2: R10 invalid read from stack: off=-2 size=2
