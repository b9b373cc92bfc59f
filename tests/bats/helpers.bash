# SPDX-License-Identifier: MIT
# helpers.bash: shared helpers for the mllpd bats tests (pipe mode, frames, ACK parsing, spool).
#
# Load from every .bats file:
#
#   load helpers
#   setup()    { mllpd_setup; }
#   teardown() { mllpd_teardown; }
#
# Variables (set by mllpd_setup, all under the per-test $BATS_TEST_TMPDIR):
#   MLLPD           the binary (default <repo>/build/mllpd; override with $MLLPD)
#   MLLPD_TIMEOUT   seconds any single mllpd run may take (default 30)
#   SPOOL           a fresh spool path (not created: mllpd creates it)
#   MLLPD_STDOUT    file holding the raw stdout (framed ACKs) of the last mllpd_run
#   MLLPD_STDERR    file holding the stderr of the last mllpd_run
#
# After mllpd_run: $status (exit code), $stderr (stderr text), $stderr_lines,
# ACKS (array: the ACK frames, unframed, raw bytes with \r).
#
# Nothing here is specific to one start mode; network helpers live in net.bash.

bats_require_minimum_version 1.5.0

# Debian's bats-support and bats-assert, sourced file by file: their load.bash
# runs $(dirname ...) for each of their 15 files, and bats loads them again for
# every test (0.15 s a test here, over a minute of make check).
for _lib in /usr/lib/bats/bats-support/src/output.bash /usr/lib/bats/bats-support/src/error.bash \
	/usr/lib/bats/bats-support/src/lang.bash /usr/lib/bats/bats-assert/src/*.bash; do
	# shellcheck disable=SC1090
	source "$_lib" || return 1
done
unset _lib

# bats runs bats_debug_trap before every command (about 0.2 ms each on these
# machines) to know where a test failed; a helper's loop runs thousands of
# commands (tests/run build, normal build: 8.5 -> 5.8 min, user CPU 3.6 -> 2.5 min).  Commands inside
# these .bash helpers and bats-assert are not traced: a failure in one is
# reported at the line of the test that called it, which is the line to read.
if declare -F bats_debug_trap >/dev/null && [[ -z ${_MLLPD_TRAP_LEAN:-} ]]; then
	_MLLPD_TRAP_LEAN=1
	_body=$(declare -f bats_debug_trap)
	eval "${_body%%\{*}{
	case \$1 in \"${BASH_SOURCE[0]%/*}\"/*.bash | /usr/lib/bats/*) return 0 ;; esac
${_body#*\{}"
	unset _body
fi

# Byte-exact string handling everywhere (messages hold Latin-1, UTF-8, anything).
export LC_ALL=C

# Without a fork (bats loads this file again for every test, and a fork costs
# 3-4 ms on these machines): the directory above tests/bats.
_here=${BASH_SOURCE[0]%/*}
[[ $_here == /* ]] || _here=$PWD/$_here
MLLPD_ROOT=${_here%/tests/bats}
[[ $MLLPD_ROOT != "$_here" ]] || MLLPD_ROOT="$(cd "$_here/../.." && pwd)"
unset _here
MLLPD="${MLLPD:-$MLLPD_ROOT/build/mllpd}"
# The directory of the binaries under test (dirname, without a fork).
# shellcheck disable=SC2034 # used by the files that load this one
if [[ $MLLPD == */* ]]; then MLLPD_DIR=${MLLPD%/*}; else MLLPD_DIR=.; fi
MLLPD_TIMEOUT="${MLLPD_TIMEOUT:-30}"

# A sentinel that tests put into PID-5 and that must never appear in a log.
PHI_SENTINEL='ZZPHISENTINELZZ'

# --------------------------------------------------------------------------
# setup / teardown

# mllpd_setup: per-test paths; fails the test when the binary is missing.
mllpd_setup() {
	SPOOL="$BATS_TEST_TMPDIR/spool"
	MLLPD_STDOUT="$BATS_TEST_TMPDIR/mllpd.stdout"
	MLLPD_STDERR="$BATS_TEST_TMPDIR/mllpd.stderr"
	MLLPD_PIDFILE="$BATS_TEST_TMPDIR/bg.pids"
	: >"$MLLPD_PIDFILE"
	ACKS=()
	MLLPD_RUN_STDOUTS=()
	# A missing binary fails (never skips): a broken build must not pass.
	if [[ ! -x $MLLPD ]]; then
		fail "mllpd binary not found or not executable: $MLLPD (run make)"
	fi
}

# mllpd_teardown: stop every background process started with bg_start; unmount small_fs's.
mllpd_teardown() {
	bg_stop_all
	if [[ -n ${SMALL-} ]] && mountpoint -q "$SMALL"; then umount "$SMALL" || umount -l "$SMALL"; fi
	if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
		local i
		for i in "${!MLLPD_RUN_STDOUTS[@]}"; do
			echo "# stdout of run $((i + 1)): $(printf '%s' "${MLLPD_RUN_STDOUTS[i]}" | visible)"
		done
	fi
	return 0
}

# small_fs SIZE: a real file system of SIZE (a tmpfs) at $SMALL, unmounted by
# mllpd_teardown; the test is skipped where mounting is not allowed.
small_fs() {
	SMALL="$BATS_TEST_TMPDIR/small"
	mkdir -p "$SMALL"
	mount -t tmpfs -o "size=$1,mode=0755" tmpfs "$SMALL" 2>/dev/null || {
		SMALL=
		skip "cannot mount a tmpfs here (no CAP_SYS_ADMIN)"
	}
}

# --------------------------------------------------------------------------
# background processes (stopped by pid, never by name)

# bg_start CMD...: run CMD in the background under timeout; its pid is
# recorded (and left in $BG_PID) so teardown stops it.  Its stdin, stdout
# and stderr are the caller's (redirect the call); fd 3 (bats' own) is
# closed so bats never waits on it.
bg_start() {
	timeout -k 5 "$MLLPD_TIMEOUT" "$@" 3>&- &
	BG_PID=$!
	echo "$BG_PID" >>"$MLLPD_PIDFILE"
}

# bg_register PID: have teardown stop a process the test started itself.
bg_register() {
	echo "$1" >>"$MLLPD_PIDFILE"
}

# bg_stop PID: TERM, wait up to 5 s, then KILL.  Never fails.
bg_stop() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return 0
}

bg_stop_all() {
	local pid
	[[ -n ${MLLPD_PIDFILE:-} && -f $MLLPD_PIDFILE ]] || return 0
	while read -r pid; do
		[[ -n $pid ]] && bg_stop "$pid"
	done <"$MLLPD_PIDFILE"
	: >"$MLLPD_PIDFILE"
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fails the
# test after SECONDS.  For readiness only, never to assert timing.
wait_until() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "timed out after ${limit}s waiting for: $*"
}

# --------------------------------------------------------------------------
# building messages and frames

# hl7 SEG...: print the segments, each followed by \r.
hl7() {
	local s
	for s in "$@"; do printf '%s\r' "$s"; done
}

# sample_msg [CONTROL_ID [VERSION [MSH-9]]]: a small valid message (an
# ADT^A01) with PHI_SENTINEL in PID-5.
sample_msg() {
	local id=${1-MSG00001} ver=${2-2.5.1} type=${3-ADT^A01^ADT_A01}
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||$type|$id|P|$ver" \
		"EVN|A01|20260101120000" \
		"PID|1||12345^^^HOSP^MR||$PHI_SENTINEL^JOHN||19700101|M"
}

# sample_frame [CONTROL_ID [VERSION [MSH-9]]]: sample_msg framed, without a
# fork (a pipe into frame costs two; loops of hundreds add up to seconds).
sample_frame() {
	printf '\013'
	sample_msg "$@"
	printf '\034\r'
}

# frame [ -f FILE | STRING ]...: wrap each argument in 0x0B ... 0x1C 0x0D.
# -f FILE takes the bytes of FILE; any other argument is taken literally
# (printf %s: no escapes interpreted).  Without arguments, frames stdin.
frame() {
	if (($# == 0)); then
		printf '\013'
		cat
		printf '\034\r'
		return
	fi
	while (($#)); do
		if [[ $1 == -f ]]; then
			printf '\013'
			cat -- "$2"
			printf '\034\r'
			shift 2
		else
			printf '\013%s\034\r' "$1"
			shift
		fi
	done
}

# --------------------------------------------------------------------------
# running mllpd in pipe mode (start mode 1: fd 0 in, fd 1 out)

# mllpd_run [STATUS] ARGS... < INPUT
# Runs "$MLLPD" ARGS under timeout with the caller's stdin; stdout and stderr
# are kept apart in $MLLPD_STDOUT / $MLLPD_STDERR.  STATUS (a number, or '?'
# for any) is the expected exit status, 0 when omitted; a mismatch fails the
# test.  Sets $status, $stderr, $stderr_lines, and ACKS (see ack_split).
# Not meant to be called through `run`.
mllpd_run() {
	local expect=0
	if [[ $1 =~ ^[0-9]+$ || $1 == '?' ]]; then
		expect=$1
		shift
	fi
	echo "# \$ mllpd $*" >&2
	status=0
	timeout -k 5 "$MLLPD_TIMEOUT" "$MLLPD" "$@" >"$MLLPD_STDOUT" 2>"$MLLPD_STDERR" || status=$?
	stderr=$(<"$MLLPD_STDERR")
	mapfile -t stderr_lines <"$MLLPD_STDERR"
	# Rendered (od | awk) only if the test fails: see mllpd_teardown.
	MLLPD_RUN_STDOUTS+=("$(<"$MLLPD_STDOUT")")
	echo "# stdout: (run ${#MLLPD_RUN_STDOUTS[@]}, shown at the end if the test fails)" >&2
	echo "# stderr: $stderr" >&2
	echo "# status: $status" >&2
	if ((status == 124 || status == 137)); then
		fail "mllpd timed out after ${MLLPD_TIMEOUT}s: mllpd $*"
	fi
	if [[ $expect != '?' ]] && ((status != expect)); then
		fail "mllpd exited $status, expected $expect: mllpd $*"
	fi
	ack_split "$MLLPD_STDOUT" || true
}

# mllpd_send INPUT_FILE [STATUS] ARGS...: mllpd_run with stdin from INPUT_FILE.
mllpd_send() {
	local in=$1
	shift
	mllpd_run "$@" <"$in"
}

# --------------------------------------------------------------------------
# reading the output

# visible: stdin to one printable line: \r -> <CR>, \n -> <LF>, 0x0B -> <VT>,
# 0x1C -> <FS>, other non-printable bytes -> \xNN.
visible() {
	od -An -v -tx1 | tr -s ' \n' '  ' | awk '{
		for (i = 1; i <= NF; i++) {
			h = $i; v = 0
			for (j = 1; j <= 2; j++) v = v * 16 + index("0123456789abcdef", substr(h, j, 1)) - 1
			if (h == "0d") printf "<CR>"; else if (h == "0a") printf "<LF>";
			else if (h == "0b") printf "<VT>"; else if (h == "1c") printf "<FS>";
			else if (v >= 32 && v < 127) printf "%c", v; else printf "\\x%s", h
		}
		printf "\n" }'
}

# ack_split [FILE]: split FILE (default $MLLPD_STDOUT) into ACK frames: fills
# ACKS with each frame's bytes between 0x0B and 0x1C 0x0D.  Returns 1 (and
# leaves ACKS with what it parsed) when the output is not a clean sequence of
# 0x0B ... 0x1C 0x0D frames; assert_framed turns that into a test failure.
ack_split() {
	local f=${1:-$MLLPD_STDOUT} chunk first=1
	ACKS=()
	[[ -s $f ]] || return 0
	# read -d splits at each 0x1C in one pass (glob matching on the whole
	# output made 300 answers take minutes).
	while IFS= read -r -d $'\x1c' chunk; do
		if ((first)); then
			first=0
		else
			[[ $chunk == $'\r'* ]] || return 1
			chunk=${chunk#$'\r'}
		fi
		[[ $chunk == $'\x0b'* ]] || return 1
		ACKS+=("${chunk#$'\x0b'}")
	done <"$f"
	# What follows the last 0x1C is its CR, and nothing else.
	[[ $chunk == $'\r' ]]
}

# assert_framed: stdout is exactly a sequence of 0x0B ... 0x1C 0x0D frames.
assert_framed() {
	ack_split "$MLLPD_STDOUT" || fail "stdout is not a sequence of MLLP frames: $(visible <"$MLLPD_STDOUT")"
}

# ack_count: number of ACK frames on stdout.
ack_count() {
	echo "${#ACKS[@]}"
}

# assert_ack_count N
assert_ack_count() {
	assert_framed
	[[ ${#ACKS[@]} -eq $1 ]] ||
		fail "expected $1 ACK frame(s), got ${#ACKS[@]}: $(visible <"$MLLPD_STDOUT")"
}

# assert_no_answer: nothing at all on stdout.
assert_no_answer() {
	[[ ! -s $MLLPD_STDOUT ]] || fail "expected no bytes on stdout, got: $(visible <"$MLLPD_STDOUT")"
}

# ack [N]: print ACK frame N (1-based, default 1), raw.
ack() {
	local n=${1:-1}
	((n >= 1 && n <= ${#ACKS[@]})) || fail "no ACK frame $n (have ${#ACKS[@]})"
	printf '%s' "${ACKS[n - 1]}"
}

# The helpers below read $ACKS without forking (no pipes, no command
# substitutions): the suite makes tens of thousands of these calls, and a fork
# costs 3-4 ms on these machines.

# _ack_seg SEG [N]: _SEG is the first segment with ID SEG in frame N (no \r;
# segments end at \r or \n); status 1 when there is none.
_ack_seg() {
	local n=${2:-1} a s
	_SEG=
	if ((n < 1 || n > ${#ACKS[@]})); then
		echo "no ACK frame $n (have ${#ACKS[@]})" >&2
		return 1
	fi
	a=${ACKS[n - 1]//$'\n'/$'\r'}
	while [[ -n $a ]]; do
		s=${a%%$'\r'*}
		if [[ $a == *$'\r'* ]]; then a=${a#*$'\r'}; else a=; fi
		if [[ ${s:0:3} == "$1" ]]; then
			_SEG=$s
			return 0
		fi
	done
	return 1
}

# ack_segment SEG [N]: the first segment with ID SEG in frame N (no \r).
ack_segment() {
	_ack_seg "$1" "${2:-1}" || return 1
	printf '%s\n' "$_SEG"
}

# _split STRING SEP: fills _F with the fields of STRING (trailing empties kept).
_split() {
	local s=$1 d=$2
	_F=()
	while [[ -n $d && $s == *"$d"* ]]; do
		_F+=("${s%%"$d"*}")
		s=${s#*"$d"}
	done
	_F+=("$s")
}

# _ack_fld SEG FIELD [N]: _FLD is what ack_field prints.
_ack_fld() {
	local seg=$1 fld=$2 n=${3:-1} fs
	_FLD=
	_ack_seg MSH "$n" || return 1
	fs=${_SEG:3:1}
	_ack_seg "$seg" "$n" || return 1
	if [[ $seg == MSH ]]; then
		if ((fld == 1)); then
			_FLD=$fs
			return 0
		fi
		fld=$((fld - 1))
	fi
	_split "$_SEG" "$fs"
	_FLD=${_F[fld]-}
}

# ack_field SEG FIELD [N]: field FIELD of the first SEG segment of ACK frame N,
# HL7 numbering (MSH-1 is the field separator, MSH-2 the encoding characters).
# The field separator is read from the ACK's own MSH.  Empty output (status 0)
# for a missing field; status 1 when the segment is missing.
ack_field() {
	_ack_fld "$@" || return 1
	printf '%s\n' "$_FLD"
}

# _ack_mask [N]: _MASKED is frame N, raw, with MSH-7 replaced by <TS> when it
# has the form YYYYMMDDHHMMSS+ZZZZ (or -ZZZZ) and MSH-10 by <ID> when it is 1
# to 20 printable characters.  A malformed value stays visible, so an exact
# comparison catches it.
_ack_mask() {
	local n=${1:-1} a first rest fs
	((n >= 1 && n <= ${#ACKS[@]})) || fail "no ACK frame $n (have ${#ACKS[@]})"
	a=${ACKS[n - 1]}
	first=${a%%$'\r'*}
	if [[ $a == *$'\r'* ]]; then rest=$'\r'${a#*$'\r'}; else rest=; fi
	fs=${first:3:1}
	if [[ ${first:0:3} == MSH && -n $fs ]]; then
		_split "$first" "$fs"
		if [[ ${_F[6]-} =~ ^[0-9]{14}[+-][0-9]{4}$ ]]; then _F[6]='<TS>'; fi
		if [[ ${_F[9]-} =~ ^[[:print:]]{1,20}$ ]]; then _F[9]='<ID>'; fi
		local IFS=$fs
		first="${_F[*]}"
	fi
	_MASKED=$first$rest
}

# ack_masked [N]: frame N, raw, masked as _ack_mask says.
ack_masked() {
	_ack_mask "$@"
	printf '%s' "$_MASKED"
}

# assert_ack N SEGMENT...: frame N equals the SEGMENTs, each ended by \r,
# byte for byte after ack_masked (write <TS> and <ID> for MSH-7/MSH-10).
assert_ack() {
	local n=$1 want=
	shift
	(($# == 0)) || printf -v want '%s\r' "$@"
	_ack_mask "$n"
	if [[ $_MASKED != "$want" ]]; then
		batslib_print_kv_single_or_multi 8 \
			'frame' "$n" \
			'expected' "$(printf '%s' "$want" | visible)" \
			'actual' "$(printf '%s' "$_MASKED" | visible)" |
			batslib_decorate 'ACK bytes differ' | fail
	fi
}

# assert_ack_code CODE [N]: MSA-1 of frame N.
assert_ack_code() {
	local n=${2:-1}
	_ack_fld MSA 1 "$n" || fail "ACK frame $n has no MSA: $(ack "$n" | visible)"
	[[ $_FLD == "$1" ]] || fail "MSA-1 is '$_FLD', expected '$1' in: $(ack "$n" | visible)"
}

# --------------------------------------------------------------------------
# the spool

# _spool_names [SUBDIR]: _NAMES holds the names in $SPOOL/SUBDIR (default
# new), sorted (byte order: LC_ALL=C), dot files too; empty when the directory
# does not exist.  A glob, not find | sort: no fork.
_spool_names() {
	local d="$SPOOL/${1:-new}" ng=0 dg=0
	_NAMES=()
	[[ -d $d ]] || return 0
	shopt -q nullglob && ng=1
	shopt -q dotglob && dg=1
	shopt -s nullglob dotglob
	_NAMES=("$d"/*)
	((ng)) || shopt -u nullglob
	((dg)) || shopt -u dotglob
	_NAMES=("${_NAMES[@]##*/}")
}

# spool_files [SUBDIR]: the names in $SPOOL/SUBDIR (default new), sorted, one
# per line; nothing when the directory does not exist.
spool_files() {
	_spool_names "$@"
	((${#_NAMES[@]} == 0)) || printf '%s\n' "${_NAMES[@]}"
}

# spool_count [SUBDIR]
spool_count() {
	_spool_names "$@"
	echo "${#_NAMES[@]}"
}

# _spool_file N [SUBDIR]: _FILE is the path of the Nth (by name, i.e. arrival) file.
_spool_file() {
	local n=$1 d=${2:-new}
	_spool_names "$d"
	_FILE=
	if [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= ${#_NAMES[@]})); then
		_FILE=$SPOOL/$d/${_NAMES[n - 1]}
	fi
	[[ -n $_FILE ]] || fail "no file $n in $SPOOL/$d"
}

# spool_file N [SUBDIR]: path of the Nth (by name, i.e. arrival) file.
spool_file() {
	_spool_file "$@"
	printf '%s\n' "$_FILE"
}

# assert_spool_count N [SUBDIR]
assert_spool_count() {
	_spool_names "${2:-new}"
	[[ ${#_NAMES[@]} -eq $1 ]] ||
		fail "expected $1 file(s) in $SPOOL/${2:-new}, found ${#_NAMES[@]}: ${_NAMES[*]}"
}

# assert_spool_empty [SUBDIR]: no file in $SPOOL/SUBDIR (missing dir is empty).
assert_spool_empty() {
	assert_spool_count 0 "$@"
}

# assert_spooled N FILE: the Nth file in new/ has exactly the bytes of FILE
# and a contract name (<sec>.<9 digit ns>.<pid>.<seq>.hl7).
assert_spooled() {
	local f name
	_spool_file "$1"
	f=$_FILE
	name=${f##*/}
	[[ $name =~ ^[0-9]+\.[0-9]{9}\.[0-9]+\.[0-9]+\.hl7$ ]] || fail "spool name not per contract: $name"
	cmp -s -- "$f" "$2" || fail "$f differs from $2:
  spooled:  $(visible <"$f" | cut -c1-400)
  expected: $(visible <"$2" | cut -c1-400)"
}

# assert_spooled_only FILE: exactly one file in new/, byte-identical to FILE.
assert_spooled_only() {
	assert_spool_count 1
	assert_spooled 1 "$1"
}

# --------------------------------------------------------------------------
# stderr

# assert_stderr_line N TEXT: line N (0-based, as $stderr_lines) equals TEXT.
assert_stderr_line() {
	[[ ${stderr_lines[$1]-} == "$2" ]] ||
		fail "stderr line $1 is '${stderr_lines[$1]-<none>}', expected '$2'"
}

# assert_no_phi: PHI_SENTINEL appears neither on stderr nor in any log file given.
assert_no_phi() {
	local f
	for f in "$MLLPD_STDERR" "$@"; do
		if grep -aqF -- "$PHI_SENTINEL" "$f"; then
			fail "message content (PHI sentinel) leaked into $f"
		fi
	done
}
