# no instructions at all
-- asm
-- error
EINVAL
-- log
0: empty program
