# the ctx pointer spilled across a helper call
-- asm
ldxdw %r6, [%r1+32]
stxdw [%r10-8], %r1
call host_ns
ldxdw %r1, [%r10-8]
ldxdw %r0, [%r1+40]
exit
