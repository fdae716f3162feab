#!/bin/sh
# Docker's daemon.json for a guest image: every OCI runtime the image has
# besides runc (Docker's own), under the names crbench-agent uses.
#
# usage: docker-runtimes.sh ROOT
# $CRBENCH_RUNTIMES lists the runtimes the recipe (and, for kata, the plan's
# tarball) promises; a promised runtime the root lacks fails the build.
#
#   crun                        /usr/bin/crun
#   runsc                       gVisor with its own default platform
#   runsc-ptrace, runsc-systrap, runsc-kvm
#                               gVisor on that platform: the agent tries which
#                               work in the guest and uses one (guest/runsc.c)
#   runsc-host, runsc-PLATFORM-host
#                               the same with --network=host: gVisor's own
#                               network stack refuses the host's namespace, so
#                               host-network containers need it
#   kata                        Kata 1.x from /opt/kata, with the configuration
#                               the agent writes from the plan before the suite
set -eu
root=$1
kata_config=/etc/kata-containers/configuration.toml

entries=''
add() { # add NAME PATH [ARG...]
	name=$1 path=$2
	shift 2
	entry="\"$name\": {\"path\": \"$path\""
	if [ $# -gt 0 ]; then
		args=''
		for a in "$@"; do
			args="$args${args:+, }\"$a\""
		done
		entry="$entry, \"runtimeArgs\": [$args]"
	fi
	entries="$entries${entries:+,
    }$entry}"
}
need() { # need RUNTIME PATH
	if [ ! -x "$root$2" ]; then
		echo "docker-runtimes: the recipe lists runtime '$1' but the image has no '$2'" >&2
		exit 1
	fi
}

for rt in ${CRBENCH_RUNTIMES:-runc}; do
	case $rt in
	runc)
		found=''
		for p in /usr/sbin/runc /usr/bin/runc /sbin/runc; do
			[ -x "$root$p" ] && found=$p && break
		done
		need runc "${found:-/usr/sbin/runc}"
		;;
	crun)
		need crun /usr/bin/crun
		add crun /usr/bin/crun
		;;
	runsc)
		need runsc /usr/bin/runsc
		add runsc /usr/bin/runsc
		add runsc-host /usr/bin/runsc --network=host
		for platform in ptrace systrap kvm; do
			add "runsc-$platform" /usr/bin/runsc "--platform=$platform"
			add "runsc-$platform-host" /usr/bin/runsc "--platform=$platform" --network=host
		done
		;;
	kata)
		need kata /opt/kata/bin/kata-runtime
		add kata /opt/kata/bin/kata-runtime --kata-config "$kata_config"
		;;
	*)
		echo "docker-runtimes: unknown runtime '$rt'" >&2
		exit 1
		;;
	esac
done

mkdir -p "$root/etc/docker"
printf '{\n  "runtimes": {%s%s%s}\n}\n' "${entries:+
    }" "$entries" "${entries:+
  }" >"$root/etc/docker/daemon.json"
