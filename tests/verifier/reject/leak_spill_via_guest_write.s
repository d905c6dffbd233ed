# a spilled pointer copied to the guest by a helper
-- asm
stxdw [%r10-8], %r1
mov %r1, 0x1000
mov %r2, %r10
add %r2, -8
mov %r3, 8
call guest_write
mov %r0, 0
exit
-- error
EACCES
-- log
5: R2 helper would read a spilled pointer at off=-8
