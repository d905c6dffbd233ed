# 20 diamonds whose paths all differ: 2^20 paths, none prunable
-- asm
mov %r7, 0
.rep 20
ldxdw %r6, [%r1+32]
lsh %r7, 1
jeq %r6, 0, +1
add %r7, 1
.endr
mov %r0, 0
exit
-- error
E2BIG
-- log
76: program too complex: more than 100000 instructions explored
