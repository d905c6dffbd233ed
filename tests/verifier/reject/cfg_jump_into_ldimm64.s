# a jump landing on the second slot of ldimm64
-- asm
mov %r0, 0
jeq %r0, 0, +1
lddw %r0, 0x100000002
exit
-- error
EINVAL
-- log
1: jump into the middle of ldimm64 at insn 2
