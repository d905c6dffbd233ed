# no pointer is NULL: comparing one with 0 reveals nothing but is refused
-- asm
jeq %r1, 0, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 comparison of a pointer with a scalar prohibited
