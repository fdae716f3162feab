#!/bin/sh
# Decodes the "FIXTURE-BEGIN name <base64> FIXTURE-END" records a recording
# guest printed on its console (see README.md) into name.http files here.
# Kernel messages land in the middle of records on a serial console: every
# "[ seconds] ..." up to the end of its line is dropped, and so are the line
# breaks, which only the kernel's messages bring (base64 -w0 writes none).
set -eu
console=$1
dir=$(dirname "$0")
tr -d '\r' <"$console" | awk '{ sub(/\[ *[0-9]+\.[0-9]+\] .*$/, ""); printf "%s", $0 }' |
	grep -ao 'FIXTURE-BEGIN [a-z-]* [A-Za-z0-9+/=]* FIXTURE-END' | while read -r _ name data _; do
	printf '%s' "$data" | base64 -d >"$dir/$name.http"
	echo "$name.http: $(wc -c <"$dir/$name.http") bytes"
done
