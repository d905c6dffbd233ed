# a callback must return a scalar
-- asm
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, %r10
exit
-- error
EACCES
-- log
8: R0 leaks a stack pointer at exit
