# Linux map pseudo loads mean nothing here
-- asm
.insn 0x18, 1, 1, 0, 3
.insn 0, 0, 0, 0, 0
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unsupported ldimm64 src_reg 1
