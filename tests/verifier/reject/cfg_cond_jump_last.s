# a conditional jump as the last insn falls through off the end
-- asm
mov %r0, 0
jeq %r0, 0, -2
-- error
EINVAL
-- log
1: falls off the end of the program
