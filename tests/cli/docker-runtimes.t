#!/bin/sh
# builder/hooks/docker-runtimes.sh: the daemon.json of guest images, on fake
# roots (the real hook runs inside mmdebstrap).
. "$(dirname "$0")/tap.sh"
plan 11

hook=$SRCDIR/builder/hooks/docker-runtimes.sh
root=$TMP/root
mkdir -p "$root/usr/sbin" "$root/usr/bin" "$root/opt/kata/bin"
for f in usr/sbin/runc usr/bin/crun usr/bin/runsc opt/kata/bin/kata-runtime; do
	printf '#!/bin/sh\n' >"$root/$f"
	chmod 0755 "$root/$f"
done
# prints "name path arg..." per runtime, sorted
runtimes() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for n, r in sorted(d["runtimes"].items()):
    print(" ".join([n, r["path"]] + r.get("runtimeArgs", [])))' "$root/etc/docker/daemon.json"
}

CRBENCH_RUNTIMES="runc crun runsc kata" run sh "$hook" "$root"
is "$rc" 0 "every runtime of Debian 12 and Kata"
got=$(runtimes)
is "$(printf '%s\n' "$got" | grep '^kata ')" "kata /opt/kata/bin/kata-runtime --kata-config /etc/kata-containers/configuration.toml" \
	"kata runs with the configuration the agent writes"
is "$(printf '%s\n' "$got" | grep '^crun ')" "crun /usr/bin/crun" "crun"
is "$(printf '%s\n' "$got" | grep '^runsc' | grep -v -- -host | tr '\n' ';')" \
	"runsc /usr/bin/runsc;runsc-kvm /usr/bin/runsc --platform=kvm;runsc-ptrace /usr/bin/runsc --platform=ptrace;runsc-systrap /usr/bin/runsc --platform=systrap;" \
	"runsc, and runsc on each platform the agent may choose"
is "$(printf '%s\n' "$got" | grep '^runsc.*-host ' | tr '\n' ';')" \
	"runsc-host /usr/bin/runsc --network=host;runsc-kvm-host /usr/bin/runsc --platform=kvm --network=host;runsc-ptrace-host /usr/bin/runsc --platform=ptrace --network=host;runsc-systrap-host /usr/bin/runsc --platform=systrap --network=host;" \
	"and each with the host's network, for host-network containers"
is "$(printf '%s\n' "$got" | grep -c '^runc ')" 0 "runc is Docker's own: not registered"

CRBENCH_RUNTIMES="runc kata" run sh "$hook" "$root"
is "$(runtimes | cut -d' ' -f1 | tr '\n' ' ')" "kata " "Ubuntu 18.04 with Kata: kata only"

CRBENCH_RUNTIMES="runc" run sh "$hook" "$root"
is "$(runtimes | wc -l)" 0 "runc alone: no runtimes entry, a valid daemon.json"

rm "$root/opt/kata/bin/kata-runtime"
CRBENCH_RUNTIMES="runc kata" run sh "$hook" "$root"
is "$rc" 1 "a promised runtime the image lacks fails the build"
like "$err" "the recipe lists runtime 'kata' but the image has no '/opt/kata/bin/kata-runtime'" "and says which"

CRBENCH_RUNTIMES="runc youki" run sh "$hook" "$root"
like "$err" "unknown runtime 'youki'" "an unknown runtime is refused"
finish
