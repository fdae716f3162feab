#!/bin/sh
# mmdebstrap customize hook for the suite's container images: drop what a
# container never uses, so every guest loads less.
set -eu
root=$1
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" \
	"$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages
