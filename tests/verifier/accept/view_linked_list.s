# a linked list walked three nodes deep, unrolled: each next pointer re-masked
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
ldxdw %r2, [%r2+0]
and %r2, %r8
add %r2, %r9
ldxdw %r2, [%r2+0]
and %r2, %r8
add %r2, %r9
ldxdw %r2, [%r2+0]
mov %r0, %r2
exit
