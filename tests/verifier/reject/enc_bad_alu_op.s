# ALU64 op 0xe0 does not exist
-- asm
.insn 0xe7, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: invalid opcode 0xe7
