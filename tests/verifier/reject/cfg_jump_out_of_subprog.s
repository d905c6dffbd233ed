# a jump from a subprogram into its caller's code
-- asm
call local f
exit
f:
mov %r0, 1
ja -3
exit
-- error
EINVAL
-- log
3: jump out of subprogram to 1
