#!/bin/sh
# Kata's tarball in the preflight and the builder: the shipped paper plan says
# exactly what to supply, a tarball whose checksum differs is refused. The
# tarball is a fake with the release's layout (no Kata can be downloaded here).
. "$(dirname "$0")/tap.sh"
plan 16

cache=$TMP/cache
export CRBENCH_CACHE_DIR=$cache
# the images' mirror is a local one that serves their suites: the preflight's probe of it takes no network
mkdir -p "$TMP/mirror/dists/bionic" "$TMP/mirror/dists/bookworm"
touch "$TMP/mirror/dists/bionic/Release" "$TMP/mirror/dists/bookworm/Release"
check() { run "$CRBENCH" check --accel tcg --connect test:///default --mirror "file://$TMP/mirror" --plan "$1"; }
kata_line() { printf '%s\n' "$out" | grep '^[A-Z]* kata: '; }

check "$SRCDIR/images/plans/paper.ini"
is "$rc" 1 "the paper plan without its Kata tarball fails the preflight"
line=$(kata_line)
like "$line" "^FAIL kata: \[guest kata\] kata-tarball \(.*/images/plans/paper.ini:[0-9]+\): no Kata Containers 1\.12\.1 tarball at '$cache/downloads/kata-static-1\.12\.1-x86_64\.tar\.xz'" \
	"the FAIL names the plan key with file and line, the version and where the file must be"
like "$line" "expected SHA-256: none given \(kata-sha256 is not set\)" "and that the plan gives no checksum"
like "$line" "fix: download kata-static-1\.12\.1-x86_64\.tar\.xz, the Kata Containers 1\.12\.1 static release \(https://github\.com/kata-containers/runtime/releases/download/1\.12\.1/kata-static-1\.12\.1-x86_64\.tar\.xz\)" \
	"the fix says what to download and from where"
like "$line" "set kata-sha256 = <its SHA-256> in \[guest kata\] of .*paper.ini" "and which key to set"
like "$out" "^PASS runtimes: every guest's image has its runtime: runc on ubuntu-18.04; kata on ubuntu-18.04 \(from its tarball\)" \
	"the runtimes item accepts Kata from its tarball"

# a fake release in the cache
mkdir -p "$TMP/rel/opt/kata/bin" "$TMP/rel/opt/kata/share/defaults/kata-containers" "$cache/downloads"
printf '#!/bin/sh\necho fake\n' >"$TMP/rel/opt/kata/bin/kata-runtime"
chmod 0755 "$TMP/rel/opt/kata/bin/kata-runtime"
echo '[hypervisor.qemu]' >"$TMP/rel/opt/kata/share/defaults/kata-containers/configuration-qemu.toml"
tarball=$cache/downloads/kata-static-1.12.1-x86_64.tar.xz
tar -C "$TMP/rel" -cJf "$tarball" ./opt
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
wrong=0000000000000000000000000000000000000000000000000000000000000000
mkdir -p "$TMP/plans"
sed "s/^# kata-sha256 = .*/kata-sha256 = $wrong/" "$SRCDIR/images/plans/paper.ini" >"$TMP/plans/wrong.ini"
sed "s/^# kata-sha256 = .*/kata-sha256 = $sha/" "$SRCDIR/images/plans/paper.ini" >"$TMP/plans/right.ini"

check "$SRCDIR/images/plans/paper.ini"
like "$(kata_line)" "^FAIL kata: .*'$tarball' has SHA-256 $sha, but the plan gives no kata-sha256 to check it against" \
	"a tarball but no checksum: FAIL, with the file's checksum"

check "$TMP/plans/wrong.ini"
is "$rc" 1 "a tarball whose checksum differs fails the preflight"
like "$(kata_line)" "^FAIL kata: refused: '$tarball' has SHA-256 $sha, but \[guest kata\] kata-sha256 \($TMP/plans/wrong.ini:[0-9]+\) expects $wrong for Kata Containers 1\.12\.1" \
	"refused, naming both checksums, the key and the version"

check "$TMP/plans/right.ini"
like "$(kata_line)" "^PASS kata: .*has the expected SHA-256 $sha and a Kata static release's layout \(Kata Containers 1\.12\.1, virtio-9p\)" \
	"the right checksum and layout pass"

# the builder refuses the wrong checksum before anything is built
run "$CRBENCH" build --plan "$TMP/plans/wrong.ini" --cache-dir "$cache" --no-verify
is "$rc" 1 "crbench build refuses a tarball whose checksum differs"
like "$err" "cannot build image 'ubuntu-18.04' with Kata for \[guest kata\]: refused: '$tarball' has SHA-256 $sha, but \[guest kata\] kata-sha256 .* expects $wrong" \
	"with the same words"
is "$(find "$cache" -name '*.tmp-*' -o -name 'ubuntu-18.04-*' | wc -l)" 0 "and nothing is left in the cache"

# a tarball that is not a Kata release, with the checksum the plan gives
mkdir -p "$TMP/bad/etc"
echo x >"$TMP/bad/etc/passwd"
tar -C "$TMP/bad" -cJf "$tarball" ./etc
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
sed "s/^# kata-sha256 = .*/kata-sha256 = $sha/" "$SRCDIR/images/plans/paper.ini" >"$TMP/plans/bad.ini"
check "$TMP/plans/bad.ini"
like "$(kata_line)" "^FAIL kata: refused: .*not a Kata static release: .* has a member outside opt/: './etc/'" \
	"a tarball without the release's layout is refused"

# Kata keys on another runtime are a plan error
printf '[suite]\nprofile = smoke\n[guest a]\nimage = debian-12\nruntime = runc\nkata-sha256 = %s\n' "$wrong" >"$TMP/plans/runc.ini"
run "$CRBENCH" plan "$TMP/plans/runc.ini"
is "$rc" 1 "kata-sha256 on a runc guest is refused"
like "$err" "runc.ini:6: 'kata-sha256' is only for runtime = kata; \[guest a\] runs runc" "naming file, line and why"
finish
