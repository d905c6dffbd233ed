# a host address where a guest address is expected
-- asm
mov %r1, %r10
add %r1, -8
mov %r2, 8
mov %r3, %r10
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
4: R3 type stack: guest_read expects a scalar
