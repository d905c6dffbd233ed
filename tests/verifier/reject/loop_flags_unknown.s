# loop flags must be provably 0
-- asm
ldxdw %r4, [%r1+32]
mov %r1, 1
lddw %r2, func body
mov %r3, 0
call loop
exit
body:
mov %r0, 0
exit
-- error
EACCES
-- log
5: R4 loop flags must be 0
