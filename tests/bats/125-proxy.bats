#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 125-proxy: --proxy-protocol: the PROXY v1/v2 header names the peer, in every start mode.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	CAP="$MLLPD_ROOT/tests/tools/exec-capture.sh"
	sample_msg PX1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/m.framed"
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

SIG='\r\n\r\n\x00\r\nQUIT\n'
# The headers HAProxy writes: v1 text, v2 binary (127.0.0.2:56316 -> 127.0.0.1:2575;
# [2001:db8::7]:1024 -> [::1]:2575), and the health checks' LOCAL / UNKNOWN.
v1_tcp4() { printf 'PROXY TCP4 192.0.2.7 10.0.0.1 56324 2575\r\n'; }
v1_tcp6() { printf 'PROXY TCP6 2001:db8::7 ::1 1024 2575\r\n'; }
v1_unknown() { printf 'PROXY UNKNOWN\r\n'; }
v2_tcp4() { printf "$SIG"'\x21\x11\x00\x0c\x7f\x00\x00\x02\x7f\x00\x00\x01\xdb\xfc\x0a\x0f'; }
v2_tcp6() {
	printf "$SIG"'\x21\x21\x00\x24\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07'
	printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x04\x00\x0a\x0f'
}
v2_local() { printf "$SIG"'\x20\x00\x00\x00'; }

# with HEADER: HEADER's bytes then the framed message, in $T/in (one write to a socket).
with() {
	{
		"$1"
		cat "$T/m.framed"
	} >"$T/in"
}

# assert_served PREFIX: one AA for PX1, the message spooled, and the log lines under PREFIX.
assert_served() {
	assert_ack_count 1
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
	[[ $stderr == *"mllpd: $1: message id=PX1 "* ]] || fail "no message line under '$1:': $stderr"
	[[ $stderr == *"mllpd: $1: closed: messages=1 "* ]] || fail "no closing line under '$1:': $stderr"
}

# assert_refused: no answer, nothing spooled, one warning naming --proxy-protocol.
assert_refused() {
	assert_no_answer
	[[ ! -d $SPOOL/new ]] || assert_spool_count 0
	[[ $stderr == *"--proxy-protocol: $1"*": closed, nothing answered"* ]] ||
		fail "no refusal line '$1': $stderr"
	[[ $stderr != *"message id="* ]] || fail "a message was handled: $stderr"
}

@test "proxy: v1 TCP4 names the peer: log prefix, journal's REMOTE_ADDR, --exec's MLLP_REMOTE_*" {
	with v1_tcp4
	mllpd_run --proxy-protocol --spool "$SPOOL" --exec "'$CAP' '$T/cap'" <"$T/in"
	assert_served 192.0.2.7:56324
	[[ $(<"$T/cap/env.MLLP_REMOTE_ADDR") == 192.0.2.7 ]] || fail "MLLP_REMOTE_ADDR: $(<"$T/cap/env.MLLP_REMOTE_ADDR")"
	[[ $(<"$T/cap/env.MLLP_REMOTE_PORT") == 56324 ]] || fail "MLLP_REMOTE_PORT: $(<"$T/cap/env.MLLP_REMOTE_PORT")"
	cmp "$T/cap/stdin" "$T/m.hl7"
}

@test "proxy: v2 TCP4 names the peer" {
	with v2_tcp4
	mllpd_run --proxy-protocol --spool "$SPOOL" <"$T/in"
	assert_served 127.0.0.2:56316
}

@test "proxy: v1 and v2 TCP6 name the peer in brackets" {
	with v1_tcp6
	mllpd_run --proxy-protocol --spool "$SPOOL" --exec "'$CAP' '$T/cap'" <"$T/in"
	assert_served '[2001:db8::7]:1024'
	[[ $(<"$T/cap/env.MLLP_REMOTE_ADDR") == 2001:db8::7 ]] || fail "MLLP_REMOTE_ADDR: $(<"$T/cap/env.MLLP_REMOTE_ADDR")"
	rm -rf "$SPOOL"
	with v2_tcp6
	mllpd_run --proxy-protocol --spool "$SPOOL" <"$T/in"
	assert_served '[2001:db8::7]:1024'
}

@test "proxy: v2 LOCAL and v1 UNKNOWN keep the connection's own peer" {
	with v2_local
	mllpd_run --proxy-protocol --spool "$SPOOL" <"$T/in"
	assert_served stdin
	rm -rf "$SPOOL"
	with v1_unknown
	mllpd_run --proxy-protocol --spool "$SPOOL" <"$T/in"
	assert_served stdin
}

@test "proxy: without --proxy-protocol a header is bytes outside a frame" {
	with v1_tcp4
	mllpd_run --spool "$SPOOL" <"$T/in"
	assert_served stdin
	[[ $stderr == *"bytes outside frames skipped"* ]] || fail "header not seen as junk: $stderr"
}

@test "proxy: no header: closed, no answer, nothing delivered, exit 76" {
	mllpd_run 76 --proxy-protocol --spool "$SPOOL" --exec "'$CAP' '$T/cap'" <"$T/m.framed"
	assert_refused "not a PROXY protocol header"
	[[ ! -e $T/cap ]] || fail "--exec ran"
	assert_stderr_line 0 "mllpd: stdin: --proxy-protocol: not a PROXY protocol header (15 bytes): closed, nothing answered"
	[[ ${#stderr_lines[@]} -eq 1 ]] || fail "more than one log line: $stderr"
}

@test "proxy: malformed headers are refused, each with its reason" {
	printf 'PROXY TCP4 192.0.2.7 10.0.0.1 65536 2575\r\n' >"$T/bad"
	cat "$T/m.framed" >>"$T/bad"
	mllpd_run 76 --proxy-protocol --spool "$SPOOL" <"$T/bad"
	assert_refused "version 1: a port not a decimal number 0..65535"
	printf "$SIG"'\x21\x12\x00\x0c123456789012' >"$T/bad"
	mllpd_run 76 --proxy-protocol --spool "$SPOOL" <"$T/bad"
	assert_refused "version 2: family or transport not TCP, UNSPEC or UNIX stream"
	head -c 200 /dev/zero | tr '\0' 'x' | sed 's/^/PROXY UNKNOWN /' >"$T/bad"
	mllpd_run 76 --proxy-protocol --spool "$SPOOL" <"$T/bad"
	assert_refused "version 1: no CRLF within 107 bytes"
}

@test "proxy: a header cut short by the end of the connection is refused" {
	v1_tcp4 | head -c 20 >"$T/bad"
	mllpd_run 76 --proxy-protocol --spool "$SPOOL" <"$T/bad"
	assert_refused "connection closed inside the PROXY header"
}

@test "proxy: a connection closed before any byte ends quietly (health checks), exit 0" {
	mllpd_run 0 --proxy-protocol --spool "$SPOOL" </dev/null
	assert_no_answer
	[[ -z $stderr ]] || fail "logged: $stderr"
}

@test "proxy: a header not whole within --frame-timeout: closed, nothing answered" {
	# the writer stays on after mllpd gives up: mllpd must not wait for it
	mllpd_run 76 --proxy-protocol --frame-timeout 1 --spool "$SPOOL" < <(
		printf 'PROXY TCP4 192.0.2.7 '
		sleep 4
		printf '10.0.0.1 1 2\r\n'
		cat "$T/m.framed"
	)
	assert_refused "no whole PROXY header within 1s"
}

@test "proxy: --listen: header and first frame in one write, nothing of the frame lost" {
	listen_start --proxy-protocol --spool "$SPOOL"
	with v2_tcp4
	run mllp_client --framed --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_output --regexp '^MSA\|AA\|PX1'
	assert_spooled_only "$T/m.hl7"
	wait_until 5 grep -q 'mllpd: 127.0.0.2:56316: closed: messages=1' "$T/server.err"
}

@test "proxy: --listen: header and frame split byte by byte" {
	listen_start --proxy-protocol --spool "$SPOOL"
	with v1_tcp6
	run mllp_client --framed --chunk 1 --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_output --regexp '^MSA\|AA\|PX1'
	assert_spooled_only "$T/m.hl7"
	wait_until 5 grep -q 'mllpd: \[2001:db8::7\]:1024: closed: messages=1' "$T/server.err"
}

@test "proxy: --listen: several messages after the header, pipelined" {
	listen_start --proxy-protocol --spool "$SPOOL"
	{
		v1_tcp4
		for i in 1 2 3; do sample_frame "PXP$i"; done
	} >"$T/in"
	run mllp_client --framed --expect 3 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_line --index 2 --regexp '^MSA\|AA\|PXP3'
	assert_spool_count 3
}

@test "proxy: --listen: LOCAL keeps the socket's peer; garbage is closed with no answer" {
	listen_start --proxy-protocol --spool "$SPOOL"
	with v2_local
	run mllp_client --framed --expect 1 --port-file "$T/cport" 127.0.0.1 "$PORT" "$T/in"
	assert_success
	wait_until 5 grep -q "mllpd: 127.0.0.1:$(<"$T/cport"): closed: messages=1" "$T/server.err"
	run mllp_client --framed --expect 1 127.0.0.1 "$PORT" "$T/m.framed"
	[[ $status -eq 3 ]] || fail "client status $status, expected 3 (closed without an ACK): $output"
	assert_spool_count 1
	wait_until 5 grep -q -- '--proxy-protocol: not a PROXY protocol header' "$T/server.err"
}

@test "proxy: --listen: a LOCAL header and the end (a health check) leaves no log line" {
	listen_start --proxy-protocol --spool "$SPOOL"
	v2_local >"$T/hc"
	# the header and the FIN together, as HAProxy's check sends them
	timeout 10 "${PYTHON:-python3}" - "$PORT" "$T/hc" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(open(sys.argv[2], "rb").read())
s.shutdown(socket.SHUT_WR)
assert s.recv(1) == b""
EOF
	# then a real connection, whose closing line shows the check's would be there by now
	with v2_tcp4
	run mllp_client --framed --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	wait_until 5 grep -q 'mllpd: 127.0.0.2:56316: closed: messages=1' "$T/server.err"
	run grep -c 'closed:' "$T/server.err"
	assert_output 1
	! grep -q 'exited' "$T/server.err" || fail "a connection process failed: $(cat "$T/server.err")"
}

@test "proxy: systemd socket activation, Accept=yes, connection on fd 0" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" --accept --inetd "$MLLPD" \
		--proxy-protocol --spool "$SPOOL"
	wait_listen "$PORT"
	with v2_tcp4
	run mllp_client --framed --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_spooled_only "$T/m.hl7"
	wait_until 5 grep -q 'mllpd: 127.0.0.2:56316: closed: messages=1' "$T/server.err"
}

@test "proxy: systemd socket activation, Accept=yes, connection on fd 3" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" --accept "$MLLPD" \
		--proxy-protocol --spool "$SPOOL"
	wait_listen "$PORT"
	with v1_tcp4
	run mllp_client --framed --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_spooled_only "$T/m.hl7"
	wait_until 5 grep -q 'mllpd: 192.0.2.7:56324: closed: messages=1' "$T/server.err"
}

@test "proxy: systemd socket activation, Accept=no (listening socket)" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" "$MLLPD" --proxy-protocol \
		--spool "$SPOOL"
	wait_listen "$PORT"
	with v2_tcp6
	run mllp_client --framed --chunk 7 --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_spooled_only "$T/m.hl7"
	wait_until 5 grep -q 'mllpd: \[2001:db8::7\]:1024: closed: messages=1' "$T/server.err"
}

@test "proxy: tcpserver: the header wins over TCPREMOTEIP" {
	command -v tcpserver >/dev/null || skip "tcpserver not installed"
	server_start server tcpserver -q -H -R -l localhost 127.0.0.1 "$PORT" "$MLLPD" --proxy-protocol \
		--spool "$SPOOL" --exec "'$CAP' '$T/cap'"
	wait_listen "$PORT"
	with v1_tcp4
	run mllp_client --framed --expect 1 127.0.0.1 "$PORT" "$T/in"
	assert_success
	assert_spooled_only "$T/m.hl7"
	[[ $(<"$T/cap/env.MLLP_REMOTE_ADDR") == 192.0.2.7 ]] || fail "MLLP_REMOTE_ADDR: $(<"$T/cap/env.MLLP_REMOTE_ADDR")"
	wait_until 5 grep -q 'mllpd: 192.0.2.7:56324: closed: messages=1' "$T/server.err"
}

@test "proxy: --config: proxy-protocol as a flag line" {
	printf 'spool = %s\nproxy-protocol\n' "$SPOOL" >"$T/c.conf"
	with v2_tcp4
	mllpd_run --config "$T/c.conf" <"$T/in"
	assert_served 127.0.0.2:56316
}

# tls_proxy_client HEADER_FN: connect, write the header in the clear, then TLS, the frame,
# one ACK.  Prints the ACK's MSA segment.
tls_proxy_client() {
	"$1" >"$T/hdr"
	timeout 20 "${PYTHON:-python3}" - "$PORT" "$T/hdr" "$T/m.framed" <<'EOF'
import socket, ssl, sys
port, hdr, msg = int(sys.argv[1]), open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(hdr)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = ctx.wrap_socket(s)
t.sendall(msg)
ack = b""
while b"\x1c" not in ack:
    d = t.recv(4096)
    if not d:
        break
    ack += d
print([x for x in ack.decode("latin-1").split("\r") if x.startswith("MSA")][0])
EOF
}

@test "proxy: with built-in TLS the header comes before the handshake" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
		-days 2 -keyout "$T/k.pem" -out "$T/c.pem" 2>/dev/null
	listen_start --proxy-protocol --tls-cert "$T/c.pem" --tls-key "$T/k.pem" --spool "$SPOOL"
	run tls_proxy_client v2_tcp4
	assert_success
	assert_output --regexp '^MSA\|AA\|PX1'
	assert_spooled_only "$T/m.hl7"
	wait_until 5 grep -q 'mllpd: 127.0.0.2:56316: closed: messages=1 .* tls=TLSv1' "$T/server.err"
	# a TLS client that sends no header: refused before any handshake
	run tls_proxy_client true
	assert_failure
	wait_until 5 grep -q -- '--proxy-protocol: not a PROXY protocol header' "$T/server.err"
	assert_spool_count 1
}
