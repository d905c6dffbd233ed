# ja with a register
-- asm
.insn 0x05, 0, 1, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: reserved fields of opcode 0x05 must be zero
