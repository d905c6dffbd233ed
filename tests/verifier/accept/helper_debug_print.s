# printing a stack buffer
-- asm
stdw [%r10-8], 0x6968
mov %r1, %r10
add %r1, -8
mov %r2, 2
call debug_print
mov %r0, 0
exit
