#!/bin/sh
# hupctl query against a fake hupvm (a Unix socket that answers one request
# with a canned response): the answer goes to stdout alone, the program's
# return value ("r0 R") to stderr, also when the query failed; partial
# output of an aborted run is printed; the exit status is the end line's.
#
#   hupctl_query.sh HUPCTL
set -u
H=$1
D=$(mktemp -d /tmp/hupctl-query-XXXXXX)
trap 'rm -rf "$D"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# answer RESPONSE STATUS STDOUT STDERR-PATTERN [ABSENT-PATTERN]
answer() {
	printf "$1" > "$D/resp"
	rm -f "$D/sock"
	# bound and listening under another name, then renamed: the socket
	# the loop below waits for already accepts connections
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".new")
s.listen(1)
os.rename(sys.argv[1] + ".new", sys.argv[1])
c, _ = s.accept()
c.recv(4096)
c.sendall(open(sys.argv[2], "rb").read())
c.close()
' "$D/sock" "$D/resp" &
	srv=$!
	n=0
	while [ ! -S "$D/sock" ] && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	"$H" -s "$D/sock" query 3 >"$D/out" 2>"$D/err"
	got=$?
	wait $srv
	[ "$got" = "$2" ] || fail "'$1': exit $got, expected $2: $(cat "$D/err")"
	printf "$3" | cmp -s - "$D/out" || fail "'$1': stdout is '$(cat "$D/out")'"
	grep -q -- "$4" "$D/err" || fail "'$1': no '$4' in stderr: $(cat "$D/err")"
	if [ $# -gt 4 ] && grep -q -- "$5" "$D/err"; then
		fail "'$1': '$5' in stderr: $(cat "$D/err")"
	fi
}

answer 'data 5\nhello\nr0 7\nOK\n' 0 'hello\n' '^hupctl: returned 7$'
answer 'data 0\n\nr0 0\nOK\n' 0 '' '^hupctl: returned 0$'
answer 'data 5\nhello\nr0 -14\nERR EFAULT program 3 returned -14 (Bad address)\n' \
	1 'hello\n' '^hupctl: returned -14$'
grep -q "EFAULT program 3 returned -14" "$D/err" || fail "no refusal line"
answer 'data 5\nhello\nERR EFAULT program 3 aborted after 5 bytes of output: guest memory fault\n' \
	1 'hello\n' 'aborted after 5 bytes' 'returned'
answer 'ERR ENOENT no program 3\n' 1 '' 'ENOENT no program 3' 'returned'

echo "$fails failed"
[ "$fails" -eq 0 ]
