# negative shift immediate
-- asm
mov %r0, 1
arsh %r0, -1
exit
-- error
EINVAL
-- log
1: invalid shift amount -1
