# the callback may run zero times: the slot may still be unwritten
-- asm
mov %r1, 3
lddw %r2, func body
mov %r3, %r10
add %r3, -8
mov %r4, 0
call loop
ldxdw %r0, [%r10-8]
exit
body:
stdw [%r2+0], 1
mov %r0, 0
exit
-- error
EACCES
-- log
7: R10 invalid read from stack: off=-8 size=8
