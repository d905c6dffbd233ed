# loop's result is in [0, HUP_LOOP_MAX]: a valid view offset
-- view
44
-- asm
mov %r1, 3
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
lddw %r9, view_base
add %r9, %r0
ldxb %r0, [%r9+0]
exit
body:
mov %r0, 0
exit
