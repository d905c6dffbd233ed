# JMP32 has no exit
-- asm
mov %r0, 0
.insn 0x96, 0, 0, 0, 0
-- error
EINVAL
-- log
1: invalid opcode 0x96
