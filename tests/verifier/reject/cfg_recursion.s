# a subprogram calling itself
-- asm
call local f
exit
f:
call local f
mov %r0, 0
exit
-- error
EACCES
-- log
2: recursive call to insn 2
