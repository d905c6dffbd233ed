# three nested loops (2^60 callback runs with HUP_LOOP_MAX each): the first
# loop call inside a callback is refused
-- asm
mov %r1, 2
lddw %r2, func c0
mov %r3, 0
mov %r4, 0
call loop
exit
c0:
mov %r1, 2
lddw %r2, func c1
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c1:
mov %r1, 2
lddw %r2, func c2
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c2:
mov %r0, 0
exit
-- error
E2BIG
-- log
12: nested HUP_FN_loop is not allowed
