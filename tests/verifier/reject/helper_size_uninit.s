# debug_print's size never set
-- asm
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
call debug_print
mov %r0, 0
exit
-- error
EACCES
-- log
3: R2 read before write
