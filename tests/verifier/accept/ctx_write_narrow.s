# a byte store inside free[0]
-- event
reclaim
-- asm
stb [%r1+17], 1
mov %r0, 0
exit
