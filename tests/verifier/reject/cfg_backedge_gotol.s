# gotol back to itself
-- asm
mov %r0, 0
ja32 -1
-- error
EACCES
-- log
1: back-edge to insn 1
