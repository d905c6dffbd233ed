# a callback looping over itself
-- asm
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
-- error
EACCES
-- log
8: recursive call to insn 7
