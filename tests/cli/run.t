#!/bin/sh
# crbench run's command line; the end-to-end run is tests/cli/e2e.t.
. "$(dirname "$0")/tap.sh"
plan 7

run "$CRBENCH" run --help
is "$rc" 0 "--help exits 0"
like "$out" '^usage: crbench run \[--plan FILE\]' "--help prints the usage"
run "$CRBENCH" run --bogus
is "$rc" 2 "an unknown option is a usage error"
like "$err" "unknown option '--bogus'" "and named"
run "$CRBENCH" run --accel fast
is "$rc" 2 "a bad --accel is a usage error"
printf '[run]\nseed = 1\n[suite]\nprofile = smoke\nbogus-key = 3\n' > "$TMP/bad.ini"
run "$CRBENCH" run --plan "$TMP/bad.ini" --results-dir "$TMP/results"
is "$rc" 1 "a bad plan is refused before anything is built"
like "$err" "bad.ini:5" "naming the file and line"
finish
