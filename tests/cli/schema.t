#!/bin/sh
# The JSON formats against their schemas (docs/schema/): every fixture run's run.json, harvest.json and step entries,
# a report.json of `crbench report`, `crbench check --json`, and documents broken on purpose that the schemas must refuse.
. "$(dirname "$0")/tap.sh"
RUNS="$SRCDIR/tests/data/runs"

# known_gap RUN KIND: why a fixture's documents do not follow the format (docs/run-format.md, what the code writes)
# yet; its test is then TODO, its errors still printed. Empty when they do.
known_gap() {
	case "$1/$2" in
	tcg-default/run) echo "recorded by crbench 0.1.0-0bc4a0a, before run.json had remote and the plan bonnie-direct" ;;
	tcg-default/harvest) echo "recorded by crbench 0.1.0-0bc4a0a, before harvest.json had capped" ;;
	esac
}

# result OK DESCRIPTION GAP: ok, or TODO with the gap as its reason (a failure that does not fail the file)
result() {
	if [ -z "$3" ]; then
		ok "$1" "$2"
	else
		_n=$((_n + 1))
		if [ "$1" -eq 0 ]; then echo "ok $_n - $2 # TODO $3"; else echo "not ok $_n - $2 # TODO $3"; fi
	fi
}

# valid FILE...: whether schema-check.py found every FILE valid; otherwise what it said of them (of the first 3), as comments
valid() {
	printf '%s\n' "$@" >"$TMP/want"
	valid_list "$TMP/want"
}
# valid_list LIST: the same for the files named in LIST, one a line (none in an empty LIST)
valid_list() {
	[ -s "$1" ] || return 0
	awk -F ': ' '
		NR == FNR { if ($0 != "") want[$0] = 1; next }
		!($1 in want) { next }
		/: valid$/ { good[$1] = 1; next }
		{ if (!($1 in said)) order[n++] = $1; said[$1] = said[$1] "# " $0 "\n" }
		END {
			bad = 0
			for (f in want) if (!(f in good)) bad++
			for (i = 0; i < n && i < 3; i++) printf "%s", said[order[i]]
			if (bad > 3) printf "# and %d more documents not valid\n", bad - 3
			exit bad > 0
		}' "$1" "$TMP/checked"
}
# refused FILE POINTER: whether FILE was found invalid, with an error at POINTER or below it (at / itself for /)
refused() {
	if [ "$2" = / ]; then
		grep -q -F -e "$1: /: " "$TMP/checked"
	else
		grep -q -F -e "$1: $2: " -e "$1: $2/" "$TMP/checked"
	fi && return 0
	grep -F "$1: " "$TMP/checked" | head -5 | sed 's/^/# /'
	return 1
}

fixtures=""
for d in "$RUNS"/*/; do
	[ -f "$d/run.json" ] && fixtures="$fixtures $(basename "$d")"
done
# shellcheck disable=SC2086 # a fixture per word
set -- $fixtures
plan $((16 + 3 * $#))

# the documents to check: made at once (each command takes a second or so), the fixtures listed meanwhile
"$CRBENCH" report --out "$TMP/report" "$RUNS/degraded" >"$TMP/report.out" 2>&1 &
report_pid=$!
"$CRBENCH" check --json >"$TMP/check.json" 2>"$TMP/check.err" &
check_pid=$!
"$CRBENCH" check --json --accel tcg --connect test:///default --plan "$SRCDIR/images/plans/smoke.ini" >"$TMP/check-plan.json" 2>"$TMP/check-plan.err" &
check_plan_pid=$!
# what each fixture has: its step entries, its guest directories' harvest.json and those missing one
: >"$TMP/args"
for r in "$@"; do
	# a guest's results/ (with boot = per-step, its entries are linked there from boots/NNNN/results/)
	find "$RUNS/$r" -mindepth 3 -maxdepth 3 -path '*/results/[0-9][0-9][0-9][0-9]-*.json' -type f | sort >"$TMP/$r.steps"
	find "$RUNS/$r" -name harvest.json -type f | sort >"$TMP/$r.harvests"
	missing=""
	for g in "$RUNS/$r"/*/; do
		[ "$(basename "$g")" = report ] || [ -f "$g/harvest.json" ] || [ -n "$(find "$g" -path '*/boots/*/harvest.json')" ] ||
			missing="$missing $(basename "$g")"
	done
	echo "$missing" >"$TMP/$r.missing"
	{
		echo "run $RUNS/$r/run.json"
		[ -s "$TMP/$r.harvests" ] && echo harvest && cat "$TMP/$r.harvests"
		[ -s "$TMP/$r.steps" ] && echo step && cat "$TMP/$r.steps"
	} >>"$TMP/args"
done
wait $report_pid
report_rc=$?
wait $check_pid
check_rc=$?
wait $check_plan_pid

# documents that differ from valid ones in one point each, which their schema must refuse
python3 - "$RUNS/tcg-default" "$TMP" <<'EOF'
import copy, glob, json, os, sys

runs, tmp = sys.argv[1], sys.argv[2]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save(name, doc):
    with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
        json.dump(doc, f)


def variant(name, doc, change):
    doc = copy.deepcopy(doc)
    change(doc)
    save(name, doc)


# the recorded run, given what it predates: valid
run = load(os.path.join(runs, "run.json"))
run.setdefault("remote", None)
run["plan"]["suite"].setdefault("bonnie-direct", False)
save("run-filled.json", run)
variant("bad-run-status.json", run, lambda d: d["guests"][0].update(status="done"))
variant("bad-run-reason.json", run, lambda d: d["guests"][0].update(status="complete", reason="it did"))
variant("bad-run-key.json", run, lambda d: d.update(finished_at=d["finished"]))

harvest = load(os.path.join(runs, "runc", "harvest.json"))
harvest.setdefault("capped", False)
save("harvest-filled.json", harvest)
variant("bad-harvest-verified.json", harvest, lambda d: d.update(status="verified", refused_count=1))

step = load(sorted(glob.glob(os.path.join(runs, "runc", "results", "*-net-*-r1.json")))[0])
variant("bad-step-reason.json", step, lambda d: d.update(status="ok", reason="fine"))
variant("bad-step-name.json", step, lambda d: d.update(test="net-matrix", step="disk"))
variant("bad-step-cpu.json", step, lambda d: d["system"]["cpu_times"].pop("steal"))

try:
    report = load(os.path.join(tmp, "report", "report.json"))
    where, cell = next(("/tables/%d/metrics/%d/cells/%s" % (i, j, g), c) for i, t in enumerate(report["tables"])
                       for j, m in enumerate(t["metrics"]) for g, c in m["cells"].items() if c["n"] >= 2)
    cell["status"] = "failed"  # a failed cell has no sample
    save("bad-report-cell.json", report)
    with open(os.path.join(tmp, "bad-report-cell.where"), "w") as f:
        f.write(where)
except (OSError, ValueError, StopIteration):
    pass
try:
    check = load(os.path.join(tmp, "check.json"))
    check["items"][0].update(status="FAIL", fix=None)
    check["status"] = "FAIL"
    save("bad-check-fix.json", check)
except (OSError, ValueError, IndexError, KeyError):
    pass
EOF

args=$(cat "$TMP/args")
for b in run-filled bad-run-status bad-run-reason bad-run-key; do args="$args run $TMP/$b.json"; done
for b in harvest-filled bad-harvest-verified; do args="$args harvest $TMP/$b.json"; done
for b in bad-step-reason bad-step-name bad-step-cpu; do args="$args step $TMP/$b.json"; done
args="$args report $TMP/report/report.json $TMP/bad-report-cell.json check $TMP/check.json $TMP/check-plan.json $TMP/bad-check-fix.json"
# shellcheck disable=SC2086 # the fixtures' paths have no spaces
python3 "$SRCDIR/tests/cli/schema-check.py" schemas $args >"$TMP/checked" 2>&1
if grep -q "No module named 'jsonschema'" "$TMP/checked"; then
	echo "Bail out! python3 cannot import jsonschema: install python3-jsonschema (ci/deps.sh check does)"
	exit 1
fi
echo "# schema-check.py: $(tail -1 "$TMP/checked")"

grep -q -E '^[0-9]+ schemas valid: ' "$TMP/checked"
ok $? "every schema of docs/schema/ is a valid draft 2020-12 schema with \$schema, \$id and title"
# what it said of the schemas, or of itself when it could not start
grep -v -E '^/|^[0-9]+ of [0-9]+ documents valid$' "$TMP/checked" | head -20 | sed 's/^/# /'

for r in "$@"; do
	valid "$RUNS/$r/run.json"
	result $? "$r: run.json" "$(known_gap "$r" run)"

	missing=$(cat "$TMP/$r.missing")
	[ -n "$missing" ] && echo "# $r: no harvest.json in:$missing"
	valid_list "$TMP/$r.harvests" && [ -z "$missing" ]
	result $? "$r: every guest directory has a valid harvest.json (one per boot)" "$(known_gap "$r" harvest)"

	valid_list "$TMP/$r.steps"
	result $? "$r: every step entry ($(wc -l <"$TMP/$r.steps") of them)" "$(known_gap "$r" step)"
done

is "$report_rc" 0 "crbench report writes the degraded run's report"
valid "$TMP/report/report.json"
ok $? "its report.json is valid"
case "$check_rc" in 0 | 1) valid "$TMP/check.json" ;; *) false ;; esac
ok $? "crbench check --json is valid (exit $check_rc)"
valid "$TMP/check-plan.json"
ok $? "crbench check --json with a plan, on libvirt's test driver, is valid"

valid "$TMP/run-filled.json"
ok $? "the recorded tcg-default run.json, given remote and bonnie-direct, is valid"
refused "$TMP/bad-run-status.json" /guests/0/status
ok $? "run.json: an unknown guest status is refused"
refused "$TMP/bad-run-reason.json" /guests/0/reason
ok $? "run.json: a complete guest with a reason is refused"
refused "$TMP/bad-run-key.json" /
ok $? "run.json: an unknown key is refused"
valid "$TMP/harvest-filled.json"
ok $? "the recorded tcg-default harvest.json, given capped, is valid"
refused "$TMP/bad-harvest-verified.json" /refused_count
ok $? "harvest.json: verified with a refused entry is refused"
refused "$TMP/bad-step-reason.json" /
ok $? "step entry: ok with a reason is refused"
refused "$TMP/bad-step-name.json" /step
ok $? "step entry: a net-matrix step not named net-<pair>-<load> is refused"
refused "$TMP/bad-step-cpu.json" /system/cpu_times
ok $? "step entry: cpu_times without steal is refused"
refused "$TMP/bad-report-cell.json" "$(cat "$TMP/bad-report-cell.where" 2>/dev/null)"
ok $? "report.json: a failed cell with samples is refused"
refused "$TMP/bad-check-fix.json" /items/0/fix
ok $? "check --json: a FAIL item without a fix is refused"
finish
