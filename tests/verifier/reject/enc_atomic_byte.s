# atomics are 32 or 64 bits
-- asm
stdw [%r10-8], 0
mov %r1, 1
.insn 0xd3, 10, 1, -8, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
2: invalid opcode 0xd3
