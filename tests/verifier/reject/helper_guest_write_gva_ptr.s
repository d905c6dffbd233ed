# the gva argument is a host pointer
-- asm
stdw [%r10-8], 1
mov %r1, %r10
mov %r2, %r10
add %r2, -8
mov %r3, 8
call guest_write
mov %r0, 0
exit
-- error
EACCES
-- log
5: R1 type stack: guest_write expects a scalar
