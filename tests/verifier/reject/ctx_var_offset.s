# indexing free[] with a variable
-- event
reclaim
-- asm
ldxw %r2, [%r1+8]
and %r2, 56
mov %r3, %r1
add %r3, %r2
ldxdw %r0, [%r3+16]
exit
-- error
EACCES
-- log
3: R3 variable offset on ctx pointer prohibited
