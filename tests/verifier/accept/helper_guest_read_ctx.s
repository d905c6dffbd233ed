# guest_read straight into free[] (writable ctx)
-- event
reclaim
-- asm
mov %r6, %r1
mov %r1, %r6
add %r1, 16
mov %r2, 64
mov %r3, 0x2000
call guest_read
mov %r0, 0
exit
