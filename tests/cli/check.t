#!/bin/sh
# crbench check on this host and against libvirt's test driver.
. "$(dirname "$0")/tap.sh"
plan 26

run "$CRBENCH" check --accel bogus
is "$rc" 2 "a bad --accel value is a usage error"
like "$err" "bad value 'bogus' for --accel: expected kvm, tcg or auto" "and names the flag and the choices"

# The real host: on a CPU without vmx/svm the accelerator must be TCG, with the reason.
run "$CRBENCH" check
like "$out" '^(PASS|WARN) accelerator: ' "the accelerator is decided"
if grep -q -E '\b(vmx|svm)\b' /proc/cpuinfo; then
	ok 0 "# SKIP this CPU has vmx or svm"
	ok 0 "# SKIP this CPU has vmx or svm"
else
	like "$out" '^WARN accelerator: tcg: .*neither vmx nor svm|^WARN accelerator: tcg: no /dev/kvm|^WARN accelerator: tcg: /dev/kvm is not usable' "no vmx/svm: TCG, with the reason"
	like "$out" 'guests will use tcg$' "the summary names tcg"
fi
if printf '%s\n' "$out" | grep -q '^FAIL'; then want=1; else want=0; fi
is "$rc" "$want" "exits non-zero exactly when an item is FAIL"

run "$CRBENCH" check --accel tcg --connect test:///nonexistent/host.xml
is "$rc" 1 "an unreachable libvirt is a FAIL, exit 1"
like "$out" "^FAIL libvirt: cannot connect to libvirt at 'test:///nonexistent/host.xml': .*; fix: " "with libvirt's reason and a fix"
like "$out" '^PASS accelerator: tcg, as requested by --accel tcg$' "--accel tcg is obeyed"

# a local mirror serving the suites of the shipped plans, and an empty cache: the mirror probes take no network
mkdir -p "$TMP/mirror/dists/bookworm" "$TMP/mirror/dists/bionic" "$TMP/cache"
echo "Suite: bookworm" >"$TMP/mirror/dists/bookworm/Release"
echo "Suite: bionic" >"$TMP/mirror/dists/bionic/Release"
local_mirror="--cache-dir $TMP/cache --mirror file://$TMP/mirror"

run "$CRBENCH" check --json --accel tcg --connect test:///default $local_mirror --plan "$SRCDIR/images/plans/smoke.ini"
like "$out" '"accelerator": "tcg"' "--json names the accelerator"
like "$out" '"name": "plan",' "--json has the plan item"
like "$out" '"status": "(PASS|WARN|FAIL)"' "--json has statuses"

run "$CRBENCH" check --accel tcg --plan "$SRCDIR/tests/data/plans/unknown-key.ini"
like "$out" "^FAIL plan: .*unknown-key.ini:7: unknown key 'bonie-size' in \[suite\]" "a bad plan is a FAIL naming file and line"

# an Ubuntu image needs Debian's ubuntu-keyring (not in Debian 12): said before any build starts
run "$CRBENCH" check --accel tcg --connect test:///default $local_mirror --plan "$SRCDIR/images/plans/paper.ini"
if [ -r /usr/share/keyrings/ubuntu-archive-keyring.gpg ]; then
	like "$out" "^PASS image keyrings: the archive keyring of every image the plan builds is there: ubuntu-18.04 bench httpd$" \
		"the paper plan's Ubuntu image has its keyring here, and its Debian container images theirs"
else
	like "$out" "^FAIL image keyrings: image 'ubuntu-18.04' cannot be built here: cannot read the Ubuntu archive keyring .*; fix: as root, run ci/ubuntu-keyring.sh" \
		"the paper plan's Ubuntu image without its keyring is a FAIL naming the fix"
fi

# the mirror of each image the cache lacks must serve its suite: probed with curl (a file:// mirror here)
smoke=$SRCDIR/images/plans/smoke.ini
run "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "file://$TMP/mirror/" --plan "$smoke"
like "$out" "^PASS image mirrors: the images the cache lacks can be fetched: file://$TMP/mirror/dists/bookworm/Release$" \
	"a mirror serving the plan's suite passes, probed once for the three images of one suite"
run "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "file://$TMP/nomirror" --plan "$smoke"
is "$rc" 1 "a mirror that does not serve the suite fails the check"
like "$out" "^FAIL image mirrors: image 'debian-12' is not in the cache and cannot be built here: mirror 'file://$TMP/nomirror' does not serve suite 'bookworm' \\('file://$TMP/nomirror/dists/bookworm/Release'\\): .*curl: \\(37\\).*; fix: choose a reachable mirror with --mirror debian=URL" \
	"naming the image, the mirror, the URL, curl's reason and the fix"
run "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "http://127.0.0.1:9/debian" --plan "$smoke"
like "$out" "^FAIL image mirrors: .*mirror 'http://127.0.0.1:9/debian' does not serve suite 'bookworm'.*curl: \\(7\\)" "an HTTP mirror nobody answers for fails too"
# a mirror that is no URL (mmdebstrap's default, a sources line) is probed by
# mmdebstrap --simulate, given it as the build gives it: here a fake
# mmdebstrap, which logs its arguments and answers as told
mkdir -p "$TMP/fake"
cat >"$TMP/fake/mmdebstrap" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/mm.args"
[ -z "\${FAKE_MM_FAIL:-}" ] && exit 0
echo "Err:1 file:/nowhere bookworm InRelease"
echo "E: The repository 'file:/nowhere bookworm InRelease' does not have a Release file."
echo "E: apt-get update failed"
exit 1
EOF
chmod +x "$TMP/fake/mmdebstrap"
line="deb file:/nowhere bookworm main"
run env PATH="$TMP/fake:$PATH" "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "$line" --plan "$smoke"
like "$out" "^PASS image mirrors: the images the cache lacks can be fetched: bookworm from '$line' \\(mmdebstrap --simulate\\)$" \
	"a sources line as the mirror is probed by mmdebstrap --simulate, once for the suite"
is "$(tr '\n' ' ' <"$TMP/mm.args")" "--simulate --variant=essential --components=main --keyring=/usr/share/keyrings/debian-archive-keyring.gpg --aptopt=Acquire::Retries \"0\" --aptopt=Acquire::http::Timeout \"30\" bookworm /dev/null $line " \
	"with the recipe's suite, components and keyring and the mirror as given, into nowhere"
run env FAKE_MM_FAIL=1 PATH="$TMP/fake:$PATH" "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "$line" --plan "$smoke"
like "$out" "^FAIL image mirrors: image 'debian-12' is not in the cache and cannot be built here: cannot fetch bookworm from '$line' \\(mmdebstrap --simulate\\): The repository 'file:/nowhere bookworm InRelease' does not have a Release file.; apt-get update failed; fix: choose a reachable mirror" \
	"when it fails, the check fails with apt's errors"
# one mirror per distribution: the paper plan's Ubuntu guest image from one, its Debian container images from another
mkdir -p "$TMP/umirror/dists/bionic"
touch "$TMP/umirror/dists/bionic/Release"
if [ -r /usr/share/keyrings/ubuntu-archive-keyring.gpg ]; then
	run "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "ubuntu=file://$TMP/umirror" \
		--mirror "debian=file://$TMP/mirror" --plan "$SRCDIR/images/plans/paper.ini"
	like "$out" "^PASS image mirrors: the images the cache lacks can be fetched: file://$TMP/umirror/dists/bionic/Release; file://$TMP/mirror/dists/bookworm/Release$" \
		"--mirror ubuntu=URL and debian=URL: each image is probed at its distribution's mirror"
else
	skip "the Ubuntu archive keyring is not installed (ci/ubuntu-keyring.sh)"
fi
run "$CRBENCH" check --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "ubuntu=file://$TMP/nomirror" \
	--mirror "debian=file://$TMP/mirror" --plan "$smoke"
like "$out" "^PASS image mirrors: the images the cache lacks can be fetched: file://$TMP/mirror/dists/bookworm/Release$" \
	"an Ubuntu mirror, unreachable, is not asked for a plan of Debian images"
run "$CRBENCH" check --mirror "fedora=http://x/" --mirror "http://y/"
is "$rc" 2 "a --mirror for an unknown distribution is a usage error"
like "$err" "bad value 'fedora=http://x/' for --mirror: 'fedora' is no distribution of the recipes \\(debian or ubuntu\\)" "naming the value and the choices"
run "$CRBENCH" run --accel tcg --connect test:///default --cache-dir "$TMP/cache" --mirror "file://$TMP/nomirror" --plan "$smoke" --results-dir "$TMP/results"
like "$err" "^FAIL image mirrors: .*mirror 'file://$TMP/nomirror'" "crbench run --mirror is probed by its preflight, before any build"
finish
