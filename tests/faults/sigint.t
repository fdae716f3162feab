#!/bin/sh
# Ctrl-C (SIGINT) to crbench run after the guest finished a step: the guest
# is destroyed, its finished steps are harvested, run.json says interrupted,
# and crbench exits 130. (tests/cli/e2e-interrupt.t does SIGTERM.)
. "$(dirname "$0")/lib.sh"
plan 5
p=$(fault_plan sigint)
"$CRBENCH" run --plan "$p" --results-dir "$TMP/results" >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_for "$TMP/err" ': ok in ' 600
kill -INT $pid
wait $pid
rc=$?
sed 's/^/# /' "$TMP/err"
dir=$(run_dir sigint)
is "$rc" 130 "sigint: crbench run exits 128 + SIGINT"
is "$(guest_field "$dir" runc status)" interrupted "sigint: the guest is recorded as interrupted"
like "$(guest_field "$dir" runc reason)" "SIGINT" "sigint: the reason names the signal"
ok "$([ "$(kept_entries "$dir" runc)" -ge 1 ]; echo $?)" "sigint: the finished steps are kept, whole"
is "$(left "$(basename "$dir")")" "0 domains, 0 cache directories" "sigint: no domain, overlay or disk left"
summary sigint "$dir" runc
finish
