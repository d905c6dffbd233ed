# one byte above the frame
-- asm
ldxb %r0, [%r10+0]
exit
-- error
EACCES
-- log
0: R10 stack access out of bounds: off=0 size=1
