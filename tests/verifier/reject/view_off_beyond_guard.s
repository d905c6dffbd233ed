# base + mask + 64 KiB: the last bytes are past the guard
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
add %r2, 65536
ldxdw %r0, [%r2+0]
exit
-- error
EACCES
-- log
8: R2 view access out of range
