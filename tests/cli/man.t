#!/bin/sh
# The manual pages (man/*.scd): built with scdoc, rendered by groff without a warning, each
# command's SYNOPSIS and OPTIONS those of its --help, crbench-plan(5) the keys of docs/plan.md.
. "$(dirname "$0")/tap.sh"
MAN="$SRCDIR/man"
commands=$("$CRBENCH" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
n_commands=$(echo $commands | wc -w)
n_pages=$(ls "$MAN"/*.scd | wc -l)
for tool in scdoc groff; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool is missing (ci/deps.sh check installs it)"
		exit 0
	fi
done
plan $((3 + 3 * n_commands + n_pages + 5))

# names OPTION@ARG...: the options alone
names() {
	for w in "$@"; do printf '%s ' "${w%%@*}"; done
}
# section FILE NAME: the lines of the scdoc section "# NAME" of FILE, without its header
section() {
	awk -v h="# $2" '$0 == h { on = 1; next } /^# / { on = 0 } on' "$1"
}
# literal TEXT: the first literal block (``` ... ```) of TEXT
literal() {
	printf '%s\n' "$1" | awk '/^```/ { if (on) exit; on = 1; next } on'
}
# man_opts FILE: "--option@ARG" ("--option@" when it takes none) for each option of its OPTIONS
# section: the lines starting with *-x*, *--option* or *--option* followed by _ARG_
man_opts() {
	section "$1" OPTIONS | sed -n -E 's/^\*(-[a-zA-Z]\*, \*)?(--[a-z][a-z-]*)\*( _([A-Z][A-Z_]*)_)?.*/\2@\4/p'
}
# help_opts CMD: "--option@ARG" for each option line of crbench CMD --help, as man_opts
help_opts() {
	sed -n -E 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*)( ([A-Z][A-Z_]*))?([[:space:]].*)?$/\2@\4/p' "$TMP/help-$1"
}

mkdir -p "$TMP/man"
failed=""
for src in "$MAN"/*.scd; do
	page=$(basename "$src" .scd)
	scdoc <"$src" >"$TMP/man/$page" 2>"$TMP/scdoc.err" || failed="$failed $page ($(cat "$TMP/scdoc.err"))"
done
is "$failed" "" "scdoc builds every page of man/"

# The pages are UTF-8 (± is bounds file syntax): -k runs preconv, as man(1) does; -t runs tbl.
for page in $(cd "$TMP/man" && ls); do
	groff -k -t -ww -z -man -Tutf8 "$TMP/man/$page" >"$TMP/groff.err" 2>&1
	is "$(cat "$TMP/groff.err")" "" "groff renders $page without a warning"
done

# crbench(1)
"$CRBENCH" --help >"$TMP/help-crbench"
is "$(literal "$(section "$MAN/crbench.1.scd" SYNOPSIS)")" "$(sed -n 's/^usage: //p' "$TMP/help-crbench")" \
	"crbench(1)'s SYNOPSIS is crbench --help's usage"
listed=$(section "$MAN/crbench.1.scd" COMMANDS | sed -n 's/^\*\([a-z][a-z-]*\)\*$/\1/p')
set_diff "$listed" "$commands" "crbench(1) lists every command of crbench --help"
pages=""
for c in $commands; do
	[ -f "$MAN/crbench-$c.1.scd" ] || pages="$pages crbench-$c.1.scd"
done
is "$pages" "" "every command has its page"

for c in $commands; do
	src="$MAN/crbench-$c.1.scd"
	"$CRBENCH" "$c" --help >"$TMP/help-$c" 2>&1
	# the usage block, "usage: " and the indentation of its continuation lines taken off
	usage=$(sed -n '1,/^$/p' "$TMP/help-$c" | sed '/^$/d; s/^usage: //; s/^       //')
	is "$(literal "$(section "$src" SYNOPSIS)")" "$usage" "crbench-$c(1)'s SYNOPSIS is its --help's, line for line"
	man_o=$(man_opts "$src")
	help_o=$(help_opts "$c")
	# every option of the usage lines too (synopsis.t checks those against the option lines)
	help_long="$(names $help_o) $(sed -n '1,/^$/p' "$TMP/help-$c" | grep -o -E -- '--[a-z][a-z-]*')"
	set_diff "$(names $man_o)" "$help_long" \
		"crbench-$c(1)'s OPTIONS has every long option of crbench $c --help and no other"
	# "--accel MODE" in --help is "*--accel* _MODE_" in the page
	set_diff "$man_o" "$help_o" "crbench-$c(1)'s options take the arguments --help names (as OPTION@ARG)"
done

# crbench-plan(5) against docs/plan.md: the keys of each section's table, the tests, the profiles
plan5="$MAN/crbench-plan.5.scd"
bad=""
for s in run suite "guest NAME"; do
	# docs: the first column of the first table under "## `[s]`"; the page: "*key* = ..." under "## [s]"
	doc_keys=$(awk -v h="## \`[$s]\`" '$0 == h { on = 1; next } /^#/ { on = 0 } on && /^\|/ { t = 1; print; next } t { exit }' "$SRCDIR/docs/plan.md" |
		sed -n 's/^| `\([a-z][a-z0-9-]*\)` |.*/\1/p')
	man_keys=$(awk -v h="## [$s]" '$0 == h { on = 1; next } /^#/ { on = 0 } on' "$plan5" |
		sed -n 's/^\*\([a-z][a-z0-9-]*\)\* = .*/\1/p')
	[ -n "$doc_keys" ] || bad="$bad [$s]: no keys found in docs/plan.md;"
	printf '%s\n' $doc_keys | sort -u >"$TMP/doc-keys"
	printf '%s\n' $man_keys | sort -u >"$TMP/man-keys"
	missing=$(comm -23 "$TMP/doc-keys" "$TMP/man-keys" | tr '\n' ' ')
	extra=$(comm -13 "$TMP/doc-keys" "$TMP/man-keys" | tr '\n' ' ')
	[ -z "$missing" ] || bad="$bad [$s] lacks $missing;"
	[ -z "$extra" ] || bad="$bad [$s] has $extra not in docs/plan.md;"
done
is "$bad" "" "crbench-plan(5) has every key of docs/plan.md's [run], [suite] and [guest NAME], and no other"
doc_tests=$(sed -n '/^The tests:/,/^Profiles:/s/^| `\([a-z-]*\)` |.*/\1/p' "$SRCDIR/docs/plan.md")
set_diff "$(section "$plan5" TESTS | sed -n 's/^\*\([a-z-]*\)\*$/\1/p')" "$doc_tests" \
	"crbench-plan(5)'s TESTS are those of docs/plan.md"
# profiles as "profile:key=value": docs/plan.md has a profile a row, the page a key a row
doc_profiles=$(sed -n '/^Profiles:/,/^## /p' "$SRCDIR/docs/plan.md" | awk -F'|' '
	/^\| profile/ { for (i = 3; i < NF; i++) { k[i] = $i; gsub(/ /, "", k[i]) } next }
	/^\| `/ { p = $2; gsub(/[ `]/, "", p); for (i = 3; i < NF; i++) { v = $i; gsub(/ /, "", v); print p ":" k[i] "=" v } }')
# (scdoc: a row starts "|", the first "[[", a cell ":"; each followed by an alignment character)
man_profiles=$(section "$plan5" PROFILES | awk '
	function text(s) { s = substr(s, 3); gsub(/^ +|\*/, "", s); return s }
	/^\[\[/ || /^\|/ { row++; col = 0; cell[row, col] = text($0); next }
	/^:/ { col++; cell[row, col] = text($0); ncol = col }
	END { for (r = 2; r <= row; r++) for (c = 1; c <= ncol; c++) print cell[1, c] ":" cell[r, 0] "=" cell[r, c] }')
[ -n "$doc_profiles" ] || doc_profiles="none-found-in-docs/plan.md"
set_diff "$man_profiles" "$doc_profiles" "crbench-plan(5)'s PROFILES table is docs/plan.md's (as profile:key=value)"

# crbench-recipe(5) against docs/images.md: the keys of "## Recipe format"'s table, each with its kinds
doc_keys=$(sed -n '/^## Recipe format/,/^## /s/^| `\([a-z-]*\)` | \([a-z]*\) |.*/\1@\2/p' "$SRCDIR/docs/images.md")
[ -n "$doc_keys" ] || doc_keys="none-found-in-docs/images.md"
set_diff "$(section "$MAN/crbench-recipe.5.scd" KEYS | sed -n 's/^\*\([a-z-]*\)\* (\([a-z]*\))$/\1@\2/p')" "$doc_keys" \
	"crbench-recipe(5)'s KEYS are docs/images.md's recipe keys, with the same kinds (as key@kinds)"
finish
