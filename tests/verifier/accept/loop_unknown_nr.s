# nr is not proven: it is clamped to HUP_LOOP_MAX at run time
-- asm
ldxw %r1, [%r1+16]
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
