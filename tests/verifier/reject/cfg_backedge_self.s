# ja -1: the tightest infinite loop
-- asm
mov %r0, 0
ja -1
-- error
EACCES
-- log
1: back-edge to insn 1
