# printing from the (readable) context
-- asm
mov %r2, 16
call debug_print
mov %r0, 0
exit
