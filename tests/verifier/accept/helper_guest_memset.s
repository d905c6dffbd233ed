# memset of one guest page
-- asm
mov %r1, 0x1000
mov %r2, 0
mov %r3, 4096
call guest_memset
mov %r0, 0
exit
