# view - view is an offset, not an address
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
mov %r3, %r9
sub %r2, %r3
mov %r0, %r2
exit
