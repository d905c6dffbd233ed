# x / 0 is 0 in BPF
-- asm
mov %r0, 7
div %r0, 0
exit
-- result
0x0
