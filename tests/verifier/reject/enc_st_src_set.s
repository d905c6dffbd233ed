# BPF_ST with a src_reg
-- asm
.insn 0x7a, 10, 1, -8, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: reserved fields of opcode 0x7a must be zero
