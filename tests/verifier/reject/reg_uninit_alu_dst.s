# add reads its destination
-- asm
add %r3, 1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R3 read before write
