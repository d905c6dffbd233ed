# one byte of kind
-- asm
ldxb %r0, [%r1+23]
exit
