# code jumped over by every path
-- asm
mov %r0, 0
ja +1
mov %r0, 1
exit
-- error
EINVAL
-- log
2: unreachable insn
