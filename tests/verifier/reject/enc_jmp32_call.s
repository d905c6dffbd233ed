# JMP32 has no call
-- asm
.insn 0x86, 0, 0, 0, 4
mov %r0, 0
exit
-- error
EINVAL
-- log
0: invalid opcode 0x86
