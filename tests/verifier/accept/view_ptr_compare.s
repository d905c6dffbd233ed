# two view pointers compared
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
mov %r3, %r9
add %r3, 64
jgt %r2, %r3, +1
ldxb %r4, [%r2+0]
mov %r0, 0
exit
