# a number is not a pointer
-- asm
ldxdw %r2, [%r1+32]
ldxdw %r0, [%r2+0]
exit
-- error
EACCES
-- log
1: R2 invalid mem access 'scalar'
