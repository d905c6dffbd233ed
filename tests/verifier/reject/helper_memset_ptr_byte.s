# the fill byte is a pointer
-- asm
mov %r2, %r1
mov %r1, 0x1000
mov %r3, 8
call guest_memset
mov %r0, 0
exit
-- error
EACCES
-- log
3: R2 type ctx: guest_memset expects a scalar
