# signed division (off = 1)
-- asm
mov %r0, -9
sdiv %r0, 2
mov %r1, -5
smod %r1, 3
add %r0, %r1
exit
-- result
0xfffffffffffffffa
