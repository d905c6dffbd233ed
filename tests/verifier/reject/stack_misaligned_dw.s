# 8-byte store at -12
-- asm
stdw [%r10-12], 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R10 misaligned stack access: off=-12 size=8
