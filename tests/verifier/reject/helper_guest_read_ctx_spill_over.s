# guest_read into free[] starting at nr_pfns
-- event
reclaim
-- asm
add %r1, 8
mov %r2, 16
mov %r3, 0x1000
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
3: R1 helper would write read-only ctx field nr_pfns
