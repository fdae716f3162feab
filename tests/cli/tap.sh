# Minimal TAP helpers for the shell tests; sourced by tests/cli/*.t.
: "${CRBENCH:?set CRBENCH to the crbench binary (make check does)}"
: "${SRCDIR:=.}"
_n=0
_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crbench-cli.XXXXXX")
# at_exit COMMANDS: run them when the test exits, before $TMP goes (the last given first)
_at_exit=""
at_exit() { _at_exit="$1; $_at_exit"; }
trap 'eval "$_at_exit"; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

plan() { echo "1..$1"; }
ok() { # ok COND-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=1; fi
}
# run CMD...: sets $out, $err, $rc
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2" | sed 's/^/# /'
	fi
}
like() { # like TEXT GREP-PATTERN DESCRIPTION
	if printf '%s\n' "$1" | grep -q -E -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '%s\n' "$1" | head -5 | sed 's/^/#   /'
	fi
}
finish() { exit $_failed; }
skip() { # skip REASON: one test not run
	_n=$((_n + 1))
	echo "ok $_n # SKIP $1"
}
# e2e_or_skip: end the file with a SKIP plan unless real guests can run here
# (root for qemu:///system and the cache, a static agent, CRBENCH_E2E not 0).
e2e_or_skip() {
	case "$(basename "${BUILDDIR:-build}")" in
	build-san*) echo "1..0 # SKIP the guest agent cannot be linked statically under sanitizers"; exit 0 ;;
	esac
	if [ "${CRBENCH_E2E:-1}" = 0 ]; then
		echo "1..0 # SKIP CRBENCH_E2E=0"
		exit 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (qemu:///system, the image cache)"
		exit 0
	fi
}

# wait_for FILE PATTERN SECONDS: wait until FILE has a line matching the
# extended regular expression PATTERN; false when it has none by then
wait_for() {
	_i=0
	while ! grep -q -E -- "$2" "$1" 2>/dev/null && [ $_i -lt "$3" ]; do
		sleep 1
		_i=$((_i + 1))
	done
	grep -q -E -- "$2" "$1" 2>/dev/null
}

# signal_after SIGNAL OUT ERR PATTERN1 SECONDS1 PATTERN2 SECONDS2 COMMAND...:
# COMMAND in the background (stdout in OUT, stderr in ERR), sent SIGNAL once
# ERR has a line matching PATTERN1 (waiting at most SECONDS1) and then one
# matching PATTERN2 (at most SECONDS2); its exit status in $rc, its stderr
# printed as TAP comments
signal_after() {
	_sig=$1 _out=$2 _err=$3 _p1=$4 _t1=$5 _p2=$6 _t2=$7
	shift 7
	"$@" >"$_out" 2>"$_err" &
	_pid=$!
	wait_for "$_err" "$_p1" "$_t1"
	wait_for "$_err" "$_p2" "$_t2"
	kill -"$_sig" $_pid
	wait $_pid
	rc=$?
	sed 's/^/# /' "$_err"
}

# vg CMD...: CMD under valgrind, exit 99 on a memory error or a definite or
# indirect leak; its report in $TMP/vg.log
VALGRIND="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --log-file=$TMP/vg.log"
# shellcheck disable=SC2086
vg() { $VALGRIND "$@"; }

# second_host: a second libvirt host for the test, on this machine: the
# session libvirtd of the unprivileged user crbench-h2 (made when missing),
# its state in $TMP/h2, a directory pool "default" in $TMP/h2/pool, reached
# at $uri2 as another host is (a plan's guest names it with connect =
# $uri2 and upload = yes). Stopped, with what it started, when the test
# exits. Says why on standard output and returns 1 when it cannot be had.
second_host() {
	command -v libvirtd >/dev/null && command -v setpriv >/dev/null || {
		echo "needs libvirtd and setpriv"
		return 1
	}
	h2_user=crbench-h2
	id -u $h2_user >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $h2_user || {
		echo "cannot create user $h2_user"
		return 1
	}
	h2="$TMP/h2"
	mkdir -p "$h2/rt" "$h2/home" "$h2/pool"
	chown -R $h2_user: "$h2"
	chmod 700 "$h2/rt"
	chmod 711 "$TMP" # that user's qemu reaches its pool through it
	# the daemon, and what it started for that user (its virtlogd, a qemu left by a failure)
	at_exit 'kill $h2_pid 2>/dev/null; pkill -u $h2_user 2>/dev/null; sleep 1'
	uri2="qemu+unix:///session?socket=$h2/rt/libvirt/libvirt-sock"
	second_host_start
}

# second_host_start: (again) the second host's libvirtd, $h2_pid, with its
# pool "default" (transient: a daemon that restarts has lost it) in $h2/pool
second_host_start() {
	rm -f "$h2/rt/libvirt/libvirt-sock"
	setpriv --reuid=$h2_user --regid=$h2_user --clear-groups env HOME="$h2/home" XDG_RUNTIME_DIR="$h2/rt" libvirtd \
		>>"$h2/libvirtd.log" 2>&1 &
	h2_pid=$!
	_i=0
	while [ ! -S "$h2/rt/libvirt/libvirt-sock" ] && [ $_i -lt 30 ]; do
		sleep 1
		_i=$((_i + 1))
	done
	virsh -q -c "$uri2" pool-create-as default dir --target "$h2/pool" >/dev/null || {
		echo "the second libvirtd does not answer at '$uri2'"
		return 1
	}
}

# plan_head NAME SEED TESTS: the [run] and [suite] of a small smoke plan
# (one round, no warm-up, a 10 s idle baseline), on standard output
plan_head() {
	cat <<EOF
[run]
name = $1
seed = $2
timeout = 20m
progress-timeout = 5m
[suite]
profile = smoke
tests = $3
repetitions = 1
warmup = 0
idle-seconds = 10s
container-cpus = 1
container-memory = 256M
EOF
}

# plan_guest NAME RUNTIME [LINE]...: a one-vCPU Debian 12 guest's section, with LINEs ("key = value") added
plan_guest() {
	printf '[guest %s]\nimage = debian-12\nruntime = %s\nvcpus = 1\nmemory = 1G\n' "$1" "$2"
	shift 2
	for _line in "$@"; do
		printf '%s\n' "$_line"
	done
}

# env_plan NAME SEED: a plan of two one-vCPU Debian 12 guests (runc and
# runsc) running the env test alone, on standard output
env_plan() {
	plan_head "$1" "$2" env
	plan_guest runc runc
	plan_guest runsc runsc
}

# set_diff GOT WANT DESCRIPTION: one test, the words of GOT and WANT equal as sets; what is
# missing from GOT and what it has too many said when they are not
set_diff() {
	diff=$(echo "$1 @@ $2" | awk '{ for (i = 1; i <= NF; i++) if ($i == "@@") w = 1; else if (w) want[$i] = 1; else got[$i] = 1 }
		END { for (k in want) if (!(k in got)) m = m " " k; for (k in got) if (!(k in want)) e = e " " k
		      if (m e != "") printf "#   missing:%s\n#   extra:  %s\n", m, e }')
	if [ -z "$diff" ]; then ok 0 "$3"; else
		ok 1 "$3"
		echo "$diff"
	fi
}
