# an atomic on an 8-byte aligned guest address
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, -8
and %r2, %r8
add %r2, %r9
mov %r3, 1
lock add [%r2+8], %r3
mov %r0, 0
exit
