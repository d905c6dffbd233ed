# read arg3 of the query context
-- event
query
-- asm
ldxdw %r0, [%r1+32]
exit
