# r6..r9 survive a helper call
-- asm
mov %r6, 7
call host_ns
mov %r0, %r6
exit
-- result
0x7
