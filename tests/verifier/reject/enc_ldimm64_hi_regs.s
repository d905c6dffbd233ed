# the second slot of ldimm64 has no registers
-- asm
.insn 0x18, 0, 0, 0, 1
.insn 0, 1, 0, 0, 0
exit
-- error
EINVAL
-- log
1: invalid ldimm64 second slot
