#!/bin/sh
# Installs Debian's ubuntu-keyring package, which the ubuntu-18.04 recipe
# needs for the Ubuntu archive key. Debian 12 lacks it; trixie has it (a
# keyring only, architecture all), so it is downloaded from the host's own
# Debian mirror's trixie suite, checked by apt against Debian's archive keys,
# and installed with dpkg.
#
# usage: ci/ubuntu-keyring.sh [MIRROR]   (as root; MIRROR defaults to the
# host's apt mirror for bookworm)
set -eu
[ -e /usr/share/keyrings/ubuntu-archive-keyring.gpg ] && { echo "ubuntu-keyring: already installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "ubuntu-keyring: run as root" >&2; exit 1; }
mirror=${1:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk '$2 == "bookworm" { print $1; exit }')}
[ -n "$mirror" ] || { echo "ubuntu-keyring: no Debian mirror for bookworm in the host's apt configuration; give one" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial"
printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' "$mirror" >"$tmp/sources.list"
apt() {
	apt-get -q -o Dir::Etc::SourceList="$tmp/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$tmp/lists" -o Dir::Cache::Archives="$tmp/archives" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@"
}
apt update
(cd "$tmp" && apt download ubuntu-keyring)
dpkg -i "$tmp"/ubuntu-keyring_*.deb
