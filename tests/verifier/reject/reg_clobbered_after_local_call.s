# r1..r5 are clobbered by a local call
-- asm
mov %r2, 1
call local f
mov %r0, %r2
exit
f:
mov %r0, 0
exit
-- error
EACCES
-- log
2: R2 read before write
