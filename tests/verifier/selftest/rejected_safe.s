# SELF-TEST: a safe program listed as a rejection.
-- asm
mov %r0, 0
exit
-- error
EACCES
-- log
0: R0 leaks
