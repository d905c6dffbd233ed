# below the 512-byte frame
-- asm
stdw [%r10-520], 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R10 stack access out of bounds: off=-520 size=8
