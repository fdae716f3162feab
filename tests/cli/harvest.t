#!/bin/sh
# crbench harvest against disks made by GNU tar (an independent writer), good and hostile.
set -u
: "${CRBENCH:?set CRBENCH to the crbench binary}"
: "${SRCDIR:=.}"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$tmp/log" 2>/dev/null; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }

if ! command -v tar >/dev/null 2>&1 || ! command -v sha256sum >/dev/null 2>&1 || ! command -v mkfifo >/dev/null 2>&1; then
	echo "1..0 # SKIP needs tar, sha256sum and mkfifo"
	exit 0
fi
echo "1..14"
tmp=$(mktemp -d /tmp/crbench-harvest-t.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# A results disk as the agent would leave it, but written by GNU tar: entries,
# then MANIFEST.json last, padded with zeros to a raw disk size.
mkdir -p "$tmp/src/crbench-results"
printf '{"kernel": "6.1.0"}\n' >"$tmp/src/crbench-results/environment.json"
printf '{"seconds": 0.633}\n' >"$tmp/src/crbench-results/0001-boot-httpd.json"
manifest() {
	first=1
	printf '{"format": "crbench-results", "version": 1, "entries": ['
	for f in "$@"; do
		size=$(wc -c <"$tmp/src/crbench-results/$f")
		sum=$(sha256sum "$tmp/src/crbench-results/$f" | cut -d' ' -f1)
		[ $first = 1 ] || printf ', '
		first=0
		printf '{"name": "%s", "size": %s, "sha256": "%s"}' "$f" "$size" "$sum"
	done
	printf ']}\n'
}
manifest environment.json 0001-boot-httpd.json >"$tmp/src/crbench-results/MANIFEST.json"
mktar() { out=$1; shift; (cd "$tmp/src" && tar --format=ustar --no-recursion -cf "$out" "$@") && truncate -s 1M "$out"; }
mktar "$tmp/runc.img" crbench-results/environment.json crbench-results/0001-boot-httpd.json crbench-results/MANIFEST.json
mktar "$tmp/kata.img" crbench-results/environment.json crbench-results/0001-boot-httpd.json

check "--help prints the usage" sh -c '"$CRBENCH" harvest --help >"$0/log" && grep -q "usage: crbench harvest" "$0/log"' "$tmp"
check "no DISK is a usage error" sh -c '"$CRBENCH" harvest 2>"$0/log"; [ $? = 2 ] && grep -q "missing DISK" "$0/log"' "$tmp"
check "a missing disk fails with its name" sh -c '"$CRBENCH" harvest --out "$0/o0" "$0/nope.img" 2>"$0/log"; [ $? = 1 ] && grep -q "cannot open results disk .*nope.img" "$0/log"' "$tmp"

"$CRBENCH" harvest --out "$tmp/o1" "$tmp/runc.img" >"$tmp/log" 2>&1
check "a complete disk exits 0" test $? = 0
check "a complete disk is verified" grep -q "runc.img: verified: 2 entries kept in '$tmp/o1/runc', 2 verified, 0 refused" "$tmp/log"
check "entries are kept byte for byte" cmp -s "$tmp/o1/runc/0001-boot-httpd.json" "$tmp/src/crbench-results/0001-boot-httpd.json"

"$CRBENCH" harvest --out "$tmp/o2" "$tmp/kata.img" >"$tmp/log" 2>&1
check "a disk without manifest exits 3" test $? = 3
check "and is reported incomplete" grep -q "kata.img: incomplete: 2 entries kept.*0 verified.*no MANIFEST.json" "$tmp/log"

# Hostile: a path outside the prefix, '..', an absolute path, a symlink, a fifo.
mkdir -p "$tmp/src/other" "$tmp/src/x"
printf 'evil\n' >"$tmp/src/other/evil.json"
ln -s /etc/passwd "$tmp/src/crbench-results/link.json"
mkfifo "$tmp/src/crbench-results/pipe"
(cd "$tmp/src/x" && tar --format=ustar --no-recursion -P -cf "$tmp/evil.img" \
	../crbench-results/0001-boot-httpd.json ../other/evil.json /etc/hostname \
	-C .. crbench-results/link.json crbench-results/pipe crbench-results/environment.json) 2>"$tmp/log"
truncate -s 1M "$tmp/evil.img"
mkdir "$tmp/o3"
before=$(ls -a "$tmp" | tr '\n' ' ')
"$CRBENCH" harvest --out "$tmp/o3" "$tmp/evil.img" >"$tmp/log" 2>&1
check "a hostile disk exits 1" test $? = 1
check "each refusal has its reason" sh -c 'grep -q "entry .../crbench-results/0001-boot-httpd.json.: refused: .\.\.. in the path" "$0" &&
	grep -q "entry .../other/evil.json.: refused: .\.\.. in the path" "$0" &&
	grep -q "entry ./etc/hostname.: refused: absolute path" "$0" &&
	grep -q "entry .crbench-results/link.json.: refused: a symbolic link" "$0" &&
	grep -q "entry .crbench-results/pipe.: refused: a fifo" "$0"' "$tmp/log"
check "acceptable entries are still kept" sh -c 'ls "$0/o3/evil" | tr "\n" " " | grep -qx "environment.json "' "$tmp"
check "nothing lands outside the output directory" test "$(ls -a "$tmp" | tr '\n' ' ')" = "$before"

"$CRBENCH" harvest --json --out "$tmp/o4" "$tmp/runc.img" "$tmp/kata.img" >"$tmp/log" 2>&1
check "--json reports each disk" sh -c 'grep -q "\"status\": \"incomplete\"" "$0" && grep -q "\"status\": \"verified\"" "$0" && grep -q "\"manifest\": \"missing\"" "$0"' "$tmp/log"
"$CRBENCH" harvest --out "$tmp/o4" "$tmp/runc.img" >"$tmp/log" 2>&1
rc=$?
check "harvesting twice into the same directory is refused" sh -c '[ "$1" = 1 ] && grep -q "crbench: cannot harvest results disk .*runc.img.: cannot harvest into .*o4/runc.: the directory is not empty" "$0"' "$tmp/log" "$rc"

[ $failed = 0 ]
