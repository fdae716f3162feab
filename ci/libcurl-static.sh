#!/bin/sh
# Builds a dependency-free static libcurl for the guest agent: Debian's
# libcurl.a needs libraries Debian ships only shared (krb5, ldap, nghttp2...),
# so Debian's curl source is built with HTTP over unix sockets only.
#
# usage: ci/libcurl-static.sh OUTDIR   (leaves OUTDIR/lib/libcurl.a and OUTDIR/include)
# The source comes from the host's own Debian mirror (a temporary deb-src list),
# unless $CURL_TARBALL names a curl-*.tar.* to use instead.
set -eu
out=$1
[ -f "$out/lib/libcurl.a" ] && exit 0
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "${CURL_TARBALL:-}" ]; then
	mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$mirror" ] || { echo "libcurl-static: no Debian mirror for bookworm in the host's apt configuration; set CURL_TARBALL" >&2; exit 1; }
	mkdir -p "$tmp/lists/partial"
	printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s bookworm main\n' "$mirror" >"$tmp/sources.list"
	apt() {
		apt-get -q -o Dir::Etc::SourceList="$tmp/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
			-o Dir::State::Lists="$tmp/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
			-o APT::Sandbox::User=root "$@"
	}
	apt update >/dev/null
	(cd "$tmp" && apt source --download-only curl >/dev/null)
	CURL_TARBALL=$(ls "$tmp"/curl_*.orig.tar.gz "$tmp"/curl_*.orig.tar.xz 2>/dev/null | head -1)
fi
mkdir "$tmp/src"
tar -xf "$CURL_TARBALL" -C "$tmp/src" --strip-components=1
cd "$tmp/src"
./configure -q --prefix="$out" --disable-shared --enable-static --with-pic=no \
	--without-ssl --without-zlib --without-brotli --without-zstd --without-libidn2 --without-libpsl \
	--without-nghttp2 --without-librtmp --without-libssh2 --without-libgsasl \
	--disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet --disable-tftp \
	--disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt \
	--disable-ftp --disable-file --disable-manual --disable-ntlm --disable-alt-svc --disable-hsts \
	--disable-cookies --disable-doh --disable-netrc --disable-threaded-resolver --enable-unix-sockets >/dev/null
make -s -j2 -C lib >/dev/null 2>&1
make -s -C lib install >/dev/null
make -s -C include install >/dev/null
echo "libcurl-static: $(basename "$CURL_TARBALL") built into $out" >&2
