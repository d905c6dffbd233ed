# a spilled ctx pointer filled back is still a ctx pointer
-- asm
stxdw [%r10-8], %r1
mov %r1, 0
ldxdw %r2, [%r10-8]
ldxdw %r0, [%r2+0]
exit
