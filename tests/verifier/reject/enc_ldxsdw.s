# no sign-extending 64-bit load
-- asm
.insn 0x99, 0, 1, 0, 0
exit
-- error
EINVAL
-- log
0: invalid opcode 0x99
