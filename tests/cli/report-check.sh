# Sourced by the report tests after tap.sh: the fixture runs, and check ARGS..., report-check.py with its
# diagnostics as TAP comments. Skips the file where python3 is missing.
RUNS="$SRCDIR/tests/data/runs"
check() {
	python3 "$SRCDIR/tests/cli/report-check.py" "$@" >"$TMP/check" 2>&1
	_rc=$?
	sed 's/^\([^#]\)/# \1/' "$TMP/check"
	return $_rc
}
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP needs python3 to recompute the statistics"
	exit 0
fi
