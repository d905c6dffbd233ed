# a shift by 84 is a shift by 20: below 2^44
-- view
44
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
mov %r3, 84
rsh %r2, %r3
add %r2, %r9
ldxb %r0, [%r2+0]
exit
