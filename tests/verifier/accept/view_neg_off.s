# the most negative 16-bit offset stays in the guard
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
ldxdw %r0, [%r2-32768]
exit
