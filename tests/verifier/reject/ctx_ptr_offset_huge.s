# ctx + 2^30: refused before any access
-- asm
lddw %r2, 0x40000000
add %r1, %r2
mov %r0, 0
exit
-- error
EACCES
-- log
2: R1 ctx pointer offset out of range
