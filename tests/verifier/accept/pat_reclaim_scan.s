# reclaim: look at four struct pages, unrolled, set free[] bits
-- event
reclaim
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r6, [%r1+0]
mov %r7, 0
mov %r2, %r6
add %r2, %r7
lsh %r2, 6
and %r2, %r8
add %r2, %r9
ldxdw %r3, [%r2+0]
and %r3, 1
ldxdw %r4, [%r1+16]
or %r4, %r3
stxdw [%r1+16], %r4
add %r7, 1
mov %r2, %r6
add %r2, %r7
lsh %r2, 6
and %r2, %r8
add %r2, %r9
ldxdw %r3, [%r2+0]
and %r3, 1
ldxdw %r4, [%r1+16]
or %r4, %r3
stxdw [%r1+16], %r4
add %r7, 1
mov %r2, %r6
add %r2, %r7
lsh %r2, 6
and %r2, %r8
add %r2, %r9
ldxdw %r3, [%r2+0]
and %r3, 1
ldxdw %r4, [%r1+16]
or %r4, %r3
stxdw [%r1+16], %r4
add %r7, 1
mov %r2, %r6
add %r2, %r7
lsh %r2, 6
and %r2, %r8
add %r2, %r9
ldxdw %r3, [%r2+0]
and %r3, 1
ldxdw %r4, [%r1+16]
or %r4, %r3
stxdw [%r1+16], %r4
add %r7, 1
mov %r0, 0
exit
