#!/bin/sh
# Builds the Debian package in a copy of the source tree and checks it with
# lintian: dpkg-buildpackage writes its results beside the tree it builds
# and cleans that tree first, so the working tree is never the one built.
#
# usage: ci/deb.sh OUTDIR   (make deb; leaves OUTDIR/crbench_<version>_amd64.deb)
# $CURL_STATIC: the agent's static libcurl.a (make deb builds it first).
# $CRBENCH_VERSION: the version the binaries print (git describe by default).
set -eu
out=$1
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree="$out/crbench-${version%-*}"

rm -rf "$out"
mkdir -p "$tree"
out=$(cd "$out" && pwd)
tree="$out/crbench-${version%-*}"
# the tracked and the new files (not the ignored ones, such as build/), as git sees them
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	: "${CRBENCH_VERSION:=$(git -C "$src" describe --tags --always --dirty)}"
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	(cd "$src" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$tree"
fi
export CRBENCH_VERSION="${CRBENCH_VERSION:-unknown}"

echo "  DEB     $out/crbench_${version}_amd64.deb (log: $out/build.log)"
(cd "$tree" && dpkg-buildpackage -us -uc -b -j2) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
}
# lintian: no error and no warning; what is accepted is in debian/crbench.lintian-overrides, with why
echo "  LINTIAN $out/crbench_${version}_amd64.deb"
lintian --fail-on error,warning --info "$out/crbench_${version}_amd64.deb" >"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	echo "deb: lintian found the problems above" >&2
	exit 1
}
cat "$out/lintian.log"
