# bounded on the taken side
-- view
20
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
jle %r2, 4096, in
mov %r0, 0
exit
in:
add %r2, %r9
ldxdw %r0, [%r2+0]
exit
