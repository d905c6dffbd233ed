# each loop costs two frames (trampoline + callback): a loop called from
# frame 6 (six local calls deep) would need frames 7 and 8, one too many
-- asm
call local f1
exit
f1:
call local f2
exit
f2:
call local f3
exit
f3:
call local f4
exit
f4:
call local f5
exit
f5:
call local f6
exit
f6:
mov %r1, 1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
-- error
E2BIG
-- log
17: call stack too deep: more than 8 frames
