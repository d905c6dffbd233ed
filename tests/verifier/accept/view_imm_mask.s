# a constant mask narrower than the view
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, 0xfffff
add %r2, %r9
ldxb %r0, [%r2+0]
exit
