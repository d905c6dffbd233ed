# nr_pfns is read-only
-- event
reclaim
-- asm
stw [%r1+8], 512
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 write to read-only ctx field nr_pfns
