# the frame pointer is read-only
-- asm
mov %r10, 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: frame pointer R10 is read-only
