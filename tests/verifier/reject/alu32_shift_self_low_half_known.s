# found by the soundness oracle against the shift32 mutant (seed 3, 1.7 s,
# minimised): r7 = X << 33, minus -32, has its low half known = 32 and its
# high half unknown; `w7 <<= w7` shifts by 32 & 31 = 0 and leaves 32.  The
# mutant believed 0 and accepted the dead-looking branch to the bad read.
-- asm
mov %r5, 33
ldxdw %r7, [%r1+48]
lsh %r7, %r5
sub %r7, -32
lsh32 %r7, %r7
jgt %r7, 31, +2
mov %r0, 0
exit
ldxdw %r0, [%r10+8]
exit
-- error
EACCES
-- log
8: R10 stack access out of bounds
