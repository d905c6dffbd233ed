# gotol takes its offset in imm, off must be 0
-- asm
.insn 0x06, 0, 0, 1, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: reserved fields of opcode 0x06 must be zero
