# copy a guest struct to the stack, read a field
-- asm
ldxdw %r3, [%r1+32]
mov %r1, %r10
add %r1, -32
mov %r2, 32
call guest_read
jslt %r0, 0, fail
ldxdw %r0, [%r10-16]
exit
fail:
mov %r0, 0
exit
