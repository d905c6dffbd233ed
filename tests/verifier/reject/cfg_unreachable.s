# dead code after exit
-- asm
mov %r0, 0
exit
mov %r0, 1
exit
-- error
EINVAL
-- log
2: unreachable insn
