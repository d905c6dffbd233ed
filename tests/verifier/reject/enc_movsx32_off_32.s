# 32-bit movsx cannot take 32 bits
-- asm
mov %r1, 1
.insn 0xbc, 0, 1, 32, 0
exit
-- error
EINVAL
-- log
1: invalid offset 32 for mov
