# past hup_query_ctx (40 bytes) via a constant add
-- event
query
-- asm
mov %r2, %r1
add %r2, 40
ldxdw %r0, [%r2+0]
exit
-- error
EACCES
-- log
2: R2 invalid query ctx access: off=40 size=8
