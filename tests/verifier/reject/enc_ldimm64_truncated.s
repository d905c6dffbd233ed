# ldimm64 as the last slot
-- asm
mov %r0, 0
exit
.insn 0x18, 0, 0, 0, 1
-- error
EINVAL
-- log
2: ldimm64 missing its second slot
