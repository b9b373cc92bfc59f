# SPDX-License-Identifier: MIT
# haproxy.bash: a real HAProxy (Debian package haproxy) in front of mllpd backends, for the tests.
#
# Load after helpers and net:
#
#   load helpers
#   load net
#   load haproxy
#
# haproxy_conf writes $T/haproxy.cfg: TCP mode, a frontend on 127.0.0.1:$HAP_PORT,
# a backend of the given servers with `check` (every 200 ms, down after 2 failures),
# retries with redispatch, and an admin socket at $T/haproxy.sock.
# haproxy_start runs it in the foreground (-db) under server_start; HAP_PID is
# HAProxy's own pid (stopped by teardown through its timeout wrapper, or
# killed by pid by the test).
# shellcheck disable=SC2034,SC2154 # $status, $output: bats run

# haproxy_conf SEND_PROXY NAME:PORT...: SEND_PROXY is send-proxy or send-proxy-v2.
haproxy_conf() {
	local send=$1 s
	shift
	command -v haproxy >/dev/null || skip "haproxy not installed (Debian package haproxy)"
	HAP_PORT=$(free_port)
	{
		printf 'global\n\tstats socket %s mode 600 level admin\n' "$T/haproxy.sock"
		printf '\tlog stderr format short local0 info\n'
		printf 'defaults\n\tmode tcp\n\tlog global\n\toption tcplog\n'
		printf '\ttimeout connect 1s\n\ttimeout client 30s\n\ttimeout server 30s\n'
		printf '\tretries 3\n\toption redispatch 1\n'
		printf 'frontend mllp\n\tbind 127.0.0.1:%s\n\tdefault_backend mllpd\n' "$HAP_PORT"
		printf 'backend mllpd\n\tbalance roundrobin\n'
		printf '\tdefault-server %s check inter 200ms fall 2 rise 2\n' "$send"
		for s in "$@"; do
			printf '\tserver %s 127.0.0.1:%s\n' "${s%%:*}" "${s#*:}"
		done
	} >"$T/haproxy.cfg"
}

# haproxy_start: check the configuration, start HAProxy, wait until it listens
# and every server is UP.
haproxy_start() {
	run haproxy -c -f "$T/haproxy.cfg"
	[[ $status -eq 0 ]] || fail "haproxy -c: $output"
	server_start haproxy haproxy -db -f "$T/haproxy.cfg"
	wait_listen "$HAP_PORT"
	HAP_PID=$(pgrep -P "$SERVER_PID")
	[[ -n $HAP_PID ]] || fail "no haproxy process under $SERVER_PID"
	wait_until 10 haproxy_all_up
}

# haproxy_stat: "SERVER STATUS" lines of the backend, from the admin socket.
haproxy_stat() {
	echo 'show stat' | socat - "UNIX-CONNECT:$T/haproxy.sock" |
		awk -F, '$1 == "mllpd" && $2 != "BACKEND" { print $2, $18 }'
}

# haproxy_all_up: every server of the backend is UP.
haproxy_all_up() {
	local st
	st=$(haproxy_stat) || return 1
	[[ -n $st ]] && ! grep -qv ' UP$' <<<"$st"
}

# haproxy_status SERVER: its status (UP, DOWN, ...).
haproxy_status() {
	haproxy_stat | awk -v s="$1" '$1 == s { print $2 }'
}
