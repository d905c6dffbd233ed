# a constant guest address (a ksym resolved by the guest module) masked into
# the view lands far beyond the guard but inside [0, mask]: an ordinary
# view offset, accepted
-- view
30
-- asm
lddw %r8, view_mask
lddw %r9, view_base
lddw %r2, 0xffff888000100000
and %r2, %r8
add %r2, %r9
ldxdw %r0, [%r2+8]
exit
