# BPF_PSEUDO_MAP_IDX
-- asm
.insn 0x18, 1, 5, 0, 3
.insn 0, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unsupported ldimm64 src_reg 5
