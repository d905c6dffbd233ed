# a loop inside a loop callback: HUP_LOOP_MAX^2 runs, refused
-- asm
mov %r1, 1048576
lddw %r2, func outer
mov %r3, 0
mov %r4, 0
call loop
exit
outer:
mov %r1, 1048576
lddw %r2, func inner
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
inner:
mov %r0, 0
exit
-- error
E2BIG
-- log
12: nested HUP_FN_loop is not allowed
