# the last slot of the frame
-- asm
stdw [%r10-512], 3
ldxdw %r0, [%r10-512]
exit
-- result
0x3
