# a 32-bit AND: at most 2^32 - 1, inside a 2^44 view
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and32 %r2, %r8
add %r2, %r9
ldxb %r0, [%r2+0]
exit
