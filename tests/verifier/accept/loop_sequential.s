# loops one after another (and one in a subprogram called from the main
# program, not from a callback) do not nest: 3 + 4 + 5 runs
-- asm
mov %r1, 3
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
mov %r6, %r0
mov %r1, 4
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
add %r6, %r0
call local f
add %r0, %r6
exit
f:
mov %r1, 5
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
-- result
0xc
