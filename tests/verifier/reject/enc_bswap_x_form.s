# ALU64 END has only the K form (bswap)
-- asm
mov %r0, 1
.insn 0xdf, 0, 0, 0, 16
exit
-- error
EINVAL
-- log
1: invalid opcode 0xdf
