# after the loop the slot holds a number or a pointer: unreadable
-- asm
stdw [%r10-8], 0
mov %r1, 3
lddw %r2, func body
mov %r3, %r10
add %r3, -8
mov %r4, 0
call loop
ldxdw %r0, [%r10-8]
exit
body:
stxdw [%r2+0], %r2
mov %r0, 0
exit
-- error
EACCES
-- log
8: R10 invalid read from stack: off=-8 size=8
