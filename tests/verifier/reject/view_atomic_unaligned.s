# an atomic on an address of unknown alignment (split lock)
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
mov %r3, 1
lock add [%r2+0], %r3
mov %r0, 0
exit
-- error
EACCES
-- log
8: R2 misaligned atomic view access
