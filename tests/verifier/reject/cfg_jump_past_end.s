# jump beyond the last insn
-- asm
mov %r0, 0
ja +5
exit
-- error
EINVAL
-- log
1: jump out of range to 7
