#!/bin/sh
# crbench compare on the fixture runs: changes beyond the noise recomputed independently, bounds files that gate CI.
. "$(dirname "$0")/tap.sh"
RUNS="$SRCDIR/tests/data/runs"
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP needs python3 to recompute the statistics"
	exit 0
fi
plan 26

run "$CRBENCH" compare --help
is "$rc" 0 "--help exits 0"
like "$out" 'boot.httpd.first_200@runc 0.2     1.0' "--help shows the bounds format"
run "$CRBENCH" compare "$RUNS/complete"
is "$rc" 2 "one run without --bounds is a usage error"
run "$CRBENCH" compare "$RUNS/complete" "$RUNS/complete-b" "$RUNS/degraded"
is "$rc" 2 "three runs are a usage error"
run "$CRBENCH" compare "$TMP/nope" "$RUNS/complete"
is "$rc" 1 "a missing run fails"
like "$err" "cannot read run manifest '$TMP/nope/run.json'" "naming the file"

# complete-b is complete made again with runsc's boot 35% slower and its block output 20% lower
run "$CRBENCH" compare "$RUNS/complete" "$RUNS/complete-b"
is "$rc" 0 "without bounds, compare exits 0 whatever changed"
like "$out" '^boot\.httpd\.first_200@runsc: 1\.242 -> 1\.605 s \(\+29\.25%\), B/A 1\.294 \[1\.184, 1\.415\]: higher, outside the noise$' \
	"the slower runsc boot is found outside the noise"
like "$out" '^disk\.block_out@runsc: .*\(-18\.80%\).*: lower, outside the noise$' "and the lower block output"
like "$out" ': [0-9]+ of 174 metric cells changed outside the noise' "with a count of all the cells compared"
run "$CRBENCH" compare --all "$RUNS/complete" "$RUNS/complete-b"
like "$out" '^boot\.httpd\.first_200@runc: .*: within the noise$' "--all lists the unchanged too"
"$CRBENCH" compare --json "$RUNS/complete" "$RUNS/complete-b" >"$TMP/cmp.json"
python3 "$SRCDIR/tests/cli/report-check.py" compare "$RUNS/complete" "$RUNS/complete-b" "$TMP/cmp.json" >"$TMP/check" 2>&1
ok $? "changes, ratios and their intervals match an independent recomputation from the raw entries"
sed 's/^\([^#]\)/# \1/' "$TMP/check"
run "$CRBENCH" compare --all "$RUNS/complete" "$RUNS/degraded"
like "$out" '^boot\.httpd\.first_200@runsc: 1\.242 -> — s .*: no comparison: a side has no sample$' "a guest without samples in one run is not compared, and said so"

# bounds
cat >"$TMP/ok.bounds" <<'BOUNDS'
# boot times of this host, in seconds
boot.httpd.first_200@runc   0.5 1.0
boot.httpd.first_200@runsc  1.2 ±10%
disk.block_out              -   2000000
net.bridge-bridge.idle.bandwidth@runc 20 +-30%
BOUNDS
run "$CRBENCH" compare --bounds "$TMP/ok.bounds" "$RUNS/complete"
is "$rc" 0 "a run within its bounds exits 0"
like "$out" '^ok line 3: boot\.httpd\.first_200@runsc: mean 1\.242, bounds \[1\.080, 1\.320\]: within$' "mid ± percent is a range"
like "$out" '^ok line 4: disk\.block_out@runsc: mean 293588, bounds \[-inf, 2000000\]: within$' "a bound without a guest applies to every guest"
run "$CRBENCH" compare --bounds "$TMP/ok.bounds" "$RUNS/complete" "$RUNS/complete-b"
is "$rc" 1 "the slower run is out of bounds: exit 1, for CI"
like "$out" '^OUT OF BOUNDS line 3: boot\.httpd\.first_200@runsc: mean 1\.605, bounds \[1\.080, 1\.320\]: above the maximum$' "naming the bound and the value"
printf 'disk.block_in@kata 1 -\nnet.host-bridge.idle.bandwidth@kata 1 -\n' >"$TMP/kata.bounds"
run "$CRBENCH" compare --bounds "$TMP/kata.bounds" "$RUNS/degraded"
like "$out" 'OUT OF BOUNDS line 2: net\.host-bridge\.idle\.bandwidth@kata: mean —, .*: no sample: not supported' "a bound on a cell without samples fails, saying why"
printf 'boot.httpd.first_200 1\n' >"$TMP/bad.bounds"
run "$CRBENCH" compare --bounds "$TMP/bad.bounds" "$RUNS/complete"
is "$rc" 1 "a malformed bounds file fails"
like "$err" "bad.bounds:1: expected 'METRIC MIN MAX' or 'METRIC MID ±PCT%'" "naming its file and line"
printf 'boot.httpd.first_201 0 1\n' >"$TMP/typo.bounds"
run "$CRBENCH" compare --bounds "$TMP/typo.bounds" "$RUNS/complete"
like "$rc $out" "^1 OUT OF BOUNDS line 1: boot\.httpd\.first_201: .*run b has no metric 'boot\.httpd\.first_201'" "a metric the run does not have fails, not passes"
# JUnit for CI: a case per compared cell and per bound, failures as the text says, valid against docs/schema/junit.xsd
run "$CRBENCH" compare --junit "$TMP/junit.xml" --bounds "$TMP/ok.bounds" "$RUNS/complete" "$RUNS/complete-b"
is "$rc" 1 "--junit keeps the exit status of the bounds"
xmllint --noout --schema "$SRCDIR/docs/schema/junit.xsd" "$TMP/junit.xml" 2>&1 | sed 's/^/# /'
ok "$(xmllint --noout --schema "$SRCDIR/docs/schema/junit.xsd" "$TMP/junit.xml" >/dev/null 2>&1; echo $?)" "the JUnit XML is valid against docs/schema/junit.xsd"
changed=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9]*\) of \([0-9]*\) metric cells changed outside the noise.*/\1 \2/p')
bounds=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9]*\) of \([0-9]*\) bounds hold.*/\1 \2/p')
python3 - "$TMP/junit.xml" "$changed" "$bounds" >"$TMP/jcheck" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
changed, cells = map(int, sys.argv[2].split())
hold, nb = map(int, sys.argv[3].split())
s = {ts.get("name"): ts for ts in root}
def fails(ts): return sum(1 for c in ts if c.find("failure") is not None)
assert len(s["changes"]) == cells and fails(s["changes"]) == changed, (len(s["changes"]), fails(s["changes"]), cells, changed)
assert len(s["bounds"]) == nb and fails(s["bounds"]) == nb - hold, (len(s["bounds"]), fails(s["bounds"]), nb, hold)
assert int(root.get("failures")) == changed + nb - hold
print("ok")
PY
is "$(cat "$TMP/jcheck")" ok "a case per compared cell and per bound, as many failures as the text reports"
run "$CRBENCH" compare --junit "$TMP/no/such/dir/j.xml" "$RUNS/complete" "$RUNS/complete-b"
like "$rc $err" "^1 .*cannot write '$TMP/no/such/dir/j.xml" "a JUnit file that cannot be written fails, naming it"
finish
