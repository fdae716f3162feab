#!/bin/sh
# README's synopsis of every command names the options its --help does, no more and no less; and
# every option --help describes is in its usage line.
. "$(dirname "$0")/tap.sh"
commands="check plan build boot harvest run report compare cache"
plan 18

for c in $commands; do
	"$CRBENCH" "$c" --help >"$TMP/help" 2>&1
	# the usage block: from "usage:" to the first blank line
	usage=$(sed -n '1,/^$/p' "$TMP/help" | grep -o -E -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	# the options --help describes: indented lines starting with an option
	described=$(grep -E '^ +(-[a-z], )?--[a-z]' "$TMP/help" | grep -o -E -- '--[a-z][a-z-]*' | head -100 | sort -u | tr '\n' ' ')
	# README: the lines of the Commands block for this command, with their continuation lines
	readme=$(sed -n '/^## Commands/,/^## /p' "$SRCDIR/README.md" |
		awk -v c="crbench $c " 'index($0, c) == 1 { on = 1; print; next } /^ / && on { print; next } { on = 0 }' |
		sed 's/#.*//' | grep -o -E -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	is "$readme" "$usage" "README's synopsis of crbench $c has exactly the options of its --help"
	missing=""
	for o in $described; do
		case " $usage " in *" $o "*) ;; *) [ "$o" = --help ] || missing="$missing $o" ;; esac
	done
	is "$missing" "" "every option crbench $c --help describes is in its usage line"
done
finish
