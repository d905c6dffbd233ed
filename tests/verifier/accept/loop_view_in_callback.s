# a callback touching guest memory page by page
-- view
44
-- asm
mov %r1, 8
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
lddw %r8, view_mask
lddw %r9, view_base
lsh %r1, 12
and %r1, %r8
add %r1, %r9
ldxb %r0, [%r1+0]
mov %r0, 0
exit
