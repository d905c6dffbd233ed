# a callback must set r0
-- asm
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
exit
-- error
EACCES
-- log
7: R0 read before write
