# exit carries nothing
-- asm
mov %r0, 0
.insn 0x95, 0, 0, 0, 1
-- error
EINVAL
-- log
1: reserved fields of opcode 0x95 must be zero
