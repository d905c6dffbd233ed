# stack pointers take constant offsets only
-- asm
ldxdw %r3, [%r1+32]
and %r3, 7
mov %r2, %r10
add %r2, -16
add %r2, %r3
stb [%r2+0], 0
mov %r0, 0
exit
-- error
EACCES
-- log
4: R2 variable offset on stack pointer prohibited
