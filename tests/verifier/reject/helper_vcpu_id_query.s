# vcpu_id in a global event
-- event
query
-- asm
call vcpu_id
mov %r0, 0
exit
-- error
EACCES
-- log
0: helper vcpu_id not allowed in query programs
