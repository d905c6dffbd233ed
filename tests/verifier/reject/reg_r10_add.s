# moving the frame pointer
-- asm
add %r10, -8
mov %r0, 0
exit
-- error
EACCES
-- log
0: frame pointer R10 is read-only
