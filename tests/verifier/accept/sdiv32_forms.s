# 32-bit signed division
-- asm
mov32 %r0, -9
sdiv32 %r0, 2
smod32 %r0, 3
exit
-- result
0xffffffff
