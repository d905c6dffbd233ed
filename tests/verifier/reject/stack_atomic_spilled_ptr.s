# arithmetic on a spilled pointer
-- asm
stxdw [%r10-8], %r1
mov %r2, 1
lock add [%r10-8], %r2
mov %r0, 0
exit
-- error
EACCES
-- log
2: R10 partial read of a spilled pointer at off=-8
