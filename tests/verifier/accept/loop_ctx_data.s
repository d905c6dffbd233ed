# the context as the callback's data
-- event
reclaim
-- asm
mov %r3, %r1
mov %r1, 4
lddw %r2, func body
mov %r4, 0
call loop
mov %r0, 0
exit
body:
stdw [%r2+24], -1
mov %r0, 0
exit
