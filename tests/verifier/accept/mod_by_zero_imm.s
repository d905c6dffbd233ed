# x % 0 is x in BPF
-- asm
mov %r0, 7
mod %r0, 0
exit
-- result
0x7
