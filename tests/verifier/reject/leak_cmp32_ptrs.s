# 32-bit comparison of pointers
-- asm
mov %r2, %r10
add %r2, -8
jgt32 %r2, %r10, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
2: R2 32-bit comparison of pointers prohibited
