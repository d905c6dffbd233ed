# a counted loop: bounded, but loops must use HUP_FN_loop
-- asm
mov %r0, 0
loop:
add %r0, 1
jlt %r0, 10, loop
exit
-- error
EACCES
-- log
2: back-edge to insn 1 (loops must use HUP_FN_loop)
