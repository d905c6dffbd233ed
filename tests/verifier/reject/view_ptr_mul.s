# multiplying an address
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
mov %r2, %r9
mul %r2, 2
mov %r0, 0
exit
-- error
EACCES
-- log
5: R2 pointer arithmetic with mul prohibited
