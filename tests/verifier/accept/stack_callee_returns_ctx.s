# a callee may return the ctx pointer
-- asm
call local f
ldxdw %r0, [%r0+8]
exit
f:
mov %r0, %r1
exit
