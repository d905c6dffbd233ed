# 0 - base is minus the address
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
mov %r2, 0
sub %r2, %r9
mov %r0, 0
exit
-- error
EACCES
-- log
5: R2 subtracting a pointer from a scalar prohibited
