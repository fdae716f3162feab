#!/bin/sh
# mmdebstrap customize hook for the suite's container images: drop what a
# container never uses, so that every Docker store holds less. The tools
# run in the C locale: their messages' translations (31 MiB of each image)
# are never read.
set -eu
root=$1
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" \
	"$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages
