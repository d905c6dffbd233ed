# equality pins the value
-- view
12
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
jeq %r2, 4000, +2
mov %r0, 0
exit
add %r2, %r9
ldxb %r0, [%r2+0]
exit
