# read-modify-write through a translated guest address
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
ldxdw %r3, [%r2+0]
add %r3, 1
stxdw [%r2+0], %r3
mov %r0, 0
exit
