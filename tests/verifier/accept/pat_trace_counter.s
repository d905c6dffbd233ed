# count IO exits into a guest counter with an aligned atomic add
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxw %r2, [%r1+24]
jne %r2, 1, done
ldxdw %r3, [%r1+32]
and %r3, -8
and %r3, %r8
add %r3, %r9
mov %r4, 1
lock add [%r3+0], %r4
done:
mov %r0, 0
exit
