#!/bin/sh
# crbench-agent's command line: help, version, plan check; and that it is static.
. "$(dirname "$0")/tap.sh"
AGENT=$(dirname "$CRBENCH")/crbench-agent
plan 6

run "$AGENT" --help
like "$out" '^usage: crbench-agent --payload DIR --results DISK' "--help prints the usage"
run "$AGENT" --version
like "$out" '^crbench-agent 0\.1\.0-' "--version"
run "$AGENT" --plan "$SRCDIR/images/plans/smoke.ini" --guest runsc --check
like "$out" "guest 'runsc' runs runtime runsc" "--check validates the plan and finds the guest"
run "$AGENT" --plan "$SRCDIR/images/plans/smoke.ini" --guest kata --check
is "$rc" 1 "an unknown guest is refused"
like "$err" "has no \[guest kata\]" "and named"
case "$(basename "$(dirname "$CRBENCH")")" in
build-san*) ok 0 "# SKIP sanitizer builds are not static" ;;
*)
	file "$AGENT" 2>/dev/null | grep -q 'statically linked' || ldd "$AGENT" 2>&1 | grep -q 'not a dynamic executable'
	ok $? "the agent is statically linked" ;;
esac
finish
