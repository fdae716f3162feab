#!/bin/sh
# The command line: --help, --version, the command table, usage errors.
. "$(dirname "$0")/tap.sh"
plan 13

run "$CRBENCH" --help
is "$rc" 0 "--help exits 0"
like "$out" '^usage: crbench \[--version\] \[--help\] <command>' "--help prints the usage"
like "$out" '^  check +check that this host' "--help lists check"
like "$out" '^  plan +validate a plan file' "--help lists plan"

run "$CRBENCH" --version
like "$out" '^crbench 0\.1\.0-' "--version prints the version"

run "$CRBENCH"
is "$rc" 2 "no command is a usage error"

run "$CRBENCH" frobnicate
is "$rc" 2 "an unknown command exits 2"
is "$err" "crbench: 'frobnicate' is not a crbench command. See 'crbench --help'." "and says so"

for cmd in check plan; do
	run "$CRBENCH" "$cmd" --help
	like "$out" "^usage: crbench $cmd" "$cmd --help prints its usage"
	help1=$out
	run "$CRBENCH" help "$cmd"
	is "$out" "$help1" "'help $cmd' is '$cmd --help'"
done

run "$CRBENCH" check --frob
is "$rc" 2 "an unknown option exits 2"
finish
