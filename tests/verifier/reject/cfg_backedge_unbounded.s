# an unbounded loop on a ctx value
-- asm
ldxdw %r2, [%r1+32]
mov %r0, 0
l:
add %r0, 1
jne %r0, %r2, l
exit
-- error
EACCES
-- log
3: back-edge to insn 2
