# bytes written one at a time, read as a half word
-- asm
stb [%r10-1], 1
stb [%r10-2], 2
ldxh %r0, [%r10-2]
exit
-- result
0x102
