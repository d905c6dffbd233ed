# registers are r0..r10
-- asm
.insn 0xb7, 11, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: invalid register r11
