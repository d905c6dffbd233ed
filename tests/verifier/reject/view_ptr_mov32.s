# the low half of the view base
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
mov32 %r2, %r9
mov %r0, 0
exit
-- error
EACCES
-- log
4: R9 32-bit move of a pointer prohibited (leaks the address)
