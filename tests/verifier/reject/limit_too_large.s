# 4,097 instructions: one over HUP_MAX_INSNS
-- asm
.rep 4096
mov %r0, 0
.endr
exit
-- error
E2BIG
-- log
4096: program too large: 4097 insns (max 4096)
