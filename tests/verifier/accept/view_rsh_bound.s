# bounded by a shift instead of a mask: known bits suffice
-- view
44
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
rsh %r2, 20
add %r2, %r9
ldxb %r0, [%r2+0]
exit
