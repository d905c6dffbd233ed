# a spilled scalar keeps its bounds
-- view
44
-- asm
ldxw %r2, [%r1+16]
and %r2, 7
stxdw [%r10-8], %r2
ldxdw %r3, [%r10-8]
lddw %r4, view_base
add %r4, %r3
ldxb %r0, [%r4+0]
exit
