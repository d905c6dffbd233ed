# r1..r5 are clobbered by a helper call
-- asm
mov %r1, 5
call host_ns
mov %r0, %r1
exit
-- error
EACCES
-- log
2: R1 read before write
