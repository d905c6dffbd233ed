# the translation repeated in a subprogram (hoisted per function)
-- view
44
-- asm
call local f
exit
f:
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
ldxdw %r0, [%r2+0]
exit
