# sign-extending read of vcpu
-- asm
ldxsw %r0, [%r1+16]
exit
