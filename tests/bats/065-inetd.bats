#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 065-inetd: mllpd under a real xinetd and a real openbsd-inetd (one process per connection, the connection on
# fds 0, 1 and 2), and its syslog lines.

load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	sample_msg INETD1 >"$T/m.hl7"
	# xinetd splits server_args on blanks: the --exec command is one word
	printf '#!/bin/sh\nexec %s %s\n' "$MLLPD_ROOT/tests/tools/exec-capture.sh" "$T/cap" >"$T/cap.sh"
	chmod +x "$T/cap.sh"
}

teardown() {
	mllpd_teardown
	[[ -n ${OUTSIDE_DEV:-} ]] && rm -rf "$OUTSIDE_DEV"
	sanitizer_check
	# under xinetd fd 2 is the connection, then /dev/null: sanitizers write to log_path files
	local f
	for f in "$T"/san.*; do
		[[ -e $f ]] || continue
		fail "sanitizer report from a connection process: $(head -n 20 "$f")"
	done
}

# xinetd_conf SERVICE PORT ARGS: append a service running mllpd ARGS on 127.0.0.1:PORT
# to $T/xinetd.conf (as the README and mllpd(8) show it, plus bind and user root for the test).
xinetd_conf() {
	local san=
	# the sanitizers' reports cannot go to fd 2 (the connection, then /dev/null)
	[[ -n ${ASAN_OPTIONS:-} ]] && san+=" ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$T/san"
	[[ -n ${UBSAN_OPTIONS:-} ]] && san+=" UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$T/san"
	if [[ ! -e $T/xinetd.conf ]]; then
		printf 'defaults\n{\n\tlog_type = FILE %s\n}\n' "$T/xinetd.log" >"$T/xinetd.conf"
	fi
	cat >>"$T/xinetd.conf" <<EOF
service $1
{
	type		= UNLISTED
	port		= $2
	bind		= 127.0.0.1
	socket_type	= stream
	protocol	= tcp
	wait		= no
	user		= root
	server		= $MLLPD
	server_args	= $3
	instances	= 8
	${san:+env		=$san}
}
EOF
}

# xinetd_start [unshare]: xinetd in the foreground on $T/xinetd.conf (stopped
# by pid in teardown); with "unshare", in a private mount namespace where
# /dev/log is $T/dev/log (see syslog_capture).
xinetd_start() {
	command -v xinetd >/dev/null || skip "xinetd not installed (Debian package xinetd)"
	if [[ ${1:-} == unshare ]]; then
		# /dev seen through $T/dev: every entry of the real /dev (bound at
		# $T/olddev) as a symlink, and log, the test's own socket
		# shellcheck disable=SC2016 # expanded by the inner bash
		server_start xinetd unshare -m bash -c 'shopt -s extglob
			mount --rbind /dev "$1/olddev" && ln -s -t "$1/dev" "$1"/olddev/!(log) &&
			mount --bind "$1/dev" /dev && exec xinetd -dontfork -f "$2"' sh "$T" "$T/xinetd.conf"
	else
		server_start xinetd xinetd -dontfork -f "$T/xinetd.conf"
	fi
}

# syslog_capture: a datagram socket at $T/dev/log that writes each syslog
# message to $T/syslog, one a line; skips when a private mount namespace
# cannot be had (not root, no CAP_SYS_ADMIN).  The private /dev cannot live
# under /dev itself (tests/run keeps the tests' files on /dev/shm): then $T
# moves to a directory of its own under /tmp, removed in teardown.
syslog_capture() {
	unshare -m true 2>/dev/null || skip "no private mount namespace here (unshare -m): cannot capture syslog"
	if [[ $T == /dev/* ]]; then
		OUTSIDE_DEV=$(mktemp -d /tmp/mllpd-inetd.XXXXXX)
		cp -p "$T"/m.hl7 "$T"/cap.sh "$OUTSIDE_DEV"/
		T=$OUTSIDE_DEV
	fi
	mkdir -p "$T/dev" "$T/olddev"
	server_start syslogd "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$T/dev/log" "$T/syslog"
	wait_until 10 test -S "$T/dev/log"
}

# send_first_message: $T/m.hl7 to 127.0.0.1:$PORT; exactly one ACK frame comes back (no
# log line leaked into the connection), AA for INETD1, the file spooled, and the peer
# (the super-server sets no address and port: getpeername) in the command's environment.
send_first_message() {
	run mllp_client --port-file "$T/cport" --print raw 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	printf '%s' "$output" >"$T/raw"
	ack_split "$T/raw" || fail "not one clean MLLP frame: $(visible <"$T/raw")"
	[[ ${#ACKS[@]} -eq 1 ]] || fail "expected one ACK, got ${#ACKS[@]}: $(visible <"$T/raw")"
	assert_ack_code AA
	run ack_field MSA 2
	assert_output INETD1
	assert_spooled_only "$T/m.hl7"
	run cat "$T/cap/env.MLLP_REMOTE_ADDR"
	assert_output 127.0.0.1
	run cat "$T/cap/env.MLLP_REMOTE_PORT"
	assert_output "$(cat "$T/cport")"
}

@test "inetd: xinetd runs mllpd per connection: AA, spooled, the peer from the socket, nothing else on the wire" {
	xinetd_conf mllpd "$PORT" "--spool $SPOOL --exec $T/cap.sh"
	xinetd_start
	wait_listen "$PORT"
	send_first_message
	# a second connection, a second process
	sample_msg INETD2 >"$T/m2.hl7"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/m2.hl7"
	assert_success
	assert_output 'MSA|AA|INETD2'
	assert_spool_count 2
}

@test "inetd: openbsd-inetd runs mllpd per connection from an inetd.conf line: AA, spooled, the peer from the socket" {
	# openbsd-inetd conflicts with xinetd: make deps-test unpacks it into build/ instead.
	local inetd=$MLLPD_ROOT/build/openbsd-inetd/usr/sbin/inetd
	[[ -x $inetd ]] || inetd=/usr/sbin/inetd
	[[ -x $inetd ]] || skip "openbsd-inetd not unpacked into build/openbsd-inetd (make deps-test) nor installed"
	# The README's inetd.conf line, bound to loopback and run as root for the test.
	echo "127.0.0.1:$PORT stream tcp nowait root $MLLPD mllpd --spool $SPOOL --exec $T/cap.sh" >"$T/inetd.conf"
	local san=
	# fd 2 is the connection: the sanitizers write to log_path files
	[[ -n ${ASAN_OPTIONS:-} ]] && san=":log_path=$T/san"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS$san} UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS$san} \
		server_start inetd "$inetd" -d "$T/inetd.conf"
	wait_listen "$PORT"
	send_first_message
}

@test "inetd: under xinetd the log goes to syslog (auto and --log-target syslog): daemon facility, ident mllpd, the peer, no content" {
	syslog_capture
	local port2
	port2=$(free_port)
	xinetd_conf mllpd "$PORT" "--spool $SPOOL"
	xinetd_conf mllpd-syslog "$port2" "--spool $SPOOL --log-target syslog -v"
	xinetd_start unshare
	wait_listen "$PORT"
	wait_listen "$port2"
	run mllp_client --port-file "$T/cport" --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_output 'MSA|AA|INETD1'
	sample_msg SYSLOG2 >"$T/m2.hl7"
	run mllp_client --port-file "$T/cport2" --print msa 127.0.0.1 "$port2" "$T/m2.hl7"
	assert_success
	assert_output 'MSA|AA|SYSLOG2'
	assert_spool_count 2
	# <30>: facility daemon (3), priority info (6); then the time, "mllpd[PID]: ", the peer
	local ts='[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}'
	wait_until 10 grep -q ' message id=INETD1 ' "$T/syslog"
	run grep -a ' message id=INETD1 ' "$T/syslog"
	assert_output --regexp "^<30>$ts mllpd\\[[0-9]+\\]: 127\\.0\\.0\\.1:$(cat "$T/cport"): message id=INETD1 .* ack=AA sink=spool:ok "
	wait_until 10 grep -q ' message id=SYSLOG2 ' "$T/syslog"
	run grep -a ' message id=SYSLOG2 ' "$T/syslog"
	assert_output --regexp "^<30>$ts mllpd\\[[0-9]+\\]: 127\\.0\\.0\\.1:$(cat "$T/cport2"): message id=SYSLOG2 "
	# -v: the connection line too, at debug (<31>)
	run grep -a -E -c "^<31>$ts mllpd\\[[0-9]*\\]: 127\\.0\\.0\\.1:$(cat "$T/cport2"): " "$T/syslog"
	[[ $output -ge 1 ]] || fail "no debug line for the -v connection: $(grep -a 'mllpd\[' "$T/syslog")"
	wait_until 10 grep -q "127\\.0\\.0\\.1:$(cat "$T/cport2"): closed: " "$T/syslog"
	assert_no_phi "$T/syslog"
}
