# a callback as data
-- asm
mov %r1, 1
lddw %r2, func body
mov %r3, %r2
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
-- error
EACCES
-- log
5: R3 callback pointer cannot be passed as data
