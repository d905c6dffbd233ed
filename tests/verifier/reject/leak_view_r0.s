# returning the view address
-- view
44
-- asm
lddw %r0, view_base
exit
-- error
EACCES
-- log
2: R0 leaks a view pointer at exit
