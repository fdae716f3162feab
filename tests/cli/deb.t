#!/bin/sh
# The Debian package (make deb: debian/, ci/deb.sh): built with dpkg-buildpackage, lintian
# clean, holding what an installed crbench needs, its Depends those of a run (ci/deps.sh);
# then installed on this machine, used from outside the source tree, and purged.
. "$(dirname "$0")/tap.sh"
SRCDIR=$(cd "$SRCDIR" && pwd)
N_INSTALLED=9

case "$(basename "${BUILDDIR:-build}")" in
build-san*)
	echo "1..0 # SKIP the package is built without sanitizers (make check builds it)"
	exit 0
	;;
esac
for tool in dpkg-buildpackage dh lintian; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool is missing (ci/deps.sh check installs it)"
		exit 0
	fi
done
curl_static="$BUILDDIR/curl/lib/libcurl.a"
if [ ! -f "$curl_static" ]; then
	echo "1..0 # SKIP no static libcurl at $curl_static (make check-build makes it)"
	exit 0
fi
plan $((4 + N_INSTALLED))

CURL_STATIC=$curl_static sh "$SRCDIR/ci/deb.sh" "$TMP/deb" >"$TMP/deb.out" 2>&1
rc=$?
version=$(dpkg-parsechangelog -l "$SRCDIR/debian/changelog" -S Version)
deb="$TMP/deb/crbench_${version}_amd64.deb"
is "$rc $([ -f "$deb" ] && echo built)" "0 built" "dpkg-buildpackage builds $(basename "$deb") and lintian finds no error or warning"
[ "$rc" = 0 ] || sed 's/^/#   /' "$TMP/deb.out" | tail -30

dpkg-deb -c "$deb" 2>/dev/null | awk '{ print $6 }' | sed 's|^\./|/|' >"$TMP/contents"
missing=""
for f in /usr/bin/crbench /usr/libexec/crbench/crbench-agent /usr/share/crbench/images/debian-12.conf \
	/usr/share/crbench/images/ubuntu-18.04.conf /usr/share/crbench/builder/hooks/vm-customize.sh \
	/usr/share/crbench/builder/rootfs/usr/local/libexec/crbench/agent-launch /usr/share/crbench/plans \
	/usr/share/crbench/images/plans/smoke.ini /usr/share/bash-completion/completions/crbench \
	/usr/share/doc/crbench/copyright /usr/share/doc/crbench/docs/plan.md /usr/share/doc/crbench/docs/schema/run.json; do
	grep -qx -- "$f" "$TMP/contents" || missing="$missing $f"
done
for src in "$SRCDIR"/man/*.scd; do
	page=$(basename "$src" .scd)
	grep -qx -- "/usr/share/man/man${page##*.}/$page.gz" "$TMP/contents" || missing="$missing $page"
done
is "$missing" "" "the package has crbench, the agent, recipes, plans, hooks, every manual page, completion and docs"

# Depends or Recommends: every package a run installs (ci/deps.sh run_pkgs, less the build's)
run_pkgs=$(sed -n '/^run_pkgs="/,/"$/p' "$SRCDIR/ci/deps.sh" | tr -d '"' | sed 's/^run_pkgs=//')
relations=$(dpkg-deb -f "$deb" Depends Recommends 2>/dev/null | sed 's/^[A-Za-z]*: //' | tr ',' '\n' | sed 's/^ *//; s/ .*//')
missing=""
for p in $run_pkgs; do
	printf '%s\n' "$relations" | grep -qx -- "$p" || missing="$missing $p"
done
is "$missing" "" "its Depends and Recommends name every package ci/deps.sh installs for a run"
like "$(dpkg-deb -f "$deb" Description 2>/dev/null)" "container runtime research" "its description says what it is for"

# Installed for real, then purged: not over a crbench package somebody installed here.
if dpkg-query -W -f='${db:Status-Status}' crbench 2>/dev/null | grep -q installed; then
	for _ in $(seq $N_INSTALLED); do skip "a crbench package is installed on this machine: not replaced"; done
	finish
fi
if [ "$(id -u)" != 0 ] || [ ! -f "$deb" ]; then
	for _ in $(seq $N_INSTALLED); do skip "installing needs root and the package"; done
	finish
fi
at_exit 'dpkg --purge crbench >/dev/null 2>&1'
run dpkg -i "$deb"
is "$rc" 0 "dpkg -i installs it (its Depends are met here)"
[ "$rc" = 0 ] || printf '%s\n' "$err" | tail -5 | sed 's/^/#   /'
cd "$TMP"
run /usr/bin/crbench --version
like "$out" "^crbench 0\.1\.0-" "the installed crbench runs: $out"
version_line=$out
run /usr/libexec/crbench/crbench-agent --version
is "$out" "$(printf '%s\n' "$version_line" | sed 's/^crbench /crbench-agent /')" "the installed agent is the same version"
# check --json --plan: the shipped plan and the installed recipes are found; the document is valid
# against the installed schema
/usr/bin/crbench check --json --plan /usr/share/crbench/plans/smoke.ini >"$TMP/check.json" 2>"$TMP/check.err"
items=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(" ".join(i["name"] + "=" + i["status"] for i in d["items"] if i["name"] in ("plan", "runtimes")))' "$TMP/check.json" 2>&1)
is "$items" "plan=PASS runtimes=PASS" "the installed crbench check --json --plan reads the installed plan and recipes"
run python3 "$SRCDIR/tests/cli/schema-check.py" --schemas /usr/share/doc/crbench/docs/schema check "$TMP/check.json"
is "$rc" 0 "its check --json is valid against the installed schema"
[ "$rc" = 0 ] || printf '%s\n' "$out" | head -5 | sed 's/^/#   /'
run /usr/bin/crbench plan /usr/share/crbench/plans/smoke.ini
like "$rc $(printf '%s\n' "$out" | grep -c '^\[guest ')" "^0 2$" "crbench plan /usr/share/crbench/plans/smoke.ini resolves the shipped plan"
is "$(man -w crbench-recipe 2>/dev/null) $(man -w 1 crbench-run 2>/dev/null)" \
	"/usr/share/man/man5/crbench-recipe.5.gz /usr/share/man/man1/crbench-run.1.gz" "man finds the installed pages"
images=$(bash --norc --noprofile -c '
	. /usr/share/bash-completion/completions/crbench || exit 1
	COMP_WORDS=(crbench build --image ""); COMP_CWORD=3; COMP_LINE="crbench build --image "; COMP_POINT=${#COMP_LINE}
	_crbench; printf "%s\n" "${COMPREPLY[@]}"' 2>&1 | sort | tr '\n' ' ')
is "$images" "bench debian-12 httpd ubuntu-18.04 " "the installed completion offers the installed recipes as image names"
dpkg --purge crbench >/dev/null 2>&1
is "$(ls /usr/bin/crbench /usr/share/crbench /usr/libexec/crbench 2>/dev/null)" "" "dpkg --purge removes it all"
finish
