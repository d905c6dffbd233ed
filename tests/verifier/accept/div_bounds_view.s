# division keeps a bounded value bounded
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, 0xffff
div %r2, 16
add %r2, %r9
ldxb %r0, [%r2+0]
exit
