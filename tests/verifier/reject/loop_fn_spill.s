# callbacks are not stored
-- asm
lddw %r2, func body
stxdw [%r10-8], %r2
mov %r0, 0
exit
body:
mov %r0, 0
exit
-- error
EACCES
-- log
2: R2 callback pointer cannot be stored
