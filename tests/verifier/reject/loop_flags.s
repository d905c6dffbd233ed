# loop flags must be 0
-- asm
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 1
call loop
exit
body:
mov %r0, 0
exit
-- error
EACCES
-- log
5: R4 loop flags must be 0
