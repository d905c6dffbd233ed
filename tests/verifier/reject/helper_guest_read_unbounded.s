# a size from the context, unchecked
-- asm
ldxdw %r2, [%r1+32]
mov %r1, %r10
add %r1, -8
mov %r3, 0
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
4: R2 size may be 18446744073709551615
