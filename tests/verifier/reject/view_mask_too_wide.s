# a 45-bit mask on a 44-bit view
-- view
44
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
lddw %r3, 0x1fffffffffff
and %r2, %r3
add %r2, %r9
ldxb %r0, [%r2+0]
exit
-- error
EACCES
-- log
6: R2 view offset not provably in [0, 0xfffffffffff]
