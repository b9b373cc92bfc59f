# SPDX-License-Identifier: MIT
# net.bash: network helpers for the mllpd bats tests (ports, servers, the MLLP client).
#
# Load after helpers (it uses bg_start, wait_until, fail):
#
#   load helpers
#   load net
#
# Everything is loopback only (127.0.0.1, ::1).  Every wait is bounded.
#
# Functions here set variables for their callers (SERVER_PID, CLIENT_PID,
# CLIENT_STATUS, PID_STATUS).
# shellcheck disable=SC2034

# Prefer the system interpreter: the pyenv shim costs a third of a second
# per call.  Only the standard library is used.
if [[ -z ${PYTHON:-} ]]; then
	if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
MLLP_CLIENT="$MLLPD_ROOT/tests/tools/mllp_client.py"

# free_port [4|6]: print a TCP port free on the loopback address (127.0.0.1,
# or ::1 with 6): a random one from MLLPD_PORT_RANGE=LO-HI (set by tests/run,
# one range per build, below the ephemeral ports), so that suites running
# side by side never pick the same port between free_port and the server's
# bind; without it, from the kernel's ephemeral range.  A port is free when
# no TCP socket of either family has it (/proc/net/tcp, tcp6): read by the
# shell itself, as every helper here, since a fork costs 3-4 ms and a Python
# start 30 ms on these machines.
free_port() {
	local lo hi p i
	if [[ -n ${MLLPD_PORT_RANGE:-} ]]; then
		lo=${MLLPD_PORT_RANGE%-*} hi=${MLLPD_PORT_RANGE#*-}
	else
		read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	fi
	for ((i = 0; i < 1000; i++)); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
		if ! _port_used "$p"; then
			echo "$p"
			return 0
		fi
	done
	echo "free_port: no free port in $lo-$hi" >&2
	return 1
}

# _port_used PORT [STATE]: some TCP socket (IPv4 or IPv6) has PORT as its local
# port (and is in STATE, hex as in /proc/net/tcp: 0A is LISTEN).
_port_used() {
	local hex f local_addr st
	printf -v hex '%04X' "$1"
	for f in /proc/net/tcp /proc/net/tcp6; do
		[[ -r $f ]] || continue
		while read -r _ local_addr _ st _; do
			[[ $local_addr == *":$hex" && ( -z ${2:-} || $st == "$2" ) ]] && return 0
		done <"$f"
	done
	return 1
}

# have_ipv6_loopback: ::1 can be bound here.
have_ipv6_loopback() {
	"$PYTHON" -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null
}

# port_listening PORT: some socket is in LISTEN state on TCP PORT (IPv4 or
# IPv6).  Read from /proc, so no probe connection reaches the server.
port_listening() {
	_port_used "$1" 0A
}

# wait_listen PORT [SECONDS]: wait (bounded, default 10 s) until PORT listens.
wait_listen() {
	wait_until "${2:-10}" port_listening "$1"
}

# wait_not_listen PORT [SECONDS]: wait (bounded) until nothing listens on PORT.
wait_not_listen() {
	wait_until "${2:-10}" eval "! port_listening $1"
}

# server_start NAME CMD...: start a server in the background (stopped by pid
# in teardown), stdin from /dev/null, stdout and stderr in
# $BATS_TEST_TMPDIR/NAME.out and NAME.err.  Sets SERVER_PID.
server_start() {
	local name=$1
	shift
	echo "# server $name: $*" >&2
	bg_start "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err"
	SERVER_PID=$BG_PID
}

# server_log NAME: the stderr of server NAME, printed for the test log.
server_log() {
	echo "# --- $1.err:" >&2
	sed 's/^/#   /' "$BATS_TEST_TMPDIR/$1.err" | visible_lines >&2 || true
}

# visible_lines: like visible (helpers), but line by line.
visible_lines() {
	local line
	while IFS= read -r line; do
		printf '%s' "$line" | visible
	done
}

# mllp_client ARGS...: the MLLP test client (tests/tools/mllp_client.py)
# under a bound; see its --help.  Call it through `run` or redirect it.
mllp_client() {
	timeout -k 5 60 "$PYTHON" "$MLLP_CLIENT" "$@"
}

# client_start NAME ARGS...: the MLLP client in the background; stdout to
# $BATS_TEST_TMPDIR/NAME.out, stderr to NAME.err.  Sets CLIENT_PID.
client_start() {
	local name=$1
	shift
	bg_start "$PYTHON" "$MLLP_CLIENT" "$@" </dev/null \
		>"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err"
	CLIENT_PID=$BG_PID
}

# client_wait PID [SECONDS]: wait (bounded, default 20 s) for a background
# client and set CLIENT_STATUS to its exit status.
client_wait() {
	local pid=$1 limit=${2:-20} i
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "client $pid still running after ${limit}s"
	fi
	CLIENT_STATUS=0
	wait "$pid" || CLIENT_STATUS=$?
}

# pid_wait PID [SECONDS]: wait (bounded) for a child process of this shell
# to exit; sets PID_STATUS.  Fails when it is still running.
pid_wait() {
	local pid=$1 limit=${2:-10} i
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "process $pid still running after ${limit}s"
	PID_STATUS=0
	wait "$pid" || PID_STATUS=$?
}

# children_of PID: the pids of the direct children of PID, one per line.
children_of() {
	pgrep -P "$1" || true
}

# msa_line FILE N: line N (1-based) of a client's --print msa output.
msa_line() {
	sed -n "${2}p" "$1"
}

# assert_msa FILE N CODE ID: line N of the client's msa output is MSA|CODE|ID
# (further MSA fields allowed).
assert_msa() {
	local got
	got=$(msa_line "$1" "$2")
	[[ $got == "MSA|$3|$4" || $got == "MSA|$3|$4|"* ]] ||
		fail "ACK $2: expected MSA|$3|$4, got '$got' (all: $(tr '\n' ' ' <"$1"))"
}

# msg_file NAME [CONTROL_ID [VERSION]]: write sample_msg to
# $BATS_TEST_TMPDIR/NAME and print the path.
msg_file() {
	local f="$BATS_TEST_TMPDIR/$1"
	sample_msg "${2-MSG00001}" "${3-2.5.1}" >"$f"
	printf '%s\n' "$f"
}

# spool_only_file: path of the single file in $SPOOL/new (fails otherwise).
spool_only_file() {
	assert_spool_count 1
	spool_file 1
}

# sanitizer_check: fail when a sanitizer (ASan, LSan, UBSan) reported into
# any *.err file of this test: servers and their children exit where no
# status is seen, so their reports are the only trace.  Call from teardown,
# after the servers are stopped.
sanitizer_check() {
	local f hits=
	for f in "$BATS_TEST_TMPDIR"/*.err; do
		[[ -f $f ]] || continue
		if grep -aqE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f"; then
			hits+="${f##*/}: $(grep -aE -m 3 'ERROR: |runtime error:|#[0-9] ' "$f" | head -n 12)"$'\n'
		fi
	done
	[[ -z $hits ]] || fail "sanitizer report(s):"$'\n'"$hits"
}

# listen_start ARGS...: mllpd --listen on $PORT with ARGS; sets MPID to
# mllpd's own pid (server_start's pid is the timeout wrapper's).
listen_start() {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" "$@"
	wait_listen "$PORT"
	MPID=$(pgrep -P "$SERVER_PID")
	[[ -n $MPID ]] || fail "no mllpd process under $SERVER_PID"
}
