# base + (gva & mask) in the other order
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
mov %r3, %r9
add %r3, %r2
ldxw %r0, [%r3+4]
exit
