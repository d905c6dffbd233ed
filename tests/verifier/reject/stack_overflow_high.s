# at or above r10 is the caller's
-- asm
stdw [%r10+0], 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R10 stack access out of bounds: off=0 size=8
