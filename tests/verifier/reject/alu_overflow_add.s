# a bounded value plus a huge constant is far outside the view
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, 0xfff
lddw %r3, 0xfffffffffffff000
add %r2, %r3
add %r2, %r9
ldxb %r0, [%r2+0]
exit
-- error
EACCES
-- log
7: R2 view offset not provably in
