# bounded by two signed comparisons
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
jsgt %r2, 4096, out
jslt %r2, 0, out
add %r2, %r9
ldxb %r0, [%r2+0]
exit
out:
mov %r0, 0
exit
