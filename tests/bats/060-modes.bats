#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 060-modes: every start mode, each with the real super-server; --listen, limits, SIGTERM.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	CAP="$MLLPD_ROOT/tests/tools/exec-capture.sh"
	sample_msg MODE1 >"$T/m.hl7"
}

teardown() {
	if [[ -n ${FIFO_FD_OPEN:-} ]]; then exec 5>&-; fi
	mllpd_teardown
	sanitizer_check
}

# served_ok ID [ACKFILE]: the client output ($output) is one MSA|AA|ID line.
assert_aa_output() {
	assert_output --regexp "^MSA\\|AA\\|$1(\\|.*)?\$"
}

# send_one PORT FILE ID [HOST]: send FILE, expect AA for ID.
send_one() {
	run mllp_client --print msa "${4:-127.0.0.1}" "$1" "$2"
	if [[ $status -ne 0 ]]; then
		server_log server
	fi
	assert_success
	assert_aa_output "$3"
}

@test "modes: plain pipe (fd 0/1)" {
	mllpd_run --spool "$SPOOL" < <(frame -f "$T/m.hl7")
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSA 2
	assert_output MODE1
	assert_spooled_only "$T/m.hl7"
}

@test "modes: systemd-socket-activate --accept --inetd (connection on fd 0/1)" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" --accept --inetd "$MLLPD" --spool "$SPOOL"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
	assert_spooled_only "$T/m.hl7"
	# a second connection gets its own process
	sample_msg MODE2 >"$T/m2.hl7"
	send_one "$PORT" "$T/m2.hl7" MODE2
	assert_spool_count 2
	assert_spooled 2 "$T/m2.hl7"
}

@test "modes: systemd-socket-activate --accept (LISTEN_FDS=1, connected socket on fd 3)" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" --accept "$MLLPD" --spool "$SPOOL" --exec "'$CAP' '$T/cap'"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
	assert_spooled_only "$T/m.hl7"
	cmp "$T/cap/stdin" "$T/m.hl7"
	# LISTEN_* are mllpd's business, not the command's
	[[ ! -e $T/cap/env.LISTEN_FDS && ! -e $T/cap/env.LISTEN_PID ]] || fail "LISTEN_* passed on to --exec"
}

@test "modes: systemd-socket-activate, listening socket: connections in sequence" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" "$MLLPD" --spool "$SPOOL"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
	sample_msg MODE2 >"$T/m2.hl7"
	send_one "$PORT" "$T/m2.hl7" MODE2
	assert_spool_count 2
	assert_spooled 1 "$T/m.hl7"
	assert_spooled 2 "$T/m2.hl7"
}

@test "modes: systemd-socket-activate, listening socket: two connections at once" {
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" "$MLLPD" --spool "$SPOOL"
	local srv=$SERVER_PID
	wait_listen "$PORT"
	sample_msg CONA >"$T/a.hl7"
	sample_msg CONB >"$T/b.hl7"
	# each client holds its connection open after its ACK until released:
	# both ACKs while both are connected means both were served at once
	client_start ca --ready-file "$T/a.ready" --hold-file "$T/release" 127.0.0.1 "$PORT" "$T/a.hl7"
	local pa=$CLIENT_PID
	client_start cb --ready-file "$T/b.ready" --hold-file "$T/release" 127.0.0.1 "$PORT" "$T/b.hl7"
	local pb=$CLIENT_PID
	wait_until 10 test -e "$T/a.ready"
	wait_until 10 test -e "$T/b.ready"
	touch "$T/release"
	client_wait "$pa"
	[[ $CLIENT_STATUS -eq 0 ]] || fail "client A: $(cat "$T/ca.err")"
	client_wait "$pb"
	[[ $CLIENT_STATUS -eq 0 ]] || fail "client B: $(cat "$T/cb.err")"
	run cat "$T/ca.out"
	assert_aa_output CONA
	run cat "$T/cb.out"
	assert_aa_output CONB
	assert_spool_count 2
	# the server is still there for more
	kill -0 "$srv" || fail "the accept loop exited"
}

@test "modes: tcpserver (TCPREMOTEIP in the log line)" {
	command -v tcpserver >/dev/null || skip "tcpserver not installed"
	server_start server tcpserver -q -H -R -l localhost 127.0.0.1 "$PORT" "$MLLPD" --spool "$SPOOL"
	wait_listen "$PORT"
	run mllp_client --port-file "$T/cport" --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_aa_output MODE1
	assert_spooled_only "$T/m.hl7"
	local cport
	cport=$(cat "$T/cport")
	# the per-message line names the peer tcpserver reported
	wait_until 10 grep -q ' message id=MODE1 ' "$T/server.err"
	run grep ' message id=MODE1 ' "$T/server.err"
	assert_output --regexp "^mllpd: 127\\.0\\.0\\.1:$cport: message id=MODE1 "
}

@test "modes: socat TCP-LISTEN,fork EXEC:" {
	command -v socat >/dev/null || skip "socat not installed"
	server_start server socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" EXEC:"$MLLPD --spool $SPOOL"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
	assert_spooled_only "$T/m.hl7"
	sample_msg MODE2 >"$T/m2.hl7"
	send_one "$PORT" "$T/m2.hl7" MODE2
	assert_spool_count 2
}

@test "modes: socat: the log line names the peer from SOCAT_PEERADDR" {
	command -v socat >/dev/null || skip "socat not installed"
	server_start server socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" EXEC:"$MLLPD --spool $SPOOL"
	wait_listen "$PORT"
	run mllp_client --port-file "$T/cport" --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	wait_until 10 grep -q ' message id=MODE1 ' "$T/server.err"
	run grep ' message id=MODE1 ' "$T/server.err"
	assert_output --regexp "^mllpd: 127\\.0\\.0\\.1:$(cat "$T/cport"): message id=MODE1 "
}

@test "modes: --listen 127.0.0.1:PORT" {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
	sample_msg MODE2 >"$T/m2.hl7"
	send_one "$PORT" "$T/m2.hl7" MODE2
	assert_spool_count 2
	assert_spooled 1 "$T/m.hl7"
	assert_spooled 2 "$T/m2.hl7"
	# prints nothing on start without -v; only per-message/connection lines
	run grep -v -e ' message id=' -e ' closed: ' "$T/server.err"
	assert_output ''
}

@test "modes: --listen [::1]:PORT" {
	have_ipv6_loopback || skip "no IPv6 loopback here"
	PORT=$(free_port 6)
	server_start server "$MLLPD" --listen "[::1]:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1 ::1
	assert_spooled_only "$T/m.hl7"
	# it listens on ::1 only, not on IPv4
	run mllp_client --timeout 3 --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_failure 1
}

@test "modes: --max-connections 1 serves a second connection only after the first closes" {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --max-connections 1 --spool "$SPOOL"
	wait_listen "$PORT"
	sample_msg FIRST >"$T/a.hl7"
	sample_msg SECOND >"$T/b.hl7"
	client_start ca --ready-file "$T/a.ready" --hold-file "$T/release" --hold-max 40 127.0.0.1 "$PORT" "$T/a.hl7"
	local pa=$CLIENT_PID
	wait_until 10 test -e "$T/a.ready"
	run cat "$T/ca.out"
	assert_aa_output FIRST
	client_start cb --timeout 30 --ready-file "$T/b.ready" 127.0.0.1 "$PORT" "$T/b.hl7"
	local pb=$CLIENT_PID
	# while the first connection is open the second gets nothing (a bounded
	# look: a second ACK here would be a bug whatever the timing)
	sleep 1
	[[ ! -s $T/cb.out ]] || fail "second connection served while the first was open: $(cat "$T/cb.out")"
	assert_spool_count 1
	touch "$T/release"
	client_wait "$pa"
	client_wait "$pb" 30
	[[ $CLIENT_STATUS -eq 0 ]] || fail "second client: status $CLIENT_STATUS: $(cat "$T/cb.err")"
	run cat "$T/cb.out"
	assert_aa_output SECOND
	assert_spool_count 2
	assert_spooled 2 "$T/b.hl7"
}

@test "modes: pipelined frames over TCP are answered in order" {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
	local i files=()
	for i in 1 2 3 4 5 6; do
		sample_msg "PIPE$i" >"$T/p$i.hl7"
		files+=("$T/p$i.hl7")
	done
	run mllp_client --pipeline --print msa 127.0.0.1 "$PORT" "${files[@]}"
	assert_success
	for i in 1 2 3 4 5 6; do
		[[ ${lines[i - 1]} =~ ^MSA\|AA\|PIPE$i(\|.*)?$ ]] || fail "ACK $i: '${lines[i - 1]}' (all: ${lines[*]})"
	done
	[[ ${#lines[@]} -eq 6 ]] || fail "expected 6 ACKs, got ${#lines[@]}"
	assert_spool_count 6
	for i in 1 2 3 4 5 6; do assert_spooled "$i" "$T/p$i.hl7"; done
}

@test "modes: SIGTERM to an idle connection process (pipe) -> exit 0" {
	mkfifo "$T/fifo"
	exec 5<>"$T/fifo"
	FIFO_FD_OPEN=1
	"$MLLPD" --spool "$SPOOL" <"$T/fifo" >"$T/out" 2>"$T/err" 3>&- &
	local pid=$!
	bg_register "$pid"
	frame -f "$T/m.hl7" >&5
	# idle once the ACK for the first message is out
	wait_until 10 grep -q 'MSA|AA|MODE1' "$T/out"
	kill -TERM "$pid"
	pid_wait "$pid"
	[[ $PID_STATUS -eq 0 ]] || fail "exit status $PID_STATUS after SIGTERM; stderr: $(cat "$T/err")"
	assert_spooled_only "$T/m.hl7"
}

@test "modes: SIGTERM to an idle --listen connection process closes the connection" {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	local srv=$SERVER_PID
	wait_listen "$PORT"
	client_start ca --timeout 15 --ready-file "$T/a.ready" --wait-eof 127.0.0.1 "$PORT" "$T/m.hl7"
	local pa=$CLIENT_PID
	wait_until 10 test -e "$T/a.ready"
	# server_start runs mllpd under timeout(1): the accept loop is its child,
	# the connection process a grandchild
	local parent child
	parent=$(children_of "$srv" | head -n 1)
	[[ -n $parent ]] || fail "no mllpd under $srv"
	wait_until 10 test -n "$(children_of "$parent")"
	child=$(children_of "$parent" | head -n 1)
	kill -TERM "$child"
	client_wait "$pa"
	[[ $CLIENT_STATUS -eq 0 ]] || fail "the connection was not closed after SIGTERM (client status $CLIENT_STATUS: $(cat "$T/ca.err"))"
	run cat "$T/ca.out"
	assert_aa_output MODE1
	# the accept loop itself keeps serving
	kill -0 "$parent" || fail "SIGTERM to a connection stopped the accept loop"
	sample_msg MODE2 >"$T/m2.hl7"
	send_one "$PORT" "$T/m2.hl7" MODE2
}

@test "modes: SIGTERM to the --listen parent -> exit 0, stops listening" {
	"$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL" </dev/null >"$T/out" 2>"$T/err" 3>&- &
	local pid=$!
	bg_register "$pid"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
	kill -TERM "$pid"
	pid_wait "$pid"
	[[ $PID_STATUS -eq 0 ]] || fail "exit status $PID_STATUS after SIGTERM; stderr: $(cat "$T/err")"
	wait_not_listen "$PORT"
	run mllp_client --timeout 3 --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_failure 1
	assert_spooled_only "$T/m.hl7"
}

@test "modes: --exec sees MLLP_REMOTE_ADDR/PORT under tcpserver" {
	command -v tcpserver >/dev/null || skip "tcpserver not installed"
	server_start server tcpserver -q -H -R -l localhost 127.0.0.1 "$PORT" "$MLLPD" --exec "'$CAP' '$T/cap'"
	wait_listen "$PORT"
	run mllp_client --port-file "$T/cport" --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_aa_output MODE1
	run cat "$T/cap/env.MLLP_REMOTE_ADDR"
	assert_output 127.0.0.1
	run cat "$T/cap/env.MLLP_REMOTE_PORT"
	assert_output "$(cat "$T/cport")"
}

@test "modes: --exec sees MLLP_REMOTE_ADDR/PORT under --listen" {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --exec "'$CAP' '$T/cap'"
	wait_listen "$PORT"
	run mllp_client --port-file "$T/cport" --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_aa_output MODE1
	run cat "$T/cap/env.MLLP_REMOTE_ADDR"
	assert_output 127.0.0.1
	run cat "$T/cap/env.MLLP_REMOTE_PORT"
	assert_output "$(cat "$T/cport")"
}

@test "modes: --listen on a port in use -> exit 69 with the contract message" {
	"$PYTHON" - "$PORT" "$T/holder.ready" "$T/release" <<'PY' 3>&- &
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
open(sys.argv[2], "w").close()
for _ in range(300):
    if os.path.exists(sys.argv[3]): break
    time.sleep(0.1)
PY
	bg_register $!
	wait_until 10 test -e "$T/holder.ready"
	mllpd_run 69 --listen "127.0.0.1:$PORT" --spool "$SPOOL" </dev/null
	touch "$T/release"
	assert_stderr_line 0 "mllpd: --listen: cannot bind 127.0.0.1:$PORT: Address already in use"
}

@test "modes: --listen with a spool that cannot be created -> exit 73" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	local top
	top=$(mktemp -d /tmp/mllpd-060.XXXXXX)
	chmod 755 "$top"
	local real=$MLLPD
	MLLPD=setpriv mllpd_run 73 --reuid=65534 --regid=65534 --clear-groups "$real" --listen "127.0.0.1:$PORT" --spool "$top/spool" </dev/null
	rm -rf -- "$top"
	[[ ${stderr_lines[0]} == "mllpd: "*"$top/spool"* ]] || fail "stderr does not name the spool: $stderr"
}

@test "modes: Accept=no with a spool that cannot be created -> exit 73, no answer" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	local top
	top=$(mktemp -d /tmp/mllpd-060.XXXXXX)
	chmod 755 "$top"
	# systemd-socket-activate execs mllpd when the first connection arrives
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		systemd-socket-activate -l "127.0.0.1:$PORT" "$MLLPD" --spool "$top/spool" \
		</dev/null >"$T/out" 2>"$T/err" 3>&- &
	local pid=$!
	bg_register "$pid"
	wait_listen "$PORT"
	run mllp_client --timeout 10 --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	pid_wait "$pid"
	rm -rf -- "$top"
	[[ $PID_STATUS -eq 73 ]] || fail "exit status $PID_STATUS, expected 73: $(cat "$T/err")"
	# the sender got no ACK: it still holds the message
	refute_output --partial 'MSA|'
}

@test "modes: --listen sends READY=1 to NOTIFY_SOCKET" {
	command -v socat >/dev/null || skip "socat not installed"
	server_start notify socat -u "UNIX-RECV:$T/notify.sock" "OPEN:$T/notify.out,creat,append"
	wait_until 10 test -S "$T/notify.sock"
	NOTIFY_SOCKET="$T/notify.sock" server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	wait_until 10 grep -q 'READY=1' "$T/notify.out"
	wait_listen "$PORT"
	send_one "$PORT" "$T/m.hl7" MODE1
}

@test "modes: Accept=no (systemd-socket-activate) sends READY=1 to NOTIFY_SOCKET" {
	command -v socat >/dev/null || skip "socat not installed"
	server_start notify socat -u "UNIX-RECV:$T/notify.sock" "OPEN:$T/notify.out,creat,append"
	wait_until 10 test -S "$T/notify.sock"
	server_start server systemd-socket-activate -l "127.0.0.1:$PORT" -E "NOTIFY_SOCKET=$T/notify.sock" "$MLLPD" --spool "$SPOOL"
	wait_listen "$PORT"
	# it execs mllpd on the first connection
	send_one "$PORT" "$T/m.hl7" MODE1
	wait_until 10 grep -q 'READY=1' "$T/notify.out"
}

@test "modes: SIGTERM while a message is in hand: it is finished and answered, exit 0" {
	mkfifo "$T/fifo"
	exec 5<>"$T/fifo"
	FIFO_FD_OPEN=1
	script_body="cat >/dev/null; : >'$T/started'; i=0; while [ ! -e '$T/go' ] && [ \$i -lt 200 ]; do sleep 0.1; i=\$((i+1)); done; exit 0"
	printf '#!/bin/sh\n%s\n' "$script_body" >"$T/cmd.sh"
	chmod +x "$T/cmd.sh"
	"$MLLPD" --spool "$SPOOL" --exec "$T/cmd.sh" <"$T/fifo" >"$T/out" 2>"$T/err" 3>&- &
	local pid=$!
	bg_register "$pid"
	frame -f "$T/m.hl7" >&5
	wait_until 10 test -e "$T/started"
	kill -TERM "$pid"
	touch "$T/go"
	pid_wait "$pid" 20
	[[ $PID_STATUS -eq 0 ]] || fail "exit status $PID_STATUS; stderr: $(cat "$T/err")"
	ack_split "$T/out" || fail "not framed: $(visible <"$T/out")"
	assert_ack_code AA
	run ack_field MSA 2
	assert_output MODE1
	assert_spooled_only "$T/m.hl7"
}

@test "modes: --listen: the log line names the peer, --exec gets no LISTEN_* or NOTIFY_SOCKET" {
	server_start notify socat -u "UNIX-RECV:$T/notify.sock" "OPEN:$T/notify.out,creat,append"
	wait_until 10 test -S "$T/notify.sock"
	NOTIFY_SOCKET="$T/notify.sock" server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL" --exec "'$CAP' '$T/cap'"
	wait_listen "$PORT"
	run mllp_client --port-file "$T/cport" --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_aa_output MODE1
	wait_until 10 grep -q ' message id=MODE1 ' "$T/server.err"
	run grep ' message id=MODE1 ' "$T/server.err"
	assert_output --regexp "^mllpd: 127\\.0\\.0\\.1:$(cat "$T/cport"): message id=MODE1 "
	[[ ! -e $T/cap/env.NOTIFY_SOCKET ]] || fail "NOTIFY_SOCKET passed on to --exec"
	[[ ! -e $T/cap/env.LISTEN_FDS && ! -e $T/cap/env.LISTEN_PID ]] || fail "LISTEN_* passed on to --exec"
}

@test "modes: between frames a TCP connection waits in read(), no poll(); an idle one outlives the read bound" {
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null || skip "strace not usable here"
	sample_msg IDLE2 >"$T/m2.hl7"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		server_start server strace -f -o "$T/trace" -e trace=poll,ppoll,read,write,sendto "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
	# A synchronous sender that stays quiet for longer than the 2 s bound between its two messages.
	run timeout 30 "$PYTHON" - "$PORT" "$T/m.hl7" "$T/m2.hl7" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for i, f in enumerate(sys.argv[2:]):
    if i:
        time.sleep(3.2)
    s.sendall(b"\x0b" + open(f, "rb").read() + b"\x1c\r")
    ack = b""
    while not ack.endswith(b"\x1c\r"):
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("connection closed before the ACK of " + f)
        ack += chunk
    print(ack.split(b"\r")[1].decode())
PY
	assert_success
	assert_line --index 0 --regexp '^MSA\|AA\|MODE1'
	assert_line --index 1 --regexp '^MSA\|AA\|IDLE2'
	[[ $(spool_files new | wc -l) -eq 2 ]] || fail "not 2 files in new/"
	# In the connection process, from the first ACK to the read of the second
	# message: reads that timed out (the bound), and not one poll.
	run awk '/(write|sendto)\([0-9]+, "\\vMSH/ && !pid { pid = $1; on = 1; next }
		on && $1 == pid && /poll\(/ { print "poll" }
		on && $1 == pid && /read\(.*EAGAIN/ { if (!woke++) print "woke" }
		on && $1 == pid && /read\([0-9]+, "\\vMSH/ { print "read"; exit }' "$T/trace"
	assert_output "woke
read"
}
