# loading into the frame pointer
-- asm
stdw [%r10-8], 0
ldxdw %r10, [%r10-8]
mov %r0, 0
exit
-- error
EACCES
-- log
1: frame pointer R10 is read-only
