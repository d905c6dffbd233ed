# legacy packet loads (BPF_ABS)
-- asm
.insn 0x20, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: legacy packet access not supported
