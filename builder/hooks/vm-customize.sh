#!/bin/sh
# mmdebstrap customize hook for guest base images: Docker's runtimes, the
# agent unit, fstab, console, and the checks that the image has no way in.
# $1 is the root; $CRBENCH_RUNTIMES lists the runtimes the recipe promises.
set -eu
root=$1

# Docker: every runtime the image has besides runc, in daemon.json.
sh "$(dirname "$0")/docker-runtimes.sh" "$root"

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
