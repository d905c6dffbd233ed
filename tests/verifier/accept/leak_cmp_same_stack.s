# two pointers into one frame may be compared
-- asm
mov %r2, %r10
add %r2, -8
jgt %r2, %r10, +1
mov %r0, 1
mov %r0, 0
exit
