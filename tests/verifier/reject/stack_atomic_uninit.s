# an atomic reads the slot first
-- asm
mov %r1, 2
lock add [%r10-8], %r1
mov %r0, 0
exit
-- error
EACCES
-- log
1: R10 invalid read from stack: off=-8 size=8
