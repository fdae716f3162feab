#!/bin/sh
# crbench build's refusals: each has a clear message and leaves no cache entry.
# (The real build is exercised by bench/build.sh and the end-to-end run.)
. "$(dirname "$0")/tap.sh"
plan 13

cache=$TMP/cache
entries() { find "$cache/images" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

run "$CRBENCH" build --image debian-13 --cache-dir "$cache"
is "$rc" 1 "an unknown recipe is refused"
like "$err" "unknown image recipe 'debian-13': there is no '.*/images/debian-13.conf'; known recipes: .*debian-12" "and the known ones are listed"

# a copy of the data directory with a broken recipe
mkdir -p "$TMP/data"
cp -r "$SRCDIR/images" "$SRCDIR/builder" "$TMP/data/"
sed 's/^size = 4G$/sise = 4G/' "$SRCDIR/images/debian-12.conf" >"$TMP/data/images/debian-12.conf"
CRBENCH_DATADIR=$TMP/data run "$CRBENCH" build --image debian-12 --cache-dir "$cache"
is "$rc" 1 "a recipe with an unknown key is refused"
like "$err" "debian-12.conf:14: unknown key 'sise' in \[image\]" "with file and line"

run "$CRBENCH" build --image debian-12 --cache-dir "$cache" --keyring "$TMP/no-such-keyring.gpg"
is "$rc" 1 "a missing keyring is refused"
like "$err" "cannot read the archive keyring '.*/no-such-keyring.gpg' of image recipe 'debian-12'.*No such file" "and named"

run "$CRBENCH" build --image ubuntu-18.04 --cache-dir "$cache" --keyring "/usr/share/keyrings/debian-archive-keyring.gpg"
is "$rc" 1 "a keyring without the recipe's key is refused"
like "$err" "lacks key 790BC7277767219C42C86F933B4FE6ACC0B21F32, which image recipe 'ubuntu-18.04' requires" "naming the fingerprint"

# nothing listens on the discard port: the archive is unreachable at once
run "$CRBENCH" build --image bench --cache-dir "$cache" --mirror http://127.0.0.1:9/debian
is "$rc" 1 "an unreachable mirror is refused"
like "$err" "cannot reach the debian archive at 'http://127.0.0.1:9/debian'.*--mirror URL" "with the mirror and what to do"

is "$(entries)" 0 "no cache entry was left by any of them"
ls "$cache/images" 2>/dev/null | grep -q '^\.tmp-'
ok $((! $?)) "no temporary entry is left"

run "$CRBENCH" build --frob
is "$rc" 2 "an unknown option is a usage error"
finish
