#!/bin/sh
# Several runs of one plan pooled by crbench report and crbench compare: every pooled cell, ratio and CSV column
# recomputed from the raw entries (report-check.py), runs of different plans refused with the difference named.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/report-check.sh"
plan 29

run "$CRBENCH" report "$RUNS/complete" "$RUNS/complete-b"
is "$rc" 2 "several runs without --out are a usage error"
like "$err" "pooling 2 runs needs --out DIR" "and say why"
run "$CRBENCH" report --help
like "$out" 'crbench report --out DIR RUN_DIR RUN_DIR\.\.\.' "--help shows how to pool"

# complete, complete-b (runsc slower) and complete-c (a second host, every runtime a little slower)
run "$CRBENCH" report --out "$TMP/p" "$RUNS/complete" "$RUNS/complete-b" "$RUNS/complete-c"
is "$rc" 0 "three runs of one plan are pooled"
like "$out" '^report of 3 runs of plan complete: ' "the report names what it pooled"
like "$err" "note: the runs' hosts differ in cpu_model, cpus, memory_bytes" "the hosts' difference is a note, named"
check pooled "$TMP/p" "$RUNS/complete" "$RUNS/complete-b" "$RUNS/complete-c"
ok $? "every pooled cell, its run values, between-run share, CSV columns and paired ratio match the raw entries"
is "$(grep -c '^| complete-2026112[236]-071502-' "$TMP/p/report.md")" 3 "report.md lists the three runs"
like "$(cat "$TMP/p/report.md")" '\| runs \| n \| pooled estimate \[95% CI\] \| between-run share \| per run \(n\) \|' \
	"the tables show runs, rounds, the pooled interval, the between-run share and each run's value"
like "$(cat "$TMP/p/report.md")" 'This report pools several runs of one plan' "and say how they pool"
head -1 "$TMP/p/boot.csv" >"$TMP/head"
like "$(cat "$TMP/head")" ',samples,between_run_share,value complete-20261122-071502-3fa9,n complete-20261122-071502-3fa9,' \
	"the CSVs have each run's value and rounds"
if command -v gnuplot >/dev/null 2>&1; then
	check png "$TMP/p/fig-boot.png" && grep -q 'runs = 3, 3' "$TMP/p/fig-boot.gp"
	ok $? "its figures draw the pooled estimates, with the runs per guest under each group"
else
	skip "gnuplot is not installed"
fi
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 "$SRCDIR/tests/cli/schema-check.py" report "$TMP/p/report.json" >"$TMP/schema" 2>&1
	ok $? "the pooled report.json follows docs/schema/report.json"
	sed 's/^/# /' "$TMP/schema" | head -5
else
	skip "python3-jsonschema is not installed"
fi
python3 - "$TMP/p/report.json" >"$TMP/rt" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
cell = [m for t in rep["tables"] for m in t["metrics"] if m["id"] == "boot.httpd.first_200"][0]["cells"]["runsc"]
print(cell["n"], cell["pooled"]["samples"], cell["ratio"]["method"], cell["ratio"]["df"])
EOF
is "$(cat "$TMP/rt")" "3 15 geometric mean of the runs' ratios, t on the logarithms 2.0" \
	"a cell holds 3 runs of 15 rounds; its ratio to runc is paired by run, with 2 degrees of freedom"

# what may and may not differ between runs pooled
cp -r "$RUNS/complete-b" "$TMP/reps"
sed -i 's/^repetitions = 5$/repetitions = 7/; s/^seed = .*/seed = 99/; s/^name = .*/name = other/' "$TMP/reps/plan.ini"
run "$CRBENCH" report --out "$TMP/p2" "$RUNS/complete" "$TMP/reps"
is "$rc" 0 "runs whose plans differ only in name, seed or repetitions are pooled"
cp -r "$RUNS/complete-b" "$TMP/bonnie"
sed -i 's/^bonnie-size = .*/bonnie-size = 64M/' "$TMP/bonnie/plan.ini"
run "$CRBENCH" report --out "$TMP/p3" "$RUNS/complete" "$TMP/bonnie"
is "$rc" 1 "runs whose plans measure differently are refused"
like "$err" "cannot pool runs of different plans: \[suite\] bonnie-size: 2G in $RUNS/complete, 64M in $TMP/bonnie" \
	"naming the key, both values and both runs"
run "$CRBENCH" report --out "$TMP/p3" "$RUNS/complete" "$RUNS/runtimes"
like "$err" "cannot pool runs of different plans: " "a run of another plan is refused"
run "$CRBENCH" report --out "$TMP/p3" "$RUNS/complete" "$RUNS/complete"
like "$err" "cannot pool run complete-20261122-071502-3fa9 twice" "one run given twice is refused"
cp -r "$RUNS/complete-b" "$TMP/noplan"
rm "$TMP/noplan/plan.ini"
run "$CRBENCH" report --out "$TMP/p3" "$RUNS/complete" "$TMP/noplan"
like "$err" "cannot pool $TMP/noplan: its plan.ini cannot be read" "a run without its plan cannot be shown to be of the plan"
[ ! -e "$TMP/p3" ]
ok $? "and nothing is written"

# compare: a set of runs on each side
run "$CRBENCH" compare "$RUNS/complete,$RUNS/complete-c,$RUNS/complete-b" "$RUNS/degraded"
is "$rc" 0 "one run is compared with a set of runs"
like "$out" '^3 runs of plan complete -> degraded-20261124-090000-0b1e: [0-9]+ of [0-9]+ metric cells changed outside the noise' \
	"over the cells both have"
"$CRBENCH" report --out "$TMP/p3r" "$RUNS/complete" "$RUNS/complete-c" "$RUNS/complete-b" >/dev/null 2>&1
"$CRBENCH" report --out "$TMP/deg" "$RUNS/degraded" >/dev/null 2>&1
"$CRBENCH" compare --all --json "$RUNS/complete,$RUNS/complete-c,$RUNS/complete-b" "$RUNS/degraded" >"$TMP/cmp1.json"
check compare-pooled "$TMP/p3r" "$TMP/deg" "$TMP/cmp1.json"
ok $? "its ratios are the run's geometric mean over the runs', in the prediction interval of a new run, recomputed"
run "$CRBENCH" compare "$RUNS/complete,$RUNS/complete-c" "$RUNS/complete-b,$RUNS/complete"
is "$rc" 0 "two sets of runs are compared"
like "$out" '^2 runs of plan complete -> 2 runs of plan complete-b: [0-9]+ of 174 metric cells changed outside the noise' \
	"over every cell"
"$CRBENCH" report --out "$TMP/pa" "$RUNS/complete" "$RUNS/complete-c" >/dev/null 2>&1
"$CRBENCH" report --out "$TMP/pb" "$RUNS/complete-b" "$RUNS/complete" >/dev/null 2>&1
"$CRBENCH" compare --all --json "$RUNS/complete,$RUNS/complete-c" "$RUNS/complete-b,$RUNS/complete" >"$TMP/cmp.json"
check pooled "$TMP/pa" "$RUNS/complete" "$RUNS/complete-c" && check pooled "$TMP/pb" "$RUNS/complete-b" "$RUNS/complete" &&
	check compare-pooled "$TMP/pa" "$TMP/pb" "$TMP/cmp.json"
ok $? "its ratios are Welch's t on the runs' values, recomputed"
run "$CRBENCH" compare "$RUNS/complete,$TMP/bonnie" "$RUNS/complete-b,$RUNS/complete"
is "$rc" 1 "a side that cannot be pooled fails"
like "$err" "cannot pool runs of different plans: \[suite\] bonnie-size" "naming the difference"
