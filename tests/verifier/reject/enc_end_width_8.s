# byte swap widths are 16/32/64
-- asm
mov %r0, 1
.insn 0xd4, 0, 0, 0, 8
exit
-- error
EINVAL
-- log
1: invalid byte swap width 8
