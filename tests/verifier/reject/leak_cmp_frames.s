# stack pointers of two frames
-- asm
mov %r1, %r10
call local f
exit
f:
jgt %r1, %r10, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
3: R1 comparison of pointers to different regions prohibited
