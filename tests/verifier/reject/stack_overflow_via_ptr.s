# through a derived pointer
-- asm
mov %r2, %r10
add %r2, -512
stdw [%r2-8], 0
mov %r0, 0
exit
-- error
EACCES
-- log
2: R2 stack access out of bounds: off=-520 size=8
