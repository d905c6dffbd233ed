# each loop costs two frames (trampoline + callback): four nested loops need nine
-- asm
mov %r1, 1
lddw %r2, func c0
mov %r3, 0
mov %r4, 0
call loop
exit
c0:
mov %r1, 1
lddw %r2, func c1
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c1:
mov %r1, 1
lddw %r2, func c2
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c2:
mov %r1, 1
lddw %r2, func c3
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c3:
mov %r1, 1
lddw %r2, func c4
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c4:
mov %r0, 0
exit
-- error
E2BIG
-- log
28: call stack too deep: more than 8 frames
