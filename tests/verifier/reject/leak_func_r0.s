# returning a callback
-- asm
lddw %r0, func f
exit
f:
mov %r0, 0
exit
-- error
EACCES
-- log
2: R0 leaks a func pointer at exit
