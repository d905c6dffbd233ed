# a frame's address stored in an outer frame would dangle
-- asm
call local f
mov %r0, 0
exit
f:
mov %r1, %r10
add %r1, -8
stdw [%r1+0], 0
mov %r2, %r10
call local g
mov %r0, 0
exit
g:
mov %r3, %r10
stxdw [%r2-8], %r3
mov %r0, 0
exit
-- error
EACCES
-- log
11: R3 pointer to an inner frame stored in an outer frame
