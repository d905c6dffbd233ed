# a spilled pointer in a query answer
-- event
query
-- asm
stxdw [%r10-8], %r10
mov %r1, %r10
add %r1, -8
mov %r2, 8
call output
mov %r0, 0
exit
-- error
EACCES
-- log
4: R1 helper would read a spilled pointer at off=-8
