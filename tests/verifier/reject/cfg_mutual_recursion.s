# f calls g calls f
-- asm
call local f
exit
f:
call local g
exit
g:
call local f
exit
-- error
EACCES
-- log
4: recursive call to insn 2
