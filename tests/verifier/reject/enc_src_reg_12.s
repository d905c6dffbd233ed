# registers are r0..r10
-- asm
mov %r0, 0
.insn 0xbf, 0, 12, 0, 0
exit
-- error
EINVAL
-- log
1: invalid register r12
