# the callback calls a subprogram that loops: still nested, refused at the
# inner loop call
-- asm
mov %r1, 4
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
call local f
mov %r0, 0
exit
f:
mov %r1, 4
lddw %r2, func inner
mov %r3, 0
mov %r4, 0
call loop
exit
inner:
mov %r0, 0
exit
-- error
E2BIG
-- log
15: nested HUP_FN_loop is not allowed
