# no pseudo kind 11
-- asm
.insn 0x18, 1, 11, 0, 0
.insn 0, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unsupported ldimm64 src_reg 11
