# base - (gva & mask) points below the view
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
mov %r3, %r9
sub %r3, %r2
ldxb %r0, [%r3+0]
exit
-- error
EACCES
-- log
7: R3 subtracting a variable from a view pointer prohibited
