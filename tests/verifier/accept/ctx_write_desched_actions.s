# actions is writable (HUP_ENTRY_FLUSH_TLB at the vCPU's next entry)
-- event
vcpu_desched
-- asm
ldxw %r2, [%r1+16]
stw [%r1+24], 1
mov %r0, 0
exit
