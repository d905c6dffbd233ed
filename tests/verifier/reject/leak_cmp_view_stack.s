# view against stack
-- view
44
-- asm
lddw %r2, view_base
jgt %r2, %r10, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
2: R2 comparison of pointers to different regions prohibited
