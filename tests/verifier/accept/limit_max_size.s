# exactly HUP_MAX_INSNS instructions
-- asm
.rep 4095
mov %r0, 0
.endr
exit
