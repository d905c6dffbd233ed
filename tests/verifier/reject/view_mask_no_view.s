# the mask load also needs a view
-- asm
lddw %r8, view_mask
mov %r0, 0
exit
-- error
EACCES
-- log
0: view pseudo load but no view is attached
