# nr = 2^32 - 1 runs HUP_LOOP_MAX times at most
-- asm
mov %r1, -1
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
jlt %r1, 0xfffff, +1
mov %r0, 1
exit
-- result
0x100000
