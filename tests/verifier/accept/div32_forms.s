# 32-bit division forms
-- asm
mov %r0, -1
mov %r1, 3
div32 %r0, %r1
mod32 %r0, 7
exit
