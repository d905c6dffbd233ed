# guest_read into a read-only context
-- asm
mov %r2, 8
mov %r3, 0x1000
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
2: R1 helper would write read-only ctx field host_ns
