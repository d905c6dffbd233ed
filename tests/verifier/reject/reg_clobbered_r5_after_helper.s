# r5 is caller-saved too
-- asm
mov %r5, 5
call guest_tsc
add %r0, %r5
exit
-- error
EACCES
-- log
2: R5 read before write
