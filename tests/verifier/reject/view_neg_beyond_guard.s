# below base - 64 KiB
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
mov %r2, %r9
add %r2, -40000
ldxdw %r0, [%r2-30000]
exit
-- error
EACCES
-- log
6: R2 view access out of range
