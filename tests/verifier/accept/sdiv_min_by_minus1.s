# INT64_MIN / -1 is defined (no trap)
-- asm
lddw %r0, 0x8000000000000000
sdiv %r0, -1
exit
-- result
0x8000000000000000
