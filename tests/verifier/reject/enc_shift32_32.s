# 32-bit shift immediates must be < 32
-- asm
mov %r0, 1
rsh32 %r0, 32
exit
-- error
EINVAL
-- log
1: invalid shift amount 32
