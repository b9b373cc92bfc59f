#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 070-clients: third-party MLLP senders against mllpd --listen (python3-hl7's mllp_send).

load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	command -v mllp_send >/dev/null || skip "mllp_send (python3-hl7) not installed"
	PORT=$(free_port)
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

# acks_from FILE: split mllp_send's output (each ACK as received, raw, then
# "\n") into $ACKS, unframed, like helpers' ack_split.
acks_from() {
	local s
	ACKS=()
	s=$(cat "$1" && printf x)
	s=${s%x}
	while [[ $s == *$'\x0b'* ]]; do
		s=${s#*$'\x0b'}
		[[ $s == *$'\x1c\r'* ]] || fail "unterminated ACK frame in mllp_send output: $(visible <"$1")"
		ACKS+=("${s%%$'\x1c\r'*}")
		s=${s#*$'\x1c\r'}
	done
}

# run_mllp_send ARGS...: mllp_send -p $PORT ARGS 127.0.0.1, output in $T/send.out.
run_mllp_send() {
	local rc=0
	timeout -k 5 60 mllp_send -p "$PORT" "$@" 127.0.0.1 >"$T/send.out" 2>"$T/send.err" || rc=$?
	echo "# mllp_send: status $rc; stdout: $(visible <"$T/send.out"); stderr: $(cat "$T/send.err")" >&2
	[[ $rc -eq 0 ]] || fail "mllp_send exited $rc: $(cat "$T/send.err")"
	acks_from "$T/send.out"
}

@test "clients: mllp_send (framed file) gets AA for each message, spool holds them" {
	sample_msg CLI1 >"$T/m1.hl7"
	sample_msg CLI2 >"$T/m2.hl7"
	frame -f "$T/m1.hl7" -f "$T/m2.hl7" >"$T/send.framed"
	run_mllp_send -f "$T/send.framed"
	[[ ${#ACKS[@]} -eq 2 ]] || fail "expected 2 ACKs, got ${#ACKS[@]}: $(visible <"$T/send.out")"
	assert_ack_code AA 1
	run ack_field MSA 2 1
	assert_output CLI1
	assert_ack_code AA 2
	run ack_field MSA 2 2
	assert_output CLI2
	# mllp_send strips the CR that ends the last segment (strip(SB + CR)):
	# the spool holds what it sent, byte for byte
	local i
	for i in 1 2; do
		head -c -1 "$T/m$i.hl7" >"$T/sent$i"
		[[ $(tail -c 1 "$T/m$i.hl7" | od -An -tx1 | tr -d ' ') == 0d ]] || fail "test message $i does not end in CR"
	done
	assert_spool_count 2
	assert_spooled 1 "$T/sent1"
	assert_spooled 2 "$T/sent2"
}

@test "clients: mllp_send --loose (LF separators) gets AA, spool holds the CR form it sent" {
	# a plain text file, one segment per line, messages one after another
	{
		printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|LOOSE1|P|2.5.1\n'
		printf 'EVN|A01|20260101120000\n'
		printf 'PID|1||12345^^^HOSP^MR||%s^JOHN||19700101|M\n' "$PHI_SENTINEL"
		printf '\n'
		printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120001||ADT^A08^ADT_A01|LOOSE2|P|2.3\r\n'
		printf 'PID|1||67890||ROE^JANE\r\n'
	} >"$T/loose.txt"
	run_mllp_send --loose -f "$T/loose.txt"
	[[ ${#ACKS[@]} -eq 2 ]] || fail "expected 2 ACKs, got ${#ACKS[@]}: $(visible <"$T/send.out")"
	assert_ack_code AA 1
	run ack_field MSA 2 1
	assert_output LOOSE1
	assert_ack_code AA 2
	run ack_field MSA 2 2
	assert_output LOOSE2
	# v2.3 ACK: MSH-9 ACK^A08 (no third component before 2.3.1)
	run ack_field MSH 9 2
	assert_output 'ACK^A08'
	# --loose turns \r\n and \n into \r and drops the trailing separator
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|LOOSE1|P|2.5.1\rEVN|A01|20260101120000\rPID|1||12345^^^HOSP^MR||%s^JOHN||19700101|M' "$PHI_SENTINEL" >"$T/want1"
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120001||ADT^A08^ADT_A01|LOOSE2|P|2.3\rPID|1||67890||ROE^JANE' >"$T/want2"
	assert_spool_count 2
	assert_spooled 1 "$T/want1"
	assert_spooled 2 "$T/want2"
	assert_no_phi "$T/server.err"
}

@test "clients: mllp_send gets AR for an invalid message and nothing is spooled" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|BADV1|P|9.9' 'PID|1||1||DOE' >"$T/bad.hl7"
	frame -f "$T/bad.hl7" >"$T/send.framed"
	run_mllp_send -f "$T/send.framed"
	[[ ${#ACKS[@]} -eq 1 ]] || fail "expected 1 ACK, got ${#ACKS[@]}: $(visible <"$T/send.out")"
	assert_ack_code AR
	run ack_field MSA 2
	assert_output BADV1
	assert_spool_empty new
}
