# indirect calls cannot be verified
-- asm
mov %r2, 4
call %r2
exit
-- error
EACCES
-- log
1: indirect call (callx) not allowed
