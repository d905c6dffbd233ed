# neg takes no operand
-- asm
mov %r0, 1
.insn 0x87, 0, 0, 0, 5
exit
-- error
EINVAL
-- log
1: reserved fields of opcode 0x87 must be zero
