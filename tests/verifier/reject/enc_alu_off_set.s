# mov K with an offset
-- asm
.insn 0xb7, 0, 0, 3, 0
exit
-- error
EINVAL
-- log
0: reserved fields of opcode 0xb7 must be zero
