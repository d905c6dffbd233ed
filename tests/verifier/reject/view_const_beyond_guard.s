# a constant add past the guard is refused at once
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
add %r2, 65537
mov %r0, 0
exit
-- error
EACCES
-- log
7: R2 view offset not provably in [0, 0xfffffffffff]
