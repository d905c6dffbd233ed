# deny writes to IA32_APIC_BASE
-- event
msr_write
-- asm
ldxw %r2, [%r1+12]
mov %r0, 0
jne %r2, 0x1b, +1
mov %r0, 1
exit
