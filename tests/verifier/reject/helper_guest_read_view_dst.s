# a view pointer as the buffer
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
mov %r1, %r9
mov %r2, 8
mov %r3, 0
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
7: R1 view pointer cannot be a helper buffer
