#!/bin/sh
# crbench-agent's command line: help, version, plan check; and that it is static.
. "$(dirname "$0")/tap.sh"
AGENT=$(dirname "$CRBENCH")/crbench-agent
plan 10

run "$AGENT" --help
like "$out" '^usage: crbench-agent --payload DIR --results DISK' "--help prints the usage"
run "$AGENT" --version
like "$out" '^crbench-agent 0\.1\.0-' "--version"
run "$AGENT" --plan "$SRCDIR/images/plans/smoke.ini" --guest runsc --check
like "$out" "guest 'runsc' runs runtime runsc" "--check validates the plan and finds the guest"
run "$AGENT" --plan "$SRCDIR/images/plans/smoke.ini" --guest kata --check
is "$rc" 1 "an unknown guest is refused"
like "$err" "has no \[guest kata\]" "and named"
# one payload disk for every guest of a run: the name comes from the kernel command line
tmp=$TMP/payload; mkdir "$tmp"
cp "$SRCDIR/images/plans/smoke.ini" "$tmp/plan.ini"
printf 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 crbench.guest=runsc quiet\n' > "$tmp/cmdline"
CRBENCH_AGENT_CMDLINE="$tmp/cmdline" run "$AGENT" --payload "$tmp" --check
like "$out" "guest 'runsc' runs runtime runsc" "the guest's name comes from crbench.guest= on the kernel command line"
printf 'runc\n' > "$tmp/guest"
CRBENCH_AGENT_CMDLINE="$tmp/cmdline" run "$AGENT" --payload "$tmp" --check
like "$out" "guest 'runc' runs runtime runc" "a payload's guest file wins over the command line"
rm "$tmp/guest"; printf 'quiet\n' > "$tmp/cmdline"
CRBENCH_AGENT_CMDLINE="$tmp/cmdline" run "$AGENT" --payload "$tmp" --check
is "$rc" 1 "no guest name anywhere is refused"
like "$err" "no crbench.guest= in '$tmp/cmdline'" "and says where it looked"
case "$(basename "$(dirname "$CRBENCH")")" in
build-san*) ok 0 "# SKIP sanitizer builds are not static" ;;
*)
	file "$AGENT" 2>/dev/null | grep -q 'statically linked' || ldd "$AGENT" 2>&1 | grep -q 'not a dynamic executable'
	ok $? "the agent is statically linked" ;;
esac
finish
