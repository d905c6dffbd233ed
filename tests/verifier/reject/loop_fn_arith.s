# arithmetic on a callback
-- asm
lddw %r2, func body
add %r2, 1
mov %r0, 0
exit
body:
mov %r0, 0
exit
-- error
EACCES
-- log
2: R2 arithmetic on a callback pointer prohibited
