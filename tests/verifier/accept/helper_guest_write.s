# guest_write from an initialised stack buffer
-- asm
stdw [%r10-16], 1
stdw [%r10-8], 2
mov %r1, 0x1000
mov %r2, %r10
add %r2, -16
mov %r3, 16
call guest_write
mov %r0, 0
exit
