# sign-extending move of the base
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
movsx3264 %r2, %r9
mov %r0, 0
exit
-- error
EACCES
-- log
4: R9 sign-extending move of a pointer prohibited
