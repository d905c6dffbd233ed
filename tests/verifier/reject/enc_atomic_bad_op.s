# 0x10 is no atomic operation
-- asm
stdw [%r10-8], 0
mov %r1, 1
.insn 0xdb, 10, 1, -8, 0x10
mov %r0, 0
exit
-- error
EINVAL
-- log
2: invalid atomic operation 0x10
