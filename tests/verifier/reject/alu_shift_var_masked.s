# a shift by 70 is a shift by 6 (masked): the result is < 2^58, not < 2^44
-- view
44
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
mov %r3, 70
rsh %r2, %r3
add %r2, %r9
ldxb %r0, [%r2+0]
exit
-- error
EACCES
-- log
5: R2 view offset not provably in
