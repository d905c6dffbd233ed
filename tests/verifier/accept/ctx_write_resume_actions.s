# actions is writable (HUP_ENTRY_FLUSH_TLB)
-- event
vcpu_resume
-- asm
stw [%r1+20], 1
mov %r0, 0
exit
