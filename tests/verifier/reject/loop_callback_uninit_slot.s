# the callback reads a caller slot nobody wrote
-- asm
mov %r1, 3
lddw %r2, func body
mov %r3, %r10
add %r3, -8
mov %r4, 0
call loop
mov %r0, 0
exit
body:
ldxdw %r0, [%r2+0]
mov %r0, 0
exit
-- error
EACCES
-- log
9: R2 invalid read from stack: off=-8 size=8
