# unconditional jump into an ldimm64's second half
-- asm
ja +1
lddw %r0, 5
exit
-- error
EINVAL
-- log
0: jump into the middle of ldimm64 at insn 1
