# view pseudo loads carry imm 0
-- view
44
-- asm
.insn 0x18, 1, 12, 0, 8
.insn 0, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: view pseudo load needs imm 0
