# the guest address added unmasked
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
add %r2, %r9
ldxdw %r0, [%r2+0]
exit
-- error
EACCES
-- log
5: R2 view offset not provably in [0, 0xfffffffffff]
