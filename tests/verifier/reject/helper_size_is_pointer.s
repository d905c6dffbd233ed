# debug_print's size is a pointer
-- asm
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, %r10
call debug_print
mov %r0, 0
exit
-- error
EACCES
-- log
4: R2 type stack: debug_print expects a size
