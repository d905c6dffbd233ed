# after a variable-size read only the minimum is known written
-- asm
ldxdw %r6, [%r1+32]
mov %r1, %r10
add %r1, -128
mov %r2, %r6
and %r2, 127
mov %r3, 0x1000
call guest_read
ldxdw %r0, [%r10-8]
exit
-- error
EACCES
-- log
7: R10 invalid read from stack: off=-8 size=8
