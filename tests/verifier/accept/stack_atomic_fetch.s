# fetch returns the old value
-- asm
stdw [%r10-8], 40
mov %r1, 2
lock fetch add [%r10-8], %r1
mov %r0, %r1
exit
-- result
0x28
