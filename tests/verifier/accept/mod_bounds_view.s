# x % 4096 is below 4096
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
mod %r2, 4096
add %r2, %r9
ldxb %r0, [%r2+0]
exit
