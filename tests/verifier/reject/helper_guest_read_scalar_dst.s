# a number as the destination buffer
-- asm
mov %r1, 0x1000
mov %r2, 8
mov %r3, 0
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
3: R1 type scalar: expected a stack or ctx buffer
