# the caller's own limit (opts.max_insns = 8)
-- max_insns
8
-- asm
.rep 10
mov %r0, 0
.endr
exit
-- error
E2BIG
-- log
8: program too large: 11 insns (max 8)
