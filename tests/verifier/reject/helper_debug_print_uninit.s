# printing stack never written
-- asm
mov %r1, %r10
add %r1, -16
mov %r2, 16
call debug_print
mov %r0, 0
exit
-- error
EACCES
-- log
3: R1 helper reads uninitialized stack at off=-16
