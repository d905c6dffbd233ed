# 200 diamonds that converge: pruning keeps this linear
-- asm
ldxdw %r6, [%r1+32]
mov %r7, 0
mov %r8, 0
.rep 200
ldxdw %r6, [%r1+32]
jeq %r6, 0, +1
add %r8, 1
mov %r8, 0
.endr
mov %r0, 0
exit
