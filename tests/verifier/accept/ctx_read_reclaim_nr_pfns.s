# read nr_pfns of the reclaim context
-- event
reclaim
-- asm
ldxw %r0, [%r1+8]
exit
