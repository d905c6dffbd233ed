# straddling the bottom of the frame (also misaligned)
-- asm
stdw [%r10-516], 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R10 stack access out of bounds: off=-516 size=8
