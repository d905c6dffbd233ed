# a counter grown by the callback is unbounded afterwards
-- view
44
-- asm
stdw [%r10-8], 1
mov %r1, 3
lddw %r2, func body
mov %r3, %r10
add %r3, -8
mov %r4, 0
call loop
ldxdw %r0, [%r10-8]
lddw %r9, view_base
add %r9, %r0
exit
body:
ldxdw %r3, [%r2+0]
add %r3, 1
stxdw [%r2+0], %r3
mov %r0, 0
exit
-- error
EACCES
-- log
11: R9 view offset not provably in
