# pointer + pointer
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
mov %r2, %r9
add %r2, %r9
mov %r0, 0
exit
-- error
EACCES
-- log
5: R2 add of two pointers prohibited
