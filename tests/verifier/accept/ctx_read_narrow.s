# the low half of arg[0]: a narrower aligned read of a field
-- asm
ldxw %r0, [%r1+32]
exit
