# 16 bytes into an 8-byte buffer at the top of the frame
-- asm
mov %r1, %r10
add %r1, -8
mov %r2, 16
mov %r3, 0
call guest_read
mov %r0, 0
exit
-- error
EACCES
-- log
4: R1 stack buffer out of bounds: off=-8 size<=16
