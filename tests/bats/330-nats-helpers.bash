# SPDX-License-Identifier: MIT
# 330-nats-helpers.bash: a real three-node nats-server cluster with JetStream, a stream with 3
# replicas, and the mllp-nats runner, for the mllp-nats tests.
#
# Load after helpers and net:
#
#   load helpers
#   load net
#   load 330-nats-helpers
#   setup()    { nats_setup; }
#   teardown() { nats_teardown; }
#
# MLLP_NATS is the binary (default: beside $MLLPD, so the ASan run tests build/asan/mllp-nats);
# NATS_STREAM is the tests' stream tool (build/.../tools/nats-stream).  After nats_cluster_start:
# NATS_URLS (all three client URLs), NATS_URL[1..3], NATS_PID[1..3] (each nats-server's own pid).
# shellcheck disable=SC2034

MLLP_NATS="${MLLP_NATS:-$MLLPD_DIR/mllp-nats}"
NATS_STREAM="${NATS_STREAM:-$MLLPD_DIR/tools/nats-stream}"

nats_setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	[[ -x $MLLP_NATS ]] || fail "mllp-nats binary not built: $MLLP_NATS"
	[[ -x $NATS_STREAM ]] || fail "nats-stream tool not built: $NATS_STREAM (make units)"
	command -v nats-server >/dev/null || skip "nats-server not installed (apt-get install nats-server)"
	NATS_URL=() NATS_PID=() NATS_CONF=()
}

nats_teardown() {
	mllpd_teardown
	sanitizer_check
}

# distinct_ports N: N free ports from the range, no two the same.
distinct_ports() {
	local -A seen=()
	local p n=0
	while ((n < $1)); do
		p=$(free_port)
		[[ -n ${seen[$p]:-} ]] && continue
		seen[$p]=1
		echo "$p"
		n=$((n + 1))
	done
}

# nats_node_start I: start node I (1..3) from its configuration; sets NATS_PID[I].
nats_node_start() {
	local i=$1
	server_start "nats$i" nats-server -c "${NATS_CONF[i]}"
	wait_listen "${NATS_PORT[i]}" 20
	NATS_PID[i]=$(pgrep -P "$SERVER_PID")
	[[ -n ${NATS_PID[i]} ]] || fail "no nats-server under $SERVER_PID"
}

# nats_conf I [CLUSTER]: node I's configuration (its own store under $T; CLUSTER, a cluster
# block, joins it to the others), then the node started.
nats_conf() {
	local i=$1
	NATS_CONF[i]="$T/nats$i.conf"
	cat >"${NATS_CONF[i]}" <<-CONF
		server_name: n$i
		listen: 127.0.0.1:${NATS_PORT[i]}
		jetstream { store_dir: "$T/nats$i", max_memory_store: 64MB, max_file_store: 1GB }
		${2:-}
	CONF
	nats_node_start "$i"
}

# nats_cluster_start: three nodes joined by routes; streams get 3 replicas.
nats_cluster_start() {
	local ports i routes=
	mapfile -t ports < <(distinct_ports 6)
	for i in 1 2 3; do
		NATS_PORT[i]=${ports[i - 1]}
		NATS_URL[i]="nats://127.0.0.1:${ports[i - 1]}"
		routes+="nats://127.0.0.1:${ports[i + 2]},"
	done
	NATS_URLS="${NATS_URL[1]},${NATS_URL[2]},${NATS_URL[3]}"
	NATS_REPLICAS=3
	for i in 1 2 3; do
		nats_conf "$i" "cluster { name: c, listen: 127.0.0.1:${ports[i + 2]}, routes: [${routes%,}] }"
	done
}

# nats_single_start: one node with JetStream and no cluster, as node 1 (NATS_URLS is its URL):
# a client of it learns no other server to reconnect to; streams get 1 replica.
nats_single_start() {
	NATS_PORT[1]=$(free_port)
	NATS_URL[1]="nats://127.0.0.1:${NATS_PORT[1]}"
	NATS_URLS=${NATS_URL[1]}
	NATS_REPLICAS=1
	nats_conf 1
}

# nats_stream_create NAME SUBJECT [MAX_MSG_SIZE [DUP_SECONDS]]: a file stream with a replica on
# every node started (3, or 1 after nats_single_start).
nats_stream_create() {
	timeout -k 5 60 "$NATS_STREAM" "$NATS_URLS" create "$1" "$2" "${NATS_REPLICAS:-3}" \
		"${3:--1}" "${4:-120}" ||
		fail "could not create stream $1"
}

# nats_stream CMD NAME: count, leader or dump (SEQ SUBJECT MSGID LENGTH per message).
nats_stream() {
	timeout -k 5 60 "$NATS_STREAM" "$NATS_URLS" "$@"
}

# nats_kill I: kill -9 node I.
nats_kill() {
	kill -KILL "${NATS_PID[$1]}"
}

# nats_run [STATUS] ARGS...: run mllp-nats ARGS under a bound, stdin the caller's; STATUS
# (default 0) is the expected exit status.  Sets $status, $output, $stderr.
nats_run() {
	local expect=0
	if [[ $1 =~ ^[0-9]+$ ]]; then
		expect=$1
		shift
	fi
	echo "# \$ mllp-nats $*" >&2
	status=0
	timeout -k 5 120 "$MLLP_NATS" "$@" >"$T/nats.out" 2>"$T/nats-run.err" || status=$?
	output=$(<"$T/nats.out")
	stderr=$(<"$T/nats-run.err")
	printf '# stdout: %q\n# stderr: %s\n# status: %s\n' "$output" "$stderr" "$status" >&2
	((status != 124 && status != 137)) || fail "mllp-nats timed out: mllp-nats $*"
	((status == expect)) || fail "mllp-nats exited $status, expected $expect: mllp-nats $*"
}

# haproxy_start PORT BACKEND_PORT...: a real HAProxy in TCP mode on 127.0.0.1:PORT, round
# robin over the backends with health checks; its configuration is written here (inline).
haproxy_start() {
	local port=$1 i=0 b
	shift
	command -v haproxy >/dev/null || skip "haproxy not installed (apt-get install haproxy)"
	{
		printf 'global\n\tmaxconn 200\n'
		printf 'defaults\n\tmode tcp\n\ttimeout connect 2s\n\ttimeout client 60s\n'
		printf '\ttimeout server 60s\n\tretries 3\n\toption redispatch\n'
		printf 'frontend mllp\n\tbind 127.0.0.1:%s\n\tdefault_backend receivers\n' "$port"
		printf 'backend receivers\n\tbalance roundrobin\n'
		for b in "$@"; do
			i=$((i + 1))
			printf '\tserver r%s 127.0.0.1:%s check inter 200ms fall 1 rise 2\n' "$i" "$b"
		done
	} >"$T/haproxy.cfg"
	haproxy -c -q -f "$T/haproxy.cfg" || fail "haproxy.cfg does not check"
	server_start haproxy haproxy -db -f "$T/haproxy.cfg"
	wait_listen "$port"
}
