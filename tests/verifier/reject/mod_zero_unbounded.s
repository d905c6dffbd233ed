# x % y with y possibly 0 is x: unbounded
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
ldxw %r3, [%r1+16]
and %r3, 4095
mod %r2, %r3
add %r2, %r9
ldxb %r0, [%r2+0]
exit
-- error
EACCES
-- log
6: R2 view offset not provably in
