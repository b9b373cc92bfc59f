#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 126-haproxy: mllpd --proxy-protocol behind a real HAProxy (TCP mode, send-proxy[-v2], check).

# shellcheck disable=SC2154 # $status, $output... are set by bats and helpers.bash
load helpers
load net
load 300-send-helpers
load haproxy

setup() {
	send_setup
	# the servers' bound (bg_start): the drain test runs longer than 30 s under ASan
	export MLLPD_TIMEOUT=120
	CAP="$MLLPD_ROOT/tests/tools/exec-capture.sh"
}

teardown() {
	send_teardown
}

# backend NAME: mllpd --listen --proxy-protocol with spool $T/NAME and ARGS; sets
# PORT_NAME and PID_NAME (mllpd's own pid).
backend() {
	local name=$1 port
	shift
	port=$(free_port)
	server_start "$name" "$MLLPD" --listen "127.0.0.1:$port" --proxy-protocol --spool "$T/$name" "$@"
	wait_listen "$port"
	printf -v "PORT_$name" '%s' "$port"
	printf -v "PID_$name" '%s' "$(pgrep -P "$SERVER_PID")"
}

# send_from127002 ID: one message from 127.0.0.2 through HAProxy; AA; prints the client's port.
send_from127002() {
	sample_msg "$1" >"$T/$1.hl7"
	mllp_client --bind 127.0.0.2 --port-file "$T/$1.port" --print msa 127.0.0.1 "$HAP_PORT" \
		"$T/$1.hl7" >"$T/$1.msa" || fail "client: $(cat "$T/$1.msa")"
	[[ $(<"$T/$1.msa") == "MSA|AA|$1"* ]] || fail "no AA: $(<"$T/$1.msa")"
	cat "$T/$1.port"
}

@test "haproxy send-proxy-v2: a client on 127.0.0.2 is 127.0.0.2 in both backends' logs and MLLP_REMOTE_ADDR" {
	backend a --exec "'$CAP' '$T/cap-a'"
	backend b --exec "'$CAP' '$T/cap-b'"
	haproxy_conf send-proxy-v2 "a:$PORT_a" "b:$PORT_b"
	haproxy_start
	local p1 p2
	p1=$(send_from127002 HP1)
	p2=$(send_from127002 HP2)
	# round robin: one connection each; each backend logs the client, not HAProxy
	assert_count 1 "$T/a/new"
	assert_count 1 "$T/b/new"
	wait_until 5 grep -qE "mllpd: 127\.0\.0\.2:($p1|$p2): message id=HP[12] " "$T/a.err"
	wait_until 5 grep -qE "mllpd: 127\.0\.0\.2:($p1|$p2): message id=HP[12] " "$T/b.err"
	[[ $(<"$T/cap-a/env.MLLP_REMOTE_ADDR") == 127.0.0.2 ]] || fail "a: $(<"$T/cap-a/env.MLLP_REMOTE_ADDR")"
	[[ $(<"$T/cap-b/env.MLLP_REMOTE_ADDR") == 127.0.0.2 ]] || fail "b: $(<"$T/cap-b/env.MLLP_REMOTE_ADDR")"
	# HAProxy's health checks (a LOCAL header, then the end) are never refused, and leave no line
	! grep -q -- '--proxy-protocol:' "$T/a.err" "$T/b.err" || fail "a check was refused: $(cat "$T/a.err")"
	! grep -q 'messages=0' "$T/a.err" "$T/b.err" || fail "a check was logged: $(cat "$T/a.err" "$T/b.err")"
}

@test "haproxy send-proxy (v1): the client's address in the backend's log" {
	backend a
	haproxy_conf send-proxy "a:$PORT_a"
	haproxy_start
	local p
	p=$(send_from127002 HV1)
	assert_count 1 "$T/a/new"
	wait_until 5 grep -q "mllpd: 127.0.0.2:$p: closed: messages=1 " "$T/a.err"
}

# third_started: the command of the third message has just started, on either backend
# (polled every 20 ms, builtins only: the kill must land well inside its 0.3 s).
third_started() {
	local i f c
	for ((i = 0; i < 1500; i++)); do
		c=0
		for f in "$T"/busy-a/* "$T"/busy-b/*; do
			[[ -e $f ]] && c=$((c + 1))
		done
		((c >= 3)) && return 0
		sleep 0.02
	done
	return 1
}

@test "haproxy: a backend killed mid-drain is taken out; every message in exactly one spool" {
	local n=36 victim
	spool_fill "$T/src" 1 "$n" HK
	# each message spends 0.3 s in the command, between tmp/ and new/, after it marks its
	# start in busy-NAME/: the kill lands there (killed then, the message is not in new/)
	mkdir "$T/busy-a" "$T/busy-b"
	backend a --exec "touch '$T/busy-a/'\"\$HL7_CONTROL_ID\"; sleep 0.3"
	backend b --exec "touch '$T/busy-b/'\"\$HL7_CONTROL_ID\"; sleep 0.3"
	haproxy_conf send-proxy-v2 "a:$PORT_a" "b:$PORT_b"
	haproxy_start
	bg_start "$SEND" -q --retry-delay 0.2 --drain "$T/src" "127.0.0.1:$HAP_PORT" \
		>"$T/drain.out" 2>"$T/drain.err"
	local drain=$BG_PID
	third_started || fail "the drain did not start"
	victim=a
	has_files "$T/busy-a" || victim=b
	# the listener and its connection processes (found first: orphans lose their parent)
	local pid kids
	eval "pid=\$PID_$victim"
	kids=$(pgrep -P "$pid" | tr '\n' ' ')
	# shellcheck disable=SC2086 # one pid a word
	kill -9 "$pid" $kids
	pid_wait "$drain" 100
	[[ $PID_STATUS -eq 0 ]] || fail "mllp-send --drain exited $PID_STATUS: $(cat "$T/drain.err")"
	wait_until 5 eval '[[ $(haproxy_status '"$victim"') == DOWN* ]]'
	assert_count 0 "$T/src/new"
	assert_count "$n" "$T/src/cur"
	# by MSH-10: each of the n messages once, in a's or b's new/, none twice
	control_ids "$T"/a/new/* "$T"/b/new/* | sort >"$T/got"
	for ((i = 1; i <= n; i++)); do printf 'HK%04d\n' "$i"; done >"$T/want"
	diff "$T/want" "$T/got" || fail "spools differ from the messages sent (above)"
	[[ $(count_in "$T/a/new") -gt 0 && $(count_in "$T/b/new") -gt 0 ]] ||
		fail "one backend got everything: the kill did not move the drain"
}
