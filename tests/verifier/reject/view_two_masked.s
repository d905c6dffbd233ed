# two masked offsets added: up to twice the view
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
ldxdw %r3, [%r1+40]
and %r2, %r8
and %r3, %r8
add %r2, %r9
add %r2, %r3
ldxb %r0, [%r2+0]
exit
-- error
EACCES
-- log
9: R2 view offset not provably in [0, 0xfffffffffff]
