# falls off the end
-- asm
mov %r0, 0
mov %r1, 1
-- error
EINVAL
-- log
1: falls off the end of the program
