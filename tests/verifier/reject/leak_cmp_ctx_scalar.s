# a ctx pointer against a number: a binary search on the address
-- asm
lddw %r2, 0x7fff00000000
jgt %r1, %r2, +1
mov %r0, 1
mov %r0, 0
exit
-- error
EACCES
-- log
2: R1 comparison of a pointer with a scalar prohibited
