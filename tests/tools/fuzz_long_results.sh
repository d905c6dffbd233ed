#!/bin/sh
# scripts/fuzz-long.sh's results on fake fuzz targets (shell scripts in a
# made-up build directory, no libFuzzer): an input libFuzzer reports as
# slow (slow-unit-*) is named as such on an "ok" row and is no finding; a
# crash is a finding, with its artifact, and exit status 1.
# usage: fuzz_long_results.sh SRC
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
mkdir -p "$tmp/b/tests/fuzz"
fake() { # fake NAME ARTIFACT STATUS ERROR-LINE
	cat >"$tmp/b/tests/fuzz/$1" <<EOF
#!/bin/sh
for a in "\$@"; do case \$a in -artifact_prefix=*) dir=\${a#-artifact_prefix=};; esac; done
echo x > "\${dir}$2"
echo "#5	DONE   cov: 3 ft: 4 corp: 1/1b exec/s: 5 rss: 30Mb"
echo "$4"
echo "stat::number_of_executed_units: 5"
exit $3
EOF
	chmod +x "$tmp/b/tests/fuzz/$1"
}
fake fake_slow slow-unit-abc 0 "Slowest unit: 11 s:"
fake fake_crash crash-def 1 "==1==ERROR: AddressSanitizer: heap-buffer-overflow"

out=$("$src/scripts/fuzz-long.sh" -b "$tmp/b" -r 5 fake_slow 2>&1)
rc=$?
echo "$out" | tail -2
[ $rc -eq 0 ] || { echo "FAIL: exit $rc for a slow input only"; fail=1; }
echo "$out" | grep -qE "^fake_slow +5 .* ok \(slow input: $tmp/b/fuzz-artifacts/fake_slow/slow-unit-abc\)$" ||
	{ echo "FAIL: the slow input is not named on an ok row"; fail=1; }

out=$("$src/scripts/fuzz-long.sh" -b "$tmp/b" -r 5 fake_crash 2>&1)
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: exit $rc for a crash"; fail=1; }
echo "$out" | grep -qE "^fake_crash +5 .* crash $tmp/b/fuzz-artifacts/fake_crash/crash-def$" ||
	{ echo "FAIL: the crash row: $(echo "$out" | grep '^fake_crash')"; fail=1; }
[ $fail -eq 0 ] && echo "ok: fuzz-long.sh names slow inputs apart from findings"
exit $fail
