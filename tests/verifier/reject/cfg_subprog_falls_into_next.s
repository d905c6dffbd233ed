# subprogram f runs into subprogram g
-- asm
call local f
call local g
mov %r0, 0
exit
f:
mov %r0, 1
g:
mov %r0, 2
exit
-- error
EINVAL
-- log
4: falls off the end of its subprogram
