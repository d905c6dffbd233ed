# view pseudo loads carry imm 0 in both halves
-- view
44
-- asm
.insn 0x18, 1, 13, 0, 0
.insn 0, 0, 0, 0, 1
mov %r0, 0
exit
-- error
EINVAL
-- log
0: view pseudo load needs imm 0
