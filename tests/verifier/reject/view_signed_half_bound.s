# s<= 4096 alone allows negative numbers
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
jsgt %r2, 4096, out
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
