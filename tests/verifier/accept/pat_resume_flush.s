# flush the TLB if paused longer than 1 ms
-- event
vcpu_resume
-- asm
ldxdw %r2, [%r1+8]
mov %r0, 0
jlt %r2, 1000000, +1
stw [%r1+20], 1
exit
