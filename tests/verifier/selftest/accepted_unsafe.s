# SELF-TEST: a program listed as "accept" that the verifier rejects.
-- asm
mov %r0, %r1
exit
-- result
0x0
