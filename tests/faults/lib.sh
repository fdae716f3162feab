# Helpers of the fault suite (make check-faults): each tests/faults/*.t makes
# one fault happen for real in a crbench run and checks the outcome: a clear
# message, every finished result kept, nothing of the run left behind.
. "$(dirname "$0")/../cli/tap.sh"
e2e_or_skip
CACHE=${CRBENCH_CACHE_DIR:-/var/cache/crbench}

# CRBENCH_FAULTS_HOST=second: the fault's guest runs on a second libvirt host
# (tap.sh's second_host), reached by upload as another machine is, while the
# run's own host stays qemu:///system: each fault holds per host
guest_host=""
if [ "${CRBENCH_FAULTS_HOST:-}" = second ]; then
	second_host >"$TMP/why" || {
		echo "1..0 # SKIP $(cat "$TMP/why")"
		exit 0
	}
	guest_host="connect = $uri2
upload = yes"
fi

# fault_plan NAME [PROGRESS_TIMEOUT [TESTS [REPETITIONS [IDLE [VCPUS]]]]]: a one-guest plan
# (runc) of env and cpu-mem rounds, which load no container image: a fault
# test boots fast. One vCPU: make check-faults runs a fault per CPU at a
# time, each guest pinned to a CPU of its own (two TCG guests of two vCPUs
# each on two CPUs starve each other).
fault_plan() {
	cat >"$TMP/$1.ini" <<EOT
[run]
name = $1
seed = 5
progress-timeout = ${2:-10m}
timeout = ${FAULT_TIMEOUT:-20m}
[suite]
profile = smoke
tests = ${3:-env, cpu-mem}
repetitions = ${4:-4}
warmup = 0
idle-seconds = ${5:-3s}
[guest runc]
image = debian-12
runtime = runc
vcpus = ${6:-1}
memory = 2G
$guest_host
EOT
	echo "$TMP/$1.ini"
}

# run_dir NAME: the run directory crbench made under $TMP/results
run_dir() { ls -d "$TMP"/results/"$1"-* 2>/dev/null | head -1; }

# kept_entries DIR GUEST: the step entries harvested, each a whole JSON document
kept_entries() {
	python3 - "$1/$2/results" <<'EOT'
import glob, json, os, sys
n = 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], "[0-9][0-9][0-9][0-9]-*.json"))):
    json.load(open(f))
    n += 1
print(n)
EOT
}

# guest_field DIR GUEST FIELD: a field of the guest in run.json
guest_field() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1] + "/run.json"))
print([g for g in r["guests"] if g["name"] == sys.argv[2]][0].get(sys.argv[3]))' "$1" "$2" "$3"
}

# left ID: domains of the run still defined (on the second host too), run
# directories left in the cache, and (only when there are any) qemu
# processes, temporary files or volumes on the second host of the run still
# there
left() {
	d=$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -c "crbench-$1" || true)
	v=0
	if [ -n "${uri2:-}" ]; then
		d=$((d + $(virsh -c "$uri2" list --all --name 2>/dev/null | grep -c "crbench-$1" || true)))
		v=$(virsh -q -c "$uri2" vol-list default 2>/dev/null | grep -c "crbench-$1" || true)
	fi
	c=$(ls -d "$CACHE/runs/$1" 2>/dev/null | wc -l)
	q=$(pgrep -f "guest=crbench-$1-" 2>/dev/null | wc -l)
	t=$(ls -d "$CACHE"/runs/.tmp-*"$1"* "$CACHE"/images/.tmp-* /tmp/crbench-*"$1"* 2>/dev/null | wc -l)
	echo "$d domains, $c cache directories$([ "$q" = 0 ] || echo ", $q qemu processes")$([ "$t" = 0 ] || echo ", $t temporary files")$([ "$v" = 0 ] || echo ", $v volumes on the second host")"
}

# summary FAULT DIR GUEST: the line the suite prints per fault
summary() {
	echo "# fault $1: kept $(kept_entries "$2" "$3") step entries, console.log and run.json; guest $(guest_field "$2" "$3" status): $(guest_field "$2" "$3" reason); left: $(left "$(basename "$2")")"
}

# guest_fault FAULT STATUS REASON-PATTERN MIN-ENTRIES [PROGRESS-TIMEOUT [TESTS REPS IDLE]]: a
# run with --inject-fault FAULT ends with exit 1, the guest in STATUS with a
# reason matching the pattern, at least MIN-ENTRIES step entries kept, and
# no domain or cache directory left. Six tests.
guest_fault() {
	plan 6
	p=$(fault_plan "$1" "${5:-10m}" "${6:-env, cpu-mem}" "${7:-4}" "${8:-3s}")
	# NO_INJECT=1: a fault of the plan itself (its timeout), nothing injected
	inject="--inject-fault $1"
	[ -z "${NO_INJECT:-}" ] || inject=""
	# RUN_WRAP=vg: crbench under valgrind (tap.sh), its errors and leaks exit 99
	# shellcheck disable=SC2086
	${RUN_WRAP:-} "$CRBENCH" run --plan "$p" --results-dir "$TMP/results" $inject >"$TMP/out" 2>"$TMP/err"
	rc=$?
	sed 's/^/# /' "$TMP/err"
	[ -z "${RUN_WRAP:-}" ] || sed 's/^/# valgrind: /' "$TMP/vg.log"
	dir=$(run_dir "$1")
	is "$rc" 1 "$1: crbench run exits 1"
	is "$(guest_field "$dir" runc status)" "$2" "$1: the guest's status is $2"
	like "$(guest_field "$dir" runc reason)" "$3" "$1: the reason says what happened"
	ok "$([ "$(kept_entries "$dir" runc)" -ge "$4" ]; echo $?)" "$1: the steps finished before it are kept, whole ($4 or more)"
	ok "$([ -s "$dir/runc/console.log" ]; echo $?)" "$1: the console log is kept"
	is "$(left "$(basename "$dir")")" "0 domains, 0 cache directories" "$1: no domain, overlay or disk left"
	summary "$1" "$dir" runc
}


# signal_fault NAME SIGNAL: crbench run gets SIGNAL (INT or TERM) after the
# guest finished two steps: the guest is destroyed, its finished steps are
# harvested, each a whole entry, run.json says interrupted, the console log
# is kept, crbench exits 128 + the signal's number and its guest line says
# interrupted. Seven tests.
signal_fault() {
	p=$(fault_plan "$1")
	signal_after "$2" "$TMP/out" "$TMP/err" ': ok in ' 600 '\[2/[0-9]+\] [a-z-]+: ok in ' 300 \
		"$CRBENCH" run --plan "$p" --results-dir "$TMP/results"
	dir=$(run_dir "$1")
	case $2 in INT) n=2 ;; TERM) n=15 ;; esac
	is "$rc" $((128 + n)) "$1: crbench run exits 128 + SIG$2"
	is "$(guest_field "$dir" runc status)" interrupted "$1: the guest is recorded as interrupted"
	like "$(guest_field "$dir" runc reason)" "SIG$2" "$1: the reason names the signal"
	python3 - "$dir" >"$TMP/check" 2>&1 <<'EOT'
import glob, json, os, sys
run = json.load(open(os.path.join(sys.argv[1], "run.json")))
g = run["guests"][0]
done = [json.load(open(e)) for e in sorted(glob.glob(os.path.join(sys.argv[1], "runc", "results", "[0-9][0-9][0-9][0-9]-*.json")))]
print("run", run["status"], "; entries", [(d["step"], d["status"]) for d in done], "of", g["steps_planned"])
sys.exit(0 if run["status"] == "interrupted" and 2 <= len(done) < g["steps_planned"] and all(d["status"] == "ok" for d in done) else 1)
EOT
	st=$?
	sed 's/^/# /' "$TMP/check"
	ok $st "$1: run.json says interrupted; the steps finished (two or more, not all) are kept, each whole and ok"
	ok "$([ -s "$dir/runc/console.log" ]; echo $?)" "$1: the console log is kept"
	like "$(cat "$TMP/err")" "runc: interrupted" "$1: the guest's line says interrupted"
	is "$(left "$(basename "$dir")")" "0 domains, 0 cache directories" "$1: no domain, overlay or disk left"
	summary "$1" "$dir" runc
}
