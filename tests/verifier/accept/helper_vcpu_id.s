# vcpu_id in a local event
-- event
vcpu_resume
-- asm
call vcpu_id
exit
