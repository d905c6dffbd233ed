# more than HUP_GUEST_COPY_MAX
-- asm
mov %r1, %r10
add %r1, -8
mov %r2, 4097
mov %r3, 0
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
4: R2 size may be 4097, guest_read allows at most 4096
