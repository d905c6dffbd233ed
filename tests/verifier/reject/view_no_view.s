# a view load when no view is attached
-- asm
lddw %r9, view_base
mov %r0, 0
exit
-- error
EACCES
-- log
0: view pseudo load but no view is attached
