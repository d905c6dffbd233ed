# after x != 0 with x in [0,1], x == 1
-- asm
ldxw %r2, [%r1+16]
and %r2, 1
jne %r2, 0, +2
mov %r0, 0
exit
mov %r0, %r2
exit
