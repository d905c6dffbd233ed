# stack against ctx: their distance is an address
-- asm
jgt %r10, %r1, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R10 comparison of pointers to different regions prohibited
