# no loops inside a callback either
-- asm
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
ja -1
-- error
EACCES
-- log
8: back-edge to insn 8
