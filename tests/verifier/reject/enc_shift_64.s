# shift immediates must be < 64
-- asm
mov %r0, 1
lsh %r0, 64
exit
-- error
EINVAL
-- log
1: invalid shift amount 64
