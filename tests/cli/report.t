#!/bin/sh
# crbench report on the fixture runs (tests/data/runs/): every table and figure, numbers recomputed
# independently from the raw entries (report-check.py), a degraded run reported in full, the HTML in Chromium.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/report-check.sh"
plan 60

run "$CRBENCH" report --help
is "$rc" 0 "--help exits 0"
like "$out" '^usage: crbench report \[--out DIR\] RUN_DIR' "--help prints the usage"
run "$CRBENCH" report
is "$rc" 2 "no RUN_DIR is a usage error"
like "$err" "missing RUN_DIR" "and says so"
mkdir "$TMP/empty"
run "$CRBENCH" report "$TMP/empty"
is "$rc" 1 "a directory without run.json fails"
like "$err" "cannot read run manifest '$TMP/empty/run.json': No such file" "naming the file"
printf '{"guests": [}\n' >"$TMP/empty/run.json"
run "$CRBENCH" report "$TMP/empty"
like "$err" "cannot read run manifest '$TMP/empty/run.json': line 1" "a malformed run.json is named with its line"

# the complete run: two guests, runc and runsc
run "$CRBENCH" report --out "$TMP/c" "$RUNS/complete"
is "$rc" 0 "a complete run is reported"
missing=""
for f in report.md report.html report.json boot.csv disk.csv cpu.csv memory.csv net-io.csv net-bandwidth.csv net-latency.csv; do
	[ -s "$TMP/c/$f" ] || missing="$missing $f"
done
is "$missing" "" "every table has its CSV, and the Markdown, HTML and JSON are there"
if command -v gnuplot >/dev/null 2>&1; then
	missing=""
	for f in fig-boot fig-net-bandwidth-idle fig-net-latency-idle fig-net-bandwidth-stress fig-net-latency-stress; do
		for ext in svg png gp dat; do [ -s "$TMP/c/$f.$ext" ] || missing="$missing $f.$ext"; done
	done
	is "$missing" "" "every figure is drawn as SVG and PNG, its script and data beside"
	check png "$TMP/c/fig-net-bandwidth-idle.png"
	ok $? "the bandwidth figure is not blank and has bars"
else
	skip "gnuplot is not installed"
	skip "gnuplot is not installed"
fi
# papers_check RUN OUT LABEL: the seven tables, every cell, ratio and claim recomputed (four tests)
papers_check() {
	headings=$(grep -c -E '^## (Container boot time \(Kumar & Thangaraju 2020, Table I\)|Disk IO \(Bonnie\+\+\) \(.*Table II\)|CPU times \(.*Table III\)|Memory \(.*Table IV\)|Network IO counters \(.*Table V\)|Network bandwidth \(Cochak & Miers 2021, Figures 3a \(idle\) and 4a \(stress-ng\)\)|Network latency \(Cochak & Miers 2021, Figures 3b \(idle\) and 4b \(stress-ng\)\))$' "$2/report.md")
	is "$headings" 7 "report.md has the seven tables in the papers' shapes ($3)"
	check stats "$1" "$2"
	ok $? "every cell of report.json and the CSVs matches statistics recomputed from the raw entries ($3)"
	check ratios "$1" "$2"
	ok $? "every ratio to runc and its interval match an independent computation ($3)"
	check claims "$1" "$2"
	ok $? "every claim's ratio, exact rank-test p (enumerated) and verdict match ($3)"
}
papers_check "$RUNS/complete" "$TMP/c" "the complete fixture run"
like "$(grep -A2 '^| httpd: create to first HTTP 200 (s) | runc ' "$TMP/c/report.md")" '\| baseline \| 0\.633 \| 1\.116 \|' \
	"the paper's 0.633 s stands beside our runc boot time, with ours / paper"
like "$(grep '^| block output (K/s) | runc ' "$TMP/c/report.md")" '\| 1549371 \| 0\.611 \|' "and the paper's Bonnie++ block output"
like "$(grep -A1 '^| httpd: create to first HTTP 200 (s) | runc ' "$TMP/c/report.md" | tail -1)" '^\|  \| runsc \| 5 .*\| 1\.754 \[1\.610, 1\.912\] \| 3\.707 \(kata\) \| 0\.335, not comparable: runsc is not Kata \|' \
	"runsc stands where the paper had Kata: Kata's number beside it, marked not comparable, and its ratio to runc"
like "$(cat "$TMP/c/report.md")" '24 warm-up entries excluded' "the warm-ups excluded are counted"
like "$(head -20 "$TMP/c/report.md")" '\| host CPU \| Intel\(R\) Xeon\(R\) E-2288G' "the run's environment heads the report"

# the degraded run: kata cannot do host networking and its Bonnie++ failed, runsc panicked, crun never ran
run "$CRBENCH" report --out "$TMP/d" "$RUNS/degraded"
is "$rc" 0 "a degraded run is still reported"
like "$err" "note: guest 'runsc' failed: the guest kernel panicked" "and the command says what is missing"
check stats "$RUNS/degraded" "$TMP/d"
ok $? "its cells match the raw entries too, status included"
md=$(cat "$TMP/d/report.md")
like "$md" "\| kata \| 0 \| .*\| not supported: Kata Containers cannot use the host's network namespace" "an unsupported cell says so and why"
like "$md" "\| kata \| 0 \| .*\| 1103322 \| — \| failed in 3 of 3 rounds: bonnie\+\+ exited with 1" "a failed test says so, with the paper number still beside"
like "$md" "\| runsc \| 0 \| .*\| guest 'runsc' failed: the guest kernel panicked \(see console.log\)" "a guest without results says why"
n_bonnie=$(grep -c '| kata | 0 | .*| failed in 3 of 3 rounds: bonnie++ exited with 1' "$TMP/d/report.md")
n_above=$(sed -n '/^## Disk IO/,/^## /p' "$TMP/d/report.md" | grep -c '| kata | 0 | .*| the same as above |')
ok "$([ "$n_above" -ge 5 ] && [ "$(sed -n '/^## Disk IO/,/^## /p' "$TMP/d/report.md" | grep -c 'bonnie++ exited')" = 1 ]; echo $?)" \
	"the failed step's reason is given once in its table, the guest's other rows say the same as above ($n_bonnie in all, $n_above)"
like "$md" "guest 'crun' did not run" "a guest that never ran too"
like "$md" "\| kata \| kata \| debian-12 \| .*\| Kata: shared_fs virtio-9p, default_vcpus 1, default_memory 1024 MiB \|" \
	"the guests table says how Kata's VMs were sized and how they share files"
like "$(cat "$TMP/c/report.md")" "\| runsc \| runsc \| debian-12 \| .*\| gVisor platform ptrace \|" "and which platform gVisor ran on"
like "$md" "\| runc \| 2 \| .*\| 1 of 3 rounds not measured: too fast to time" "a value Bonnie++ could not time is counted out"
like "$md" "\| kata \| 2 \| .*\| 3\.707 \| .*\| 1 of 3 rounds failed: the httpd container never answered" "partial failures keep the rest"

# runc, crun and a Kata guest that refused to measure (no /dev/kvm): N guests, ratios to runc, nothing pretended
run "$CRBENCH" report --out "$TMP/r" "$RUNS/runtimes"
is "$rc" 0 "a run of three runtimes is reported"
check stats "$RUNS/runtimes" "$TMP/r"
ok $? "its cells match the raw entries"
check ratio "$RUNS/runtimes" "$TMP/r" boot.httpd.first_200 crun
ok $? "crun's ratio to runc and its interval match an independent computation"
md=$(cat "$TMP/r/report.md")
like "$md" "\| kata \| kata \| debian-12 \| .*; nothing measured: Kata would not run a real nested VM: the guest has no /dev/kvm" \
	"the guests table says the Kata guest measured nothing, and why"
is "$(printf '%s\n' "$md" | grep -c '| kata | [1-9]')" 0 "no cell of it has a sample"
like "$md" "\|  \| kata \| 0 \| .*\| 3\.707 \| — \| the guest measured nothing: refused \(the guests table says why\)" \
	"its boot time is failed, pointing to the guests table, the paper's number beside it and no ratio"
is "$(printf '%s\n' "$md" | grep -c 'Kata would not run a real nested VM')" 1 "the refusal itself is said once, in the guests table"

# the default place, and no gnuplot
cp -R "$RUNS/complete" "$TMP/run"
run env PATH=/nonexistent "$CRBENCH" report "$TMP/run"
is "$rc" 0 "without gnuplot the report is still written, into RUN_DIR/report"
like "$(cat "$TMP/run/report/report.md")" "figure fig-boot skipped: gnuplot is not installed" "and says the figures were skipped"

# the HTML in headless Chromium: its figures load and show (two tests)
html_check() {
	if command -v chromium >/dev/null 2>&1 && command -v gnuplot >/dev/null 2>&1; then
		chrome() { timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$TMP/chrome" "$@" 2>/dev/null; }
		sed 's|</body>|<script>addEventListener("load", () => { const i = [...document.images]; document.body.dataset.images = i.length + " images, " + i.filter(x => x.complete \&\& x.naturalWidth > 0).length + " loaded"; });</script></body>|' \
			"$1/report.html" >"$1/check.html"
		like "$(chrome --virtual-time-budget=10000 --dump-dom "file://$1/check.html")" 'data-images="5 images, 5 loaded"' "Chromium loads the HTML's five figures ($2)"
		chrome --window-size=1400,16000 --screenshot="$TMP/shot.png" "file://$1/report.html" >/dev/null
		check png "$TMP/shot.png"
		ok $? "and its screenshot is not blank and shows a figure's bars ($2)"
	else
		skip "chromium or gnuplot is not installed (make check installs them)"
		skip "chromium or gnuplot is not installed (make check installs them)"
	fi
}
html_check "$TMP/c" "the complete fixture run"

# a real run, recorded: make run of the default plan on the project's machine under TCG (tests/data/runs/README.md)
run "$CRBENCH" report --out "$TMP/real" "$RUNS/tcg-default"
is "$rc" 0 "a real run is reported"
papers_check "$RUNS/tcg-default" "$TMP/real" "the real run"
like "$(grep -A1 '^| httpd: create to first HTTP 200 (s) | runc ' "$TMP/real/report.md")" '\| baseline \| 0\.633 \| [0-9.]+, not comparable: tcg guests, not hardware virtualization \|' \
	"the paper's runc boot time stands beside the measured one, not comparable under TCG"
like "$(sed -n '/^## Compared with the papers/,/^## /p' "$TMP/real/report.md" | tr '\n' ' ')" '\| runtimes compared \| runc and runsc \(not Kata\) \| runc and Kata Containers \|.*\| rounds per cell \| n = 1 to 5 .*\| 15 runs \|' \
	"the report says what differs from the papers: runsc is not Kata, n against the papers' 15"
html_check "$TMP/real" "the real run"
# the preflight's reason names the accelerator already ("tcg: no /dev/kvm"): said once
cp -R "$RUNS/complete" "$TMP/tcg-run"
python3 - "$TMP/tcg-run/run.json" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))
run["host"]["accel"] = run["accel"] = "tcg"
run["host"]["accel_reason"] = "tcg: no /dev/kvm (No such file or directory)"
json.dump(run, open(sys.argv[1], "w"))
EOF
"$CRBENCH" report --out "$TMP/tcg-rep" "$TMP/tcg-run" >/dev/null 2>&1
like "$(grep '^| accelerator | tcg' "$TMP/tcg-rep/report.md")" '^\| accelerator \| tcg: no /dev/kvm \(No such file or directory\) \| hardware' \
	"an accelerator whose reason names it is not named twice"
# guests on libvirt hosts that differ: a note naming the difference; the same host says nothing
cp -R "$RUNS/complete" "$TMP/hosts-run"
python3 - "$TMP/hosts-run/run.json" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))
for g in run["guests"]:
    g["host"] = dict(run["host"], uri="qemu:///system", remote=None, error=None, libvirt_host="a")
run["guests"][1]["host"].update(libvirt_host="b", cpu_model="Other CPU", memory_bytes=1 << 34)
json.dump(run, open(sys.argv[1], "w"))
EOF
"$CRBENCH" report --out "$TMP/hosts-rep" "$TMP/hosts-run" >/dev/null 2>&1
note=$(grep -c "^- guests 'runc' and '$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["guests"][1]["name"])' "$TMP/hosts-run/run.json")' ran on libvirt hosts 'a' and 'b', which differ: cpu_model .* and \"Other CPU\", memory_bytes [0-9]* and 17179869184; the ratios" "$TMP/hosts-rep/report.md")
is "$note" 1 "guests on hosts that differ: the report's note names the difference"
"$CRBENCH" report --out "$TMP/same-rep" "$TMP/run" >/dev/null 2>&1
is "$(grep -c 'ran on libvirt hosts' "$TMP/same-rep/report.md")" 0 "guests on one host: no such note"
diffs=""
for f in report.md boot.csv disk.csv cpu.csv memory.csv net-io.csv net-bandwidth.csv net-latency.csv; do
	cmp -s "$TMP/real/$f" "$SRCDIR/docs/example-report/$f" || diffs="$diffs $f"
done
is "$diffs" "" "docs/example-report is what crbench writes now for the recorded run (its README says how to remake it)"
like "$(cat "$TMP/real/report.md")" "guest 'runsc': the agent's API timing of a trivial container .* exceeded docker run's .* in 2 of 5 rounds" \
	"the rounds where the agent's API timing exceeded docker run's are counted, not hidden"
if command -v gnuplot >/dev/null 2>&1; then
	gp=$(cat "$TMP/real/fig-net-bandwidth-idle.gp")
	like "$gp" 'Figure 3a\).*logarithmic y axis' "idle bandwidth is the paper's Figure 3a, on a log axis (runsc's bars are 100 times lower)"
	like "$gp" '"overlay-overlay\\nn = 5, 5"' "each group's tick says n per guest"
	like "$(tr '\n' ' ' <"$TMP/real/fig-net-latency-stress.gp")" 'set yrange \[[0-9.e+-]+:[0-9.e+-]+\].*Figure 4b\).*none cut' \
		"latency under stress is Figure 4b, its range set to hold every error bar, and it says so"
else
	skip "gnuplot is not installed"
	skip "gnuplot is not installed"
	skip "gnuplot is not installed"
fi
finish
