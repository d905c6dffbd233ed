# a constant that is not a masked guest offset (beyond the view) stays a
# fixed offset and is refused
-- view
30
-- asm
lddw %r9, view_base
lddw %r2, 0x40000000
add %r2, %r9
ldxdw %r0, [%r2+0]
mov %r0, 0
exit
-- error
EACCES
-- log
4: R2 view pointer offset out of range
