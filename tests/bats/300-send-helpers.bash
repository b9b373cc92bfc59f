# SPDX-License-Identifier: MIT
# 300-send-helpers.bash: helpers for the mllp-send tests (run the sender, start receivers, read spools).
#
# Load after helpers and net:
#
#   load helpers
#   load net
#   load 300-send-helpers
#   setup()    { send_setup; }
#   teardown() { send_teardown; }
#
# SEND is the binary (default: mllp-send beside $MLLPD, so the ASan run
# tests build/asan/mllp-send).  T is $BATS_TEST_TMPDIR.
# shellcheck disable=SC2034

SEND="${SEND:-$MLLPD_DIR/mllp-send}"
HL7_SERVER="$MLLPD_ROOT/tests/tools/hl7_server.py"

send_setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	[[ -x $SEND ]] || skip "mllp-send binary not built: $SEND"
}

send_teardown() {
	mllpd_teardown
	sanitizer_check
}

# send_run [STATUS] ARGS...: run mllp-send ARGS in $T (so file names in its
# output are the relative names given) under a bound.  STATUS (default 0,
# '?' for any) is the expected exit status.  Sets $status, $output and
# $lines (stdout), $stderr and $stderr_lines.  stdin is the caller's.
send_run() {
	local expect=0
	if [[ $1 =~ ^[0-9]+$ || $1 == '?' ]]; then
		expect=$1
		shift
	fi
	echo "# \$ mllp-send $*" >&2
	status=0
	(cd "$T" && exec timeout -k 5 60 "$SEND" "$@") >"$T/send.out" 2>"$T/send.err" || status=$?
	output=$(<"$T/send.out")
	mapfile -t lines <"$T/send.out"
	stderr=$(<"$T/send.err")
	mapfile -t stderr_lines <"$T/send.err"
	printf '# stdout: %q\n# stderr: %s\n# status: %s\n' "$output" "$stderr" "$status" >&2
	if ((status == 124 || status == 137)); then
		fail "mllp-send timed out: mllp-send $*"
	fi
	if [[ $expect != '?' ]] && ((status != expect)); then
		fail "mllp-send exited $status, expected $expect: mllp-send $*"
	fi
}

# assert_stderr TEXT: stderr is exactly the one line TEXT.
assert_stderr() {
	[[ $stderr == "$1" ]] || fail "stderr is '$stderr', expected '$1'"
}

# mllpd_listen NAME SPOOL [ARGS...]: mllpd --listen on a free loopback port
# with --spool SPOOL; sets PORT (and SERVER_PID).
mllpd_listen() {
	local name=$1 spool=$2
	shift 2
	PORT=$(free_port)
	server_start "$name" "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$spool" "$@"
	wait_listen "$PORT"
}

# hl7_server_start NAME [ARGS...]: the python3-hl7 receiver on a free port; sets PORT.
hl7_server_start() {
	local name=$1
	shift
	"$PYTHON" -c 'import hl7.mllp' 2>/dev/null || skip "python3-hl7 not installed"
	PORT=$(free_port)
	server_start "$name" "$PYTHON" "$HL7_SERVER" "$@" "$PORT"
	wait_listen "$PORT"
}

# files_in DIR: the names in DIR, sorted, one per line (nothing if missing).
files_in() {
	[[ -d $1 ]] || return 0
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort
}

# count_in DIR
count_in() {
	files_in "$1" | grep -c . || true
}

# assert_count N DIR
assert_count() {
	local got
	got=$(count_in "$2")
	[[ $got -eq $1 ]] || fail "expected $1 file(s) in $2, found $got: $(files_in "$2" | tr '\n' ' ')"
}

# has_files DIR: true when DIR holds a file (a builtin test: no fork).
has_files() {
	compgen -G "$1/*" >/dev/null
}

# has_count N DIR: true when DIR holds N files (for wait_until).
has_count() {
	[[ $(count_in "$2") -eq $1 ]]
}

# control_ids FILE...: MSH-10 of each message file, one per line.
control_ids() {
	awk -F'|' 'BEGIN { RS = "\r" } FNR == 1 { print $10 }' "$@"
}

# spool_fill DIR FIRST LAST [PREFIX]: deliver messages PREFIX<FIRST>..PREFIX<LAST>
# (zero-padded to 4 digits) into spool DIR through mllpd in pipe mode.
spool_fill() {
	local dir=$1 first=$2 last=$3 prefix=${4:-M} i id
	# builtins only (printf -v, no command substitution): 200 messages cost no fork
	for ((i = first; i <= last; i++)); do
		printf -v id '%s%04d' "$prefix" "$i"
		printf '\013'
		sample_msg "$id"
		printf '\034\r'
	done >"$T/fill.in"
	timeout -k 5 60 "$MLLPD" --spool "$dir" --no-fsync <"$T/fill.in" >/dev/null 2>>"$T/fill.err" ||
		fail "mllpd could not fill $dir"
}
