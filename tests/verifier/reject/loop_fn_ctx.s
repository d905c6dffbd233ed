# the callback is the context
-- asm
mov %r2, %r1
mov %r1, 1
mov %r3, 0
mov %r4, 0
call loop
exit
-- error
EACCES
-- log
4: R2 type ctx: loop expects a callback
