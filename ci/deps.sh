#!/bin/sh
# Installs the Debian packages a target needs and starts the daemons it needs.
#
# usage: ci/deps.sh build|run|check|deb
#
# Fast when everything is present (one dpkg-query call, two pid checks), so
# the Makefile can call it before every `make run` and `make check`.
set -eu

# scdoc builds the manual pages (man/README)
build_pkgs="gcc make pkg-config libc6-dev libvirt-dev libguestfs-dev libarchive-dev
	libinih-dev libjansson-dev libcurl4-openssl-dev libssl-dev scdoc"
# curl downloads a Kata tarball given by URL and probes the images' mirrors (crbench check)
run_pkgs="libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
	mmdebstrap e2fsprogs libguestfs-tools linux-image-amd64 gpg debian-archive-keyring gnuplot-nox curl"
# debhelper, dpkg-dev, fakeroot and lintian build and check the Debian package (make deb, tests/cli/deb.t)
deb_pkgs="debhelper dpkg-dev fakeroot lintian"
# python3 recomputes the report's statistics, chromium renders its HTML and netpbm decodes its screenshot, xz-utils packs fake Kata tarballs,
# groff-base renders the manual pages (tests/cli/man.t), clang-format checks the layout (make lint),
# python3-jsonschema checks the JSON formats against docs/schema/ (tests/cli/schema.t);
# libxml2-utils' xmllint the JUnit XML against docs/schema/junit.xsd (tests/unit/test-junit.c)
check_pkgs="libcmocka-dev clang libclang-rt-14-dev perl python3 netpbm chromium xz-utils cppcheck valgrind groff-base python3-jsonschema clang-format libxml2-utils"

case "${1:-}" in
build) want="$build_pkgs" ;;
run) want="$build_pkgs $run_pkgs" ;;
check) want="$build_pkgs $run_pkgs $check_pkgs $deb_pkgs" ;;
deb) want="$build_pkgs $deb_pkgs" ;;
*) echo "usage: $0 build|run|check|deb" >&2; exit 2 ;;
esac
want=$(echo $want)

# dpkg-query prints one status line per known package; unknown names go to
# stderr and are treated as missing.
missing=""
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $want 2>/dev/null || true)
for p in $want; do
	case "$installed" in
	*"$p installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "crbench: missing Debian packages:$missing" >&2
		echo "crbench: install them as root: apt-get install$missing" >&2
		exit 1
	fi
	echo "crbench: installing missing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2
fi

case "$1" in build | deb) exit 0 ;; esac

# No systemd on these machines: start libvirt's daemons by hand when their
# pid files do not name a live process.
alive() {
	[ -r "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}
start() {
	if [ "$(id -u)" != 0 ]; then
		echo "crbench: $1 is not running; start it as root: $1 -d" >&2
		exit 1
	fi
	echo "crbench: starting $1" >&2
	"/usr/sbin/$1" -d
}
alive /run/virtlogd.pid || start virtlogd
alive /run/libvirtd.pid || start libvirtd

# libvirtd -d returns before its socket accepts connections.
i=0
while [ ! -S /run/libvirt/libvirt-sock ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
exit 0
