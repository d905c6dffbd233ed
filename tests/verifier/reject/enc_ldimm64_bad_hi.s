# the second slot of ldimm64 must have code 0
-- asm
.insn 0x18, 0, 0, 0, 1
.insn 0x18, 0, 0, 0, 0
exit
-- error
EINVAL
-- log
1: invalid ldimm64 second slot
