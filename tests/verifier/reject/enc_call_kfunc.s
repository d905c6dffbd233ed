# kfunc calls (src_reg 2)
-- asm
.insn 0x85, 0, 2, 0, 1
mov %r0, 0
exit
-- error
EINVAL
-- log
0: unsupported call kind src_reg=2
