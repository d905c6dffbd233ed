# jset not taken clears the bit: below 4096
-- view
12
-- asm
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, 0x1fff
jset %r2, 0x1000, out
add %r2, %r9
ldxb %r0, [%r2+0]
exit
out:
mov %r0, 0
exit
