# div: off is 0 (unsigned) or 1 (signed)
-- asm
mov %r0, 7
.insn 0x37, 0, 0, 2, 3
exit
-- error
EINVAL
-- log
1: invalid offset 2 for div/mod
