# a 64-bit immediate
-- asm
lddw %r0, 0x1122334455667788
rsh %r0, 32
exit
-- result
0x11223344
