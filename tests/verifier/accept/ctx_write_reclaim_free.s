# free[] is writable
-- event
reclaim
-- asm
stdw [%r1+16], -1
mov %r2, 5
stxdw [%r1+40], %r2
ldxdw %r3, [%r1+72]
or %r3, 1
stxdw [%r1+72], %r3
mov %r0, 0
exit
