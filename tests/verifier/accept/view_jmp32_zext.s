# a 32-bit compare bounds a zero-extended value
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
mov32 %r2, %r2
jgt32 %r2, 0xfffff, out
add %r2, %r9
ldxb %r0, [%r2+0]
exit
out:
mov %r0, 0
exit
