# both clocks
-- event
reclaim
-- asm
call host_ns
mov %r6, %r0
call guest_tsc
sub %r0, %r6
exit
