# 2-byte load at -7
-- asm
stdw [%r10-8], 0
ldxh %r0, [%r10-7]
exit
-- error
EACCES
-- log
1: R10 misaligned stack access: off=-7 size=2
