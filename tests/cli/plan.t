#!/bin/sh
# crbench plan: golden output for the shipped plans, file:line errors for bad ones.
. "$(dirname "$0")/tap.sh"
plan 14

run "$CRBENCH" plan "$SRCDIR/images/plans/smoke.ini"
is "$rc" 0 "the smoke plan is valid"
printf '%s\n' "$out" | sed 1d >"$TMP/smoke.resolved"
cmp -s "$TMP/smoke.resolved" "$SRCDIR/tests/data/plans/smoke.resolved"
ok $? "its resolved form matches tests/data/plans/smoke.resolved"

# the resolved form is itself a plan that resolves to itself
run "$CRBENCH" plan "$TMP/smoke.resolved"
printf '%s\n' "$out" | sed 1d >"$TMP/again"
cmp -s "$TMP/smoke.resolved" "$TMP/again"
ok $? "the resolved plan resolves to itself"

run "$CRBENCH" plan --json "$SRCDIR/images/plans/default.ini"
like "$out" '"profile": "standard"' "--json resolves the profile"

for f in unknown-key:7:"unknown key 'bonie-size' in \[suite\]: expected one of profile," \
	bad-value:7:"bad value '4 gigs' for 'memory': expected a size from 512M to 4T, such as 4G" \
	no-suite:6:"missing section \[suite\]"; do
	name=${f%%:*}
	rest=${f#*:}
	line=${rest%%:*}
	msg=${rest#*:}
	run "$CRBENCH" plan "$SRCDIR/tests/data/plans/$name.ini"
	is "$rc" 1 "$name.ini is refused"
	like "$err" "^crbench: .*/tests/data/plans/$name.ini:$line: $msg" "$name.ini: the error names file, line 6/7 and what is expected"
done

# a value whose resolved line ("key = value") would be longer than a plan line may be is refused where it is
# written: before, the resolved plan of such a file could not be read back (found by fuzz-plan)
long=$(printf '%0181d' 0)
printf '[suite]\nprofile = smoke\n[guest k]\nimage = ubuntu-18.04\nruntime = kata\nkata-tarball=/k%s\n' "$long" >"$TMP/long.ini"
run "$CRBENCH" plan "$TMP/long.ini"
is "$rc" 1 "a plan with a value too long for its resolved line is refused"
like "$err" "^crbench: $TMP/long.ini:6: value of 'kata-tarball' too long: at most 182 characters, so that 'kata-tarball = VALUE' fits a line" \
	"naming file, line, key and the limit"
printf '[suite]\nprofile = smoke\n[guest k]\nimage = ubuntu-18.04\nruntime = kata\nkata-tarball=/k%s\n' "${long%?}" >"$TMP/fits.ini"
"$CRBENCH" plan "$TMP/fits.ini" >"$TMP/fits.resolved" 2>&1 && "$CRBENCH" plan "$TMP/fits.resolved" >/dev/null 2>&1
ok $? "one of the longest values accepted resolves to a plan that reads back"

run "$CRBENCH" plan
is "$rc" 2 "a missing FILE is a usage error"
finish
