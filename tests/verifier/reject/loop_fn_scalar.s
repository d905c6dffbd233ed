# the callback is a number
-- asm
mov %r1, 1
mov %r2, 0
mov %r3, 0
mov %r4, 0
call loop
exit
-- error
EACCES
-- log
4: R2 type scalar: loop expects a callback
