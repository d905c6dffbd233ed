# bounded by a comparison
-- view
44
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
jgt %r2, 0xfffff, out
add %r2, %r9
ldxdw %r0, [%r2+0]
exit
out:
mov %r0, 0
exit
