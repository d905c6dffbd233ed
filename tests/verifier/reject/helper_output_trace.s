# output is for queries only
-- asm
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, 8
call output
mov %r0, 0
exit
-- error
EACCES
-- log
4: helper output not allowed in trace programs
