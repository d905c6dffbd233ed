# storing 4 bytes of a pointer
-- asm
stxw [%r10-8], %r1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 partial store of a pointer to stack
