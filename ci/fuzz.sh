#!/bin/sh
# Runs each libFuzzer target for SECONDS from its corpus
# (tests/fuzz/corpus/NAME, new inputs into BIN.new), JOBS targets at a
# time: each fuzzer is one process on one CPU, so a CPU per target gives
# each the same time it would get alone. A target that finds a crash
# prints its log's end; the script then fails, after every target ran.
#
# usage: ci/fuzz.sh SECONDS JOBS BIN...
set -eu
seconds=$1 jobs=$2
shift 2
[ $# -gt 0 ] || { echo "fuzz: no targets" >&2; exit 2; }
printf '%s\n' "$@" | xargs -d '\n' -P "$jobs" -I '{}' sh -c '
	bin=$1 seconds=$2 name=${1##*/}
	mkdir -p "$bin.new"
	if "$bin" -max_total_time="$seconds" -print_final_stats=0 "$bin.new" "tests/fuzz/corpus/${name#fuzz-}" 2>"$bin.log"; then
		echo "  FUZZ    $name ($seconds s): $(grep -E "^#[0-9]+.*DONE" "$bin.log" | tail -1)"
	else
		tail -40 "$bin.log"
		echo "  FUZZ    $name: FAILED (its log: $bin.log)"
		exit 1
	fi' fuzz '{}' "$seconds" || { echo "fuzz: a target failed (above)" >&2; exit 1; }
