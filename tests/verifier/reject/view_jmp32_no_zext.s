# a 32-bit compare says nothing of the upper half
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
jgt32 %r2, 0xfffff, out
add %r2, %r9
ldxb %r0, [%r2+0]
exit
out:
mov %r0, 0
exit
-- error
EACCES
-- log
4: R2 view offset not provably in [0, 0xfffff]
