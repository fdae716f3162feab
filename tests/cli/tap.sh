# Minimal TAP helpers for the shell tests; sourced by tests/cli/*.t.
: "${CRBENCH:?set CRBENCH to the crbench binary (make check does)}"
: "${SRCDIR:=.}"
_n=0
_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crbench-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

plan() { echo "1..$1"; }
ok() { # ok COND-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=1; fi
}
# run CMD...: sets $out, $err, $rc
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2" | sed 's/^/# /'
	fi
}
like() { # like TEXT GREP-PATTERN DESCRIPTION
	if printf '%s\n' "$1" | grep -q -E -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '%s\n' "$1" | head -5 | sed 's/^/#   /'
	fi
}
finish() { exit $_failed; }
skip() { # skip REASON: one test not run
	_n=$((_n + 1))
	echo "ok $_n # SKIP $1"
}
