# ldimm64 into the frame pointer
-- asm
lddw %r10, 5
mov %r0, 0
exit
-- error
EACCES
-- log
0: frame pointer R10 is read-only
