#!/bin/sh
# mmdebstrap setup hook: add $CRBENCH_EXTRA_SUITES (space-separated) from the
# same mirror as the main suite, so the mirror stays whatever mmdebstrap chose
# (the user's --mirror, the host's apt mirror or the tool's default).
set -eu
root=$1
[ -n "${CRBENCH_EXTRA_SUITES:-}" ] || exit 0
list="$root/etc/apt/sources.list"
main=$(grep -m1 '^deb ' "$list") || { echo "extra-suites: no deb line in $list" >&2; exit 1; }
for s in $CRBENCH_EXTRA_SUITES; do
	# "deb [opts] URI SUITE COMPONENTS": replace the word after the URI
	printf '%s\n' "$main" | awk -v s="$s" '{
		i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
		$(i + 1) = s; print }' >>"$list"
done
cat "$list" >&2
