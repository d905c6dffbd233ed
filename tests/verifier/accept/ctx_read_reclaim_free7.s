# read free7 of the reclaim context
-- event
reclaim
-- asm
ldxdw %r0, [%r1+72]
exit
