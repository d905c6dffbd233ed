# byte swap
-- asm
mov %r0, 0x1122
be16 %r0
exit
-- result
0x2211
