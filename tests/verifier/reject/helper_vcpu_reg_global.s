# vcpu_reg is for local events; reclaim is global
-- event
reclaim
-- asm
mov %r1, 0
call vcpu_reg
mov %r0, 0
exit
-- error
EACCES
-- log
1: helper vcpu_reg not allowed in reclaim programs
