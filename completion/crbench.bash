# bash completion for crbench(1): its commands, each command's options, and
# the values of the options and arguments that take one (plan files, image
# recipes, run directories, accelerators, faults).
#
# The option lists below are kept by hand, in the order of each command's
# --help; tests/cli/completion.t fails when one differs from --help (an
# option added, removed, or taking a value or not). `make install` puts this
# file in $(PREFIX)/share/bash-completion/completions/crbench, with
# @DATADIR@ replaced by the installed data directory.

_crbench_commands='boot build cache check compare harvest plan report run'

# A trailing '=' marks an option that takes a value.
_crbench_opts_boot='--image= --accel= --connect= --cache-dir= --vcpus= --memory= --nested --timeout= --console= --payload= --results= --verbose --help'
_crbench_opts_build='--image= --plan= --rebuild --no-verify --mirror= --keyring= --cache-dir= --accel= --keep-rootfs= --help'
_crbench_opts_cache='--prune --older-than= --dry-run --cache-dir= --json --help'
_crbench_opts_check='--accel= --connect= --upload --pool= --cache-dir= --plan= --mirror= --keyring= --json --help'
_crbench_opts_compare='--bounds= --all --json --junit= --help'
_crbench_opts_harvest='--out= --json --help'
_crbench_opts_plan='--json --help'
_crbench_opts_report='--out= --help'
_crbench_opts_run='--plan= --results-dir= --parallel --accel= --connect= --upload --pool= --cache-dir= --mirror= --keyring= --no-pin --keep --verbose --junit= --inject-fault= --help'

_crbench_accels='kvm tcg auto'
_crbench_faults='panic hang agent-crash docker-fail results-full'

# The directory holding images/ and builder/, found as crbench finds it
# (host/lib/paths.c, cr_data_dir): $CRBENCH_DATADIR, else the source tree
# the binary was built in (<src>/build/crbench), else the installed one.
_crbench_datadir()
{
	local bin src installed='@DATADIR@'

	if [[ -n ${CRBENCH_DATADIR-} ]]; then
		printf '%s\n' "$CRBENCH_DATADIR"
		return
	fi
	bin=${COMP_WORDS[0]}
	# shellcheck disable=SC2088 # a literal ~/ as typed, expanded here
	[[ $bin == '~/'* ]] && bin=$HOME/${bin#'~/'}
	if bin=$(type -P -- "$bin") && bin=$(readlink -f -- "$bin"); then
		src=${bin%/*}
		src=${src%/*}
		if [[ -n $src && -d $src/images && -d $src/builder ]]; then
			printf '%s\n' "$src"
			return
		fi
	fi
	# not installed by make: the Makefile's default
	[[ $installed == @*@ ]] && installed=/usr/local/share/crbench
	printf '%s\n' "$installed"
}

# Image recipe names (images/NAME.conf) starting with $cur; with "vm", guest
# recipes only (kind = vm), those crbench boot can boot.
_crbench_images()
{
	local dir f name

	dir=$(_crbench_datadir)/images
	for f in "$dir"/*.conf; do
		[[ -f $f ]] || continue
		if [[ ${1-} == vm ]] && ! grep -Eq '^[[:space:]]*kind[[:space:]]*[=:][[:space:]]*vm([[:space:];]|$)' "$f"; then
			continue
		fi
		name=${f##*/}
		name=${name%.conf}
		[[ $name == "$cur"* ]] && COMPREPLY+=("$name")
	done
}

# Files matching the glob $1 (all files without one) and directories.
_crbench_files()
{
	compopt -o filenames 2>/dev/null
	if [[ -n ${1-} ]]; then
		mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -d -- "$cur")
		mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -X "!$1" -- "$cur")
	else
		mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -- "$cur")
	fi
}

_crbench_dirs()
{
	compopt -o filenames 2>/dev/null
	mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -d -- "$cur")
}

# Run directories: those under ./results (crbench run's default
# --results-dir) that have a run.json; any directory when none matches.
_crbench_rundirs()
{
	local d n=${#COMPREPLY[@]}

	for d in results/*/; do
		d=${d%/}
		[[ -f $d/run.json && $d == "$cur"* ]] && COMPREPLY+=("$d")
	done
	((${#COMPREPLY[@]} > n)) || _crbench_dirs
}

# Words from the list $1 starting with $cur.
_crbench_words()
{
	local w

	for w in $1; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

_crbench()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' prefix='' cmd='' opts w i n_args=0

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=VALUE: bash splits it at '=' when '=' is in COMP_WORDBREAKS (the
	# default); when it is not, the word is whole and the answers need the prefix
	if [[ $cur == = ]]; then
		cur=''
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		prefix=$prev=
		cur=${cur#*=}
	fi

	# the command: the first word after crbench's own options
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == -* ]] && continue
		cmd=$w
		break
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_crbench_words '--help --version'
		else
			_crbench_words "$_crbench_commands help"
		fi
		return
	fi
	if [[ $cmd == help ]]; then
		((COMP_CWORD == i + 1)) && _crbench_words "$_crbench_commands"
		return
	fi
	[[ " $_crbench_commands " == *" $cmd "* ]] || return
	opts=_crbench_opts_${cmd//-/_}
	opts=${!opts}

	# the value of an option that takes one
	if [[ $prev == --* && " $opts " == *" $prev= "* ]]; then
		case $prev in
		--accel) _crbench_words "$_crbench_accels" ;;
		--image)
			if [[ $cmd == boot ]]; then
				_crbench_images vm
			else
				_crbench_images
			fi
			;;
		--plan) _crbench_files '*.ini' ;;
		--cache-dir | --results-dir | --out | --payload) _crbench_dirs ;;
		--console | --results | --keep-rootfs | --keyring | --bounds | --junit) _crbench_files ;;
		--inject-fault) _crbench_words "$_crbench_faults" ;;
		esac
		[[ -n $prefix ]] && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		return
	fi

	if [[ $cur == -* ]]; then
		for w in $opts; do
			w=${w%=}
			[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
		done
		return
	fi

	# the arguments given so far, the values of options skipped
	for ((i++; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --* && $w != *=* && " $opts " == *" $w= "* ]]; then
			((i++))
			[[ ${COMP_WORDS[i]-} == = ]] && ((i++))
		elif [[ $w != -* ]]; then
			((n_args++))
		fi
	done
	case $cmd in
	plan) ((n_args < 1)) && _crbench_files '*.ini' ;;
	report) _crbench_rundirs ;; # one run, or several pooled
	compare) ((n_args < 2)) && _crbench_rundirs ;;
	harvest) _crbench_files ;;
	*)
		# no arguments: its options
		for w in $opts; do
			w=${w%=}
			[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
		done
		;;
	esac
}

complete -F _crbench crbench
