# movsx widths are 8, 16, 32
-- asm
mov %r1, 1
.insn 0xbf, 0, 1, 7, 0
exit
-- error
EINVAL
-- log
1: invalid offset 7 for mov
