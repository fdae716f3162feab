#!/bin/sh
# mmdebstrap customize hook for guest base images: Docker's runtimes, the
# agent unit, fstab, console, and the checks that the image has no way in.
# $1 is the root; $CRBENCH_RUNTIMES lists the runtimes the recipe promises.
set -eu
root=$1

# Docker: register every runtime the image has besides runc (Docker's own).
json='{'
json="$json"'"runtimes": {'
sep=''
for rt in ${CRBENCH_RUNTIMES:-runc}; do
	case $rt in
	runc) path=$(chroot "$root" sh -c 'command -v runc') ;;
	crun) path=/usr/bin/crun ;;
	runsc) path=/usr/bin/runsc ;;
	kata) path=/opt/kata/bin/kata-runtime ;;
	*) echo "vm-customize: unknown runtime '$rt'" >&2; exit 1 ;;
	esac
	if [ ! -x "$root$path" ]; then
		echo "vm-customize: the recipe lists runtime '$rt' but the image has no '$path'" >&2
		exit 1
	fi
	[ "$rt" = runc ] && continue
	json="$json$sep\"$rt\": {\"path\": \"$path\"}"
	sep=', '
	# gVisor's netstack refuses the host's network namespace: host-network
	# containers of a runsc guest use this one (guest/test-net-matrix.c)
	if [ "$rt" = runsc ]; then
		json="$json, \"runsc-host\": {\"path\": \"$path\", \"runtimeArgs\": [\"--network=host\"]}"
	fi
done
json="$json}}"
mkdir -p "$root/etc/docker"
printf '%s\n' "$json" >"$root/etc/docker/daemon.json"

# The agent unit (copied in from builder/rootfs) starts after docker.service.
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/crbench-agent.service \
	"$root/etc/systemd/system/multi-user.target.wants/crbench-agent.service"
chmod 0755 "$root/usr/local/libexec/crbench/agent-launch"

# The console belongs to the agent's progress lines: no login prompt there.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"

printf 'LABEL=crbench-root / ext4 defaults 0 1\n' >"$root/etc/fstab"
printf 'crbench\n' >"$root/etc/hostname"

# No way in: root has no password, there is no SSH server.
chroot "$root" usermod -p '*' root
if [ -e "$root/usr/sbin/sshd" ]; then
	echo "vm-customize: the image has an SSH server; crbench guests must not" >&2
	exit 1
fi
