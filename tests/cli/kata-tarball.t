#!/bin/sh
# contrib/kata-tarball.sh's refusals, before it builds anything: no arguments,
# a timeout that is not whole seconds, source trees that are not Kata's 1.12.1.
# (The build itself needs Kata's sources and Go: docs/kata-tarball.md.)
. "$(dirname "$0")/tap.sh"
plan 5
script=$SRCDIR/contrib/kata-tarball.sh

run sh "$script"
is "$rc" 2 "no arguments: exit 2"
like "$err" "usage: contrib/kata-tarball.sh \[--check-timeout SECONDS\] SRCDIR OUTDIR" "and the usage"
run sh "$script" --check-timeout 5m "$TMP/src" "$TMP/built"
like "$rc $err" "^2 kata-tarball: --check-timeout wants whole seconds, not '5m'" "a timeout with a unit is refused"
mkdir -p "$TMP/src/runtime" "$TMP/src/agent" "$TMP/src/shim" "$TMP/src/proxy"
for c in runtime agent shim proxy; do echo 1.12.1 >"$TMP/src/$c/VERSION"; done
echo 2.0.0 >"$TMP/src/shim/VERSION"
run sh "$script" "$TMP/src" "$TMP/built"
like "$rc $err" "^1 kata-tarball: $TMP/src/shim is not Kata's shim at 1.12.1 \(its VERSION file\)" "a tree of another version is refused, named"
is "$(ls -d "$TMP/built" 2>/dev/null)" "" "and nothing is built"
finish
