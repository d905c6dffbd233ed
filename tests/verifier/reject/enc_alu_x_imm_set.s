# X-form ALU with an imm
-- asm
mov %r0, 0
mov %r1, 0
.insn 0x0f, 0, 1, 0, 7
exit
-- error
EINVAL
-- log
2: reserved fields of opcode 0x0f must be zero
