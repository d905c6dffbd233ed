# a number against the stack pointer
-- asm
mov %r2, 5
jgt %r2, %r10, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
1: R10 comparison of a pointer with a scalar prohibited
