# mod: off is 0 or 1
-- asm
mov %r0, 7
.insn 0x97, 0, 0, -1, 3
exit
-- error
EINVAL
-- log
1: invalid offset -1 for div/mod
