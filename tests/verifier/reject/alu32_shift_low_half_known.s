# the audit's host takeover: the shift amount's low half is 32 (masked: 0),
# its high half unknown; w3 = 1 << 0 = 1, then r3 = X, so r10 + r3 is a
# variable stack offset.  Believing w3 = 0 made it fp+0.
-- asm
ldxdw %r4, [%r1+32]
ldxdw %r2, [%r1+40]
lsh %r2, 32
or %r2, 32
mov32 %r3, 1
lsh32 %r3, %r2
mul %r3, %r4
mov %r5, %r10
add %r5, %r3
stxdw [%r5-8], %r6
mov %r0, 0
exit
-- error
EACCES
-- log
8: R5 variable offset on stack pointer prohibited
