# jump before insn 0
-- asm
mov %r0, 0
ja -3
exit
-- error
EINVAL
-- log
1: jump out of range to -1
