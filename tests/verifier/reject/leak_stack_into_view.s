# the stack address written to guest memory
-- view
44
-- asm
lddw %r8, view_mask
lddw %r9, view_base
ldxdw %r2, [%r1+32]
and %r2, %r8
add %r2, %r9
stxdw [%r2+0], %r10
mov %r0, 0
exit
-- error
EACCES
-- log
7: R10 leaks a stack pointer into guest memory
