#!/bin/sh
# Builds a Kata Containers 1.12.1 static tarball from Kata's upstream source,
# with Debian 12's QEMU 7.2 and kernel instead of the release's QEMU 5.0 and
# guest kernel, laid out as the release is (opt/kata/...), for crbench's Kata
# guests (docs/kata-tarball.md says when and why).
#
# usage: contrib/kata-tarball.sh [--check-timeout SECONDS] SRCDIR OUTDIR
#
# SRCDIR holds the four Kata 1.12.1 source trees, as checked out at tag 1.12.1:
#   SRCDIR/runtime  SRCDIR/agent  SRCDIR/shim  SRCDIR/proxy
# (git clone --branch 1.12.1 https://github.com/kata-containers/runtime, and
# so on). They are copied into OUTDIR/go (GOPATH mode): SRCDIR is not changed.
# OUTDIR gets kata-static-1.12.1-x86_64.tar.xz and its SHA-256, for the plan's
# kata-tarball and kata-sha256.
#
# --check-timeout raises the 30 s Kata's runtime gives its VM to answer
# (checkRequestTimeout, no configuration key): for trying Kata under nested
# TCG only, where a VM boots slower than that. A tarball built with it is not
# Kata 1.12.1 as released; its runtime says so in its version.
#
# Needs (Debian 12): golang-1.19-go gcc make git busybox-static cpio xz-utils
# qemu-system-x86 seabios ipxe-qemu linux-image-amd64 kmod file.
set -eu
timeout=
if [ "${1:-}" = --check-timeout ]; then
	timeout=$2
	shift 2
	case $timeout in *[!0-9]* | '') echo "kata-tarball: --check-timeout wants whole seconds, not '$timeout'" >&2; exit 2 ;; esac
fi
[ $# -eq 2 ] || { sed -n '6,9p' "$0" >&2; exit 2; }
src=$(cd "$1" && pwd)
for c in runtime agent shim proxy; do
	[ -f "$src/$c/VERSION" ] && [ "$(cat "$src/$c/VERSION")" = 1.12.1 ] ||
		{ echo "kata-tarball: $src/$c is not Kata's $c at 1.12.1 (its VERSION file)" >&2; exit 1; }
done
mkdir -p "$2"
out=$(cd "$2" && pwd)
kver=$(ls /lib/modules | sort -V | tail -1)
[ -f "/boot/vmlinuz-$kver" ] || { echo "kata-tarball: no /boot/vmlinuz-$kver: apt-get install linux-image-amd64" >&2; exit 1; }
export GOPATH="$out/go" GO111MODULE=off GOCACHE="$out/gocache" PATH="/usr/lib/go-1.19/bin:$PATH"
command -v go >/dev/null || { echo "kata-tarball: no Go: apt-get install golang-1.19-go" >&2; exit 1; }
kc=$GOPATH/src/github.com/kata-containers

say() { echo "kata-tarball: $*" >&2; }
# edit FILE OLD NEW: replace the one line holding OLD (a fixed string), or fail
edit() {
	n=$(grep -c -F -- "$2" "$1" || true)
	[ "$n" = 1 ] || { say "$1: expected one line with '$2', found $n"; exit 1; }
	python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
open(path, "w").write(text.replace(old, new))
PY
}

say "copying the sources into $kc"
rm -rf "$kc"
mkdir -p "$kc"
for c in runtime agent shim proxy; do
	cp -a "$src/$c" "$kc/$c"
done

# QEMU 7.2 refuses what the runtime's QEMU code (govmm, vendored) sends to
# QEMU 5.0: boolean machine options without a value, query-cpus (removed in
# 6.0), object-add with nested props (flat since 6.0), -realtime (removed in
# 6.0; -overcommit mem-lock= replaces it).
say "adapting the runtime to QEMU 7.2"
r=$kc/runtime
g=$r/vendor/github.com/kata-containers/govmm/qemu
edit "$r/virtcontainers/qemu_amd64.go" 'defaultQemuMachineOptions = "accel=kvm,kernel_irqchip"' 'defaultQemuMachineOptions = "accel=kvm,kernel_irqchip=on"'
edit "$r/virtcontainers/qemu_arch_base.go" 'qemuNvdimmOption = "nvdimm"' 'qemuNvdimmOption = "nvdimm=on"'
edit "$r/virtcontainers/qemu.go" 'q.qmpMonitorCh.qmp.ExecQueryCpus(q.qmpMonitorCh.ctx)' 'q.qmpMonitorCh.qmp.ExecQueryCpusFast(q.qmpMonitorCh.ctx)'
edit "$r/virtcontainers/qemu.go" 'tid.vcpus[i.CPU] = i.ThreadID' 'tid.vcpus[i.CPUIndex] = i.ThreadID'
python3 - "$g/qmp.go" "$g/qemu.go" <<'PY'
import sys
qmp, qemu = sys.argv[1:3]
def swap(path, pairs):
    text = open(path).read()
    for old, new in pairs:
        if text.count(old) != 1:
            sys.exit("kata-tarball: %s: expected one '%s'" % (path, old.strip().splitlines()[0]))
        text = text.replace(old, new)
    open(path, "w").write(text)
swap(qmp, [
    ('\tprops := map[string]interface{}{"size": uint64(size) << 20}\n\targs := map[string]interface{}{\n'
     '\t\t"qom-type": qomtype,\n\t\t"id":       id,\n\t\t"props":    props,\n\t}\n',
     '\targs := map[string]interface{}{\n\t\t"qom-type": qomtype,\n\t\t"id":       id,\n'
     '\t\t"size":     uint64(size) << 20,\n\t}\n\tprops := args\n'),
    ('\t\t"props": map[string]interface{}{\n\t\t\t"mem-path": mempath,\n\t\t\t"size":     size,\n\t\t\t"share":    true,\n\t\t},\n',
     '\t\t"mem-path": mempath,\n\t\t"size":     size,\n\t\t"share":    true,\n'),
    ('\t\t\tprops := args["props"].(map[string]interface{})\n\t\t\tprops["pmem"] = *pmem', '\t\t\targs["pmem"] = *pmem'),
])
text = open(qemu).read()
text = text.replace('"-realtime"', '"-overcommit"').replace('"mlock=on"', '"mem-lock=on"').replace('"mlock=off"', '"mem-lock=off"')
open(qemu, "w").write(text)
PY
version=1.12.1
if [ -n "$timeout" ]; then
	edit "$r/virtcontainers/kata_agent.go" 'checkRequestTimeout         = 30 * time.Second' "checkRequestTimeout         = $timeout * time.Second"
	version="1.12.1-check-timeout-${timeout}s"
	echo "$version" >"$r/VERSION"
fi

say "building kata-runtime $version"
# Every binary is static, as the release's are: the guest's C library (Ubuntu
# 18.04's glibc 2.27) is older than the one they are built against.
(cd "$r" && echo 0000000 >.git-commit &&
	make -s PREFIX=/opt/kata SKIP_GO_VERSION_CHECK=1 BUILDFLAGS= 'KATA_LDFLAGS=-ldflags "-extldflags -static"' runtime \
		>"$out/runtime.log" 2>&1) || { tail -20 "$out/runtime.log" >&2; exit 1; }
say "building kata-agent, kata-shim, kata-proxy"
(cd "$kc/agent" && make -s STATIC=1 SECCOMP=no >"$out/agent.log" 2>&1) || { tail -20 "$out/agent.log" >&2; exit 1; }
(cd "$kc/shim" && CGO_ENABLED=0 go build -o kata-shim -ldflags "-X main.version=1.12.1" . >"$out/shim.log" 2>&1) ||
	{ tail -20 "$out/shim.log" >&2; exit 1; }
(cd "$kc/proxy" && CGO_ENABLED=0 go build -o kata-proxy -ldflags "-X main.version=1.12.1" . >"$out/proxy.log" 2>&1) ||
	{ tail -20 "$out/proxy.log" >&2; exit 1; }
for b in "$r/kata-runtime" "$kc/agent/kata-agent" "$kc/shim/kata-shim" "$kc/proxy/kata-proxy"; do
	file "$b" | grep -q 'statically linked' || { say "$b is not statically linked: $(file -b "$b")"; exit 1; }
done

rel=$out/rel
k=$rel/opt/kata
rm -rf "$rel"
mkdir -p "$k/bin" "$k/libexec/kata-containers" "$k/share/kata-containers" "$k/share/defaults/kata-containers" \
	"$k/lib/qemu/modules" "$k/share/qemu"
cp "$r/kata-runtime" "$k/bin/kata-runtime"
cp "$kc/shim/kata-shim" "$kc/proxy/kata-proxy" "$k/libexec/kata-containers/"
# the configurations as the build wrote them, booting the initrd below (not an image)
for f in configuration-qemu.toml configuration-qemu-virtiofs.toml; do
	sed '/^image = /d' "$r/cli/config/$f" >"$k/share/defaults/kata-containers/$f"
done

say "the guest: Debian's kernel $kver and an initrd (busybox, its virtio, vsock, 9p and scsi modules, kata-agent as PID 1)"
cp "/boot/vmlinuz-$kver" "$k/share/kata-containers/vmlinuz.container"
ird=$out/initrd
rm -rf "$ird"
mkdir -p "$ird/bin" "$ird/usr/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/run" "$ird/tmp" "$ird/etc" "$ird/lib/modules"
cp /bin/busybox "$ird/bin/busybox"
for t in sh mount umount insmod cat; do ln -s busybox "$ird/bin/$t"; done
cp "$kc/agent/kata-agent" "$ird/usr/bin/kata-agent"
: >"$ird/modules.order"
for m in virtio_pci virtio_blk virtio_net virtio_console vmw_vsock_virtio_transport 9pnet_virtio 9p virtio_scsi sd_mod \
	virtio_rng virtio_balloon; do
	modprobe -S "$kver" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r f; do
	cp "$f" "$ird/lib/modules/"
	basename "$f" >>"$ird/modules.order"
done
cat >"$ird/init" <<'INIT'
#!/bin/sh
# Kata guest init (contrib/kata-tarball.sh): the modules Debian's kernel has as
# modules, then the agent as PID 1, which mounts what it needs itself.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.order); do insmod "/lib/modules/$m" 2>/dev/null || echo "init: $m not loaded" >/dev/kmsg; done
umount /dev /sys /proc 2>/dev/null
exec /usr/bin/kata-agent
INIT
chmod 0755 "$ird/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$ird/etc/passwd"
echo "root:x:0:" >"$ird/etc/group"
(cd "$ird" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$k/share/kata-containers/kata-containers-initrd.img"

say "QEMU: Debian's $(qemu-system-x86_64 --version | head -1), its libraries and firmware"
cp /usr/bin/qemu-system-x86_64 "$k/libexec/qemu-system-x86_64"
ldd /usr/bin/qemu-system-x86_64 | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' | sort -u | while read -r l; do
	cp -L "$l" "$k/lib/qemu/"
done
cp /usr/lib/x86_64-linux-gnu/qemu/accel-* "$k/lib/qemu/modules/"
for d in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
	for f in "$d"/*; do [ -f "$f" ] && cp -L "$f" "$k/share/qemu/"; done
done
# the guest's libraries are older than Debian 12's: QEMU runs on its own loader and libraries
cat >"$k/bin/qemu-system-x86_64" <<'WRAP'
#!/bin/sh
# Debian 12's QEMU with its own loader, libraries, modules and firmware (contrib/kata-tarball.sh)
QEMU_MODULE_DIR=/opt/kata/lib/qemu/modules exec /opt/kata/lib/qemu/ld-linux-x86-64.so.2 --library-path /opt/kata/lib/qemu \
	/opt/kata/libexec/qemu-system-x86_64 -L /opt/kata/share/qemu "$@"
WRAP
chmod 0755 "$k/bin/qemu-system-x86_64"

tarball=$out/kata-static-1.12.1-x86_64.tar.xz
say "packing $tarball"
(cd "$rel" && tar --owner=0 --group=0 -cf - ./opt) | xz -1 -T2 >"$tarball"
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
echo "$sha" >"$tarball.sha256"
echo "kata-tarball = $tarball"
echo "kata-sha256 = $sha"
