# neg has no X form
-- asm
mov %r0, 1
.insn 0x8f, 0, 0, 0, 0
exit
-- error
EINVAL
-- log
1: reserved fields of opcode 0x8f must be zero
