# 4-byte store at -6
-- asm
stw [%r10-6], 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R10 misaligned stack access: off=-6 size=4
