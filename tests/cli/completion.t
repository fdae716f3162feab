#!/bin/sh
# completion/crbench.bash driven by bash as completion would: commands, options, their values, and
# each command's option list against its --help.
. "$(dirname "$0")/tap.sh"
SRCDIR=$(cd "$SRCDIR" && pwd)
COMPLETION="$SRCDIR/completion/crbench.bash"
commands=$("$CRBENCH" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
n_commands=$(echo $commands | wc -w)
plan $((14 + n_commands))

if ! command -v bash >/dev/null; then
	for _ in $(seq $((14 + n_commands))); do skip "no bash"; done
	finish
fi

# comp WORD...: what the completion offers for the last WORD, one a line, sorted
comp() {
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_crbench
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' comp "$COMPLETION" "$@" | sort
}
# lines WORD...: the words one a line, sorted (what comp prints)
lines() {
	[ $# -eq 0 ] || printf '%s\n' "$@" | sort
}
# help_opts CMD: the long options of crbench CMD --help (its usage lines and its option lines), one
# a line, sorted; "=" after those that take a value (a word after them: [--image NAME], --out DIR)
help_opts() {
	if [ ! -f "$TMP/opts-$1" ]; then
		"$CRBENCH" "$1" --help >"$TMP/help" 2>&1
		{
			sed -n '1,/^$/p' "$TMP/help" | grep -o -E -- '--[a-z][a-z-]*( [^]| -][^] ]*)?'
			sed -n -E 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*)( [][A-Z][][A-Z_=]*)?([[:space:]].*)?$/\2\3/p' "$TMP/help"
		} | sed 's/ .*/=/' | sort -u >"$TMP/opts-$1"
	fi
	cat "$TMP/opts-$1"
}

is "$(comp crbench '')" "$(lines $commands help)" "crbench TAB: every command of crbench --help, and help"
is "$(comp crbench --)" "$(lines --help --version)" "crbench --TAB: crbench's own options"
is "$(comp crbench help r)" "$(lines report run)" "crbench help rTAB: commands"
is "$(comp crbench run --pl)" "--plan" "crbench run --plTAB: --plan"

# the static lists against --help: names by what the completion offers, values by the lists' '=' marks
for c in $commands; do
	set_diff "$(comp crbench "$c" --)" "$(help_opts "$c" | sed 's/=$//')" "crbench $c --TAB: the long options of crbench $c --help"
done
bad=""
for c in $commands; do
	list=$(bash --norc --noprofile -c '. "$1"; v=_crbench_opts_$2; printf "%s\n" ${!v} | sort' x "$COMPLETION" "$c")
	[ "$list" = "$(help_opts "$c")" ] || bad="$bad $c: $(echo $list) against $(echo $(help_opts "$c"));"
done
is "$bad" "" "the options marked as taking a value (--opt=) are those --help shows with one, for every command"

# recipes: images/*.conf of the data directory
recipes=$(cd "$SRCDIR/images" && ls *.conf | sed 's/\.conf$//')
vm_recipes=$(cd "$SRCDIR/images" && grep -l -E '^[[:space:]]*kind[[:space:]]*[=:][[:space:]]*vm' *.conf | sed 's/\.conf$//')
is "$(CRBENCH_DATADIR=$SRCDIR comp crbench build --image deb) / $(CRBENCH_DATADIR=$SRCDIR comp crbench build --image=deb)" \
	"debian-12 / --image=debian-12" "crbench build --image debTAB: debian-12 (and --image=debTAB: --image=debian-12)"
is "$(CRBENCH_DATADIR=$SRCDIR comp crbench build --image '')" "$(lines $recipes)" \
	"crbench build --image TAB: every recipe ($(echo $recipes))"
is "$(CRBENCH_DATADIR=$SRCDIR comp crbench boot --image =)" "$(lines $vm_recipes)" \
	"crbench boot --image=TAB (split at =, as bash does): the guest recipes ($(echo $vm_recipes))"
if [ -d "$(dirname "$CRBENCH")/../images" ] && [ -d "$(dirname "$CRBENCH")/../builder" ]; then
	is "$(unset CRBENCH_DATADIR; comp "$CRBENCH" build --image = u)" "$(lines $(printf '%s\n' $recipes | grep '^u'))" \
		"without CRBENCH_DATADIR, the recipes of the source tree the binary was built in"
else
	skip "$CRBENCH is not in a source tree"
fi

# files and run directories, in a directory of their own
mkdir -p "$TMP/cwd/sub" "$TMP/cwd/results/r1" "$TMP/cwd/results/r2" "$TMP/cwd/results/not-a-run"
touch "$TMP/cwd/a.ini" "$TMP/cwd/b.txt" "$TMP/cwd/results/r1/run.json" "$TMP/cwd/results/r2/run.json"
here=$PWD
cd "$TMP/cwd" || exit 1
is "$(comp crbench check --plan '')" "$(lines a.ini results sub)" "crbench check --plan TAB: *.ini files and directories"
is "$(comp crbench plan '') / $(comp crbench plan a.ini '')" "$(lines a.ini results sub) / " \
	"crbench plan TAB: *.ini files and directories, for its one FILE"
is "$(comp crbench report '') / $(comp crbench report s) / $(comp crbench report --out o results/r1 '')" \
	"$(lines results/r1 results/r2) / sub / $(lines results/r1 results/r2)" \
	"crbench report TAB: the run directories under ./results (more after the first, to pool); other directories when none matches"
is "$(comp crbench compare results/r1 '') / $(comp crbench compare --all --bounds b.txt results/r1 results/r2 '')" \
	"$(lines results/r1 results/r2) / " "crbench compare: run directories for RUN_A and RUN_B, then none"
cd "$here" || exit 1

# values crbench names in its messages
accels=$("$CRBENCH" check --accel bogus --help 2>&1 | sed -n 's/.*for --accel: expected //p' | sed 's/, / /g; s/ or / /')
faults=$("$CRBENCH" run --inject-fault bogus --help 2>&1 | sed -n 's/.*for --inject-fault: //p' | sed 's/, / /g; s/ or / /')
is "$(comp crbench boot --accel '') / $(comp crbench run --inject-fault '')" "$(lines $accels) / $(lines $faults)" \
	"--accel and --inject-fault: the values crbench accepts ($(echo $accels); $(echo $faults))"
finish
