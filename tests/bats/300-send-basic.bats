#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 300-send-basic: mllp-send against mllpd: inputs, output lines, --window, and every exit status.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net
load 300-send-helpers

setup() {
	send_setup
}

teardown() {
	send_teardown
}

@test "send: --help, --version and usage errors (64)" {
	send_run --version
	assert_output "mllp-send 0.1.0"
	send_run --help
	assert_line --index 0 --partial "usage: mllp-send [-q] [--timeout SEC]"
	send_run 64
	assert_equal "${stderr_lines[0]}" "mllp-send: missing HOST:PORT"
	send_run 64 --bogus 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: unknown option: --bogus"
	send_run 64 127.0.0.1
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1: expected HOST:PORT"
	send_run 64 ::1:2575
	assert_equal "${stderr_lines[0]}" "mllp-send: ::1:2575: an IPv6 address goes in brackets: [ADDRESS]:PORT"
	send_run 64 127.0.0.1:0
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1:0: invalid port (1 to 65535)"
	send_run 64 --window 0 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --window: must be 1 to 1000: 0"
	send_run 64 --window 1x 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --window: invalid number: 1x"
	send_run 64 --timeout
	assert_equal "${stderr_lines[0]}" "mllp-send: --timeout: requires a value"
	send_run 64 --watch 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --watch: only with --drain DIR"
	send_run 64 --drain "$T/A" 127.0.0.1:1 x.hl7
	assert_equal "${stderr_lines[0]}" "mllp-send: --drain: no FILE arguments: x.hl7"
}

@test "send: numeric options out of range are refused (64), never wrapped" {
	local v
	# --timeout is kept in milliseconds in an int: 2147484 s would wrap
	for v in 2147484 2147483.001 31536000 99999999999999999999; do
		send_run 64 --timeout "$v" 127.0.0.1:1
		assert_equal "${stderr_lines[0]}" "mllp-send: --timeout: must be 0.001 to 2147483 seconds: $v"
	done
	for v in 0 0.000; do
		send_run 64 --timeout "$v" 127.0.0.1:1
		assert_equal "${stderr_lines[0]}" "mllp-send: --timeout: must be 0.001 to 2147483 seconds: $v"
	done
	for v in +1 ' 1' 1e3 0x10 inf -1 ''; do
		send_run 64 --timeout "$v" 127.0.0.1:1
		assert_equal "${stderr_lines[0]}" "mllp-send: --timeout: invalid number of seconds: $v"
	done
	for v in 4294967297 18446744073709551617; do
		send_run 64 --window "$v" 127.0.0.1:1
		assert_equal "${stderr_lines[0]}" "mllp-send: --window: must be 1 to 1000: $v"
	done
	send_run 64 --drain "$T/A" --retry-max 1000000001 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --retry-max: must be 0 to 1000000000: 1000000001"
	send_run 64 --drain "$T/A" --retry-delay 31536001 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --retry-delay: must be 0.001 to 31536000 seconds: 31536001"
	send_run 64 --drain "$T/A" --retry-max-delay ' 5' 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --retry-max-delay: invalid number of seconds:  5"
}

@test "send: one file, LF separators: normalised to CR on the wire, AA, exit 0" {
	mllpd_listen server "$SPOOL"
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|LF001|P|2.5.1\nPID|1||42^^^HOSP^MR||DOE^JANE\n' >"$T/lf.hl7"
	send_run "127.0.0.1:$PORT" lf.hl7
	assert_output "lf.hl7 LF001 AA"
	assert_equal "$stderr" ""
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|LF001|P|2.5.1' \
		'PID|1||42^^^HOSP^MR||DOE^JANE' >"$T/want.hl7"
	assert_spooled_only "$T/want.hl7"
}

@test "send: several files; concatenated and MLLP-framed multi-message files; stdin" {
	mllpd_listen server "$SPOOL"
	sample_msg F1 >"$T/one.hl7"
	{ sample_msg C1; sample_msg C2 | tr '\r' '\n'; sample_msg C3; } >"$T/cat.hl7"
	{ frame "$(sample_msg B1)"; printf '\n'; frame "$(sample_msg B2)"; } >"$T/framed.mllp"
	send_run "127.0.0.1:$PORT" one.hl7 cat.hl7 framed.mllp
	assert_equal "${#lines[@]}" 6
	assert_line --index 0 "one.hl7 F1 AA"
	assert_line --index 1 "cat.hl7 C1 AA"
	assert_line --index 2 "cat.hl7 C2 AA"
	assert_line --index 3 "cat.hl7 C3 AA"
	assert_line --index 4 "framed.mllp B1 AA"
	assert_line --index 5 "framed.mllp B2 AA"
	send_run "127.0.0.1:$PORT" <"$T/cat.hl7"
	assert_output "- C1 AA
- C2 AA
- C3 AA"
	# every message arrived as the standard says: CR-separated, byte for byte
	assert_spool_count 9
	sample_msg C2 >"$T/c2.hl7"
	assert_spooled 3 "$T/c2.hl7"
	assert_spooled 8 "$T/c2.hl7"
}

@test "send: --print-ack prints each ACK as received" {
	mllpd_listen server "$SPOOL"
	sample_msg PA1 >"$T/m.hl7"
	send_run --print-ack "127.0.0.1:$PORT" m.hl7
	ACKS=("${output%$'\r'}")
	ACKS[0]+=$'\r'
	assert_ack 1 'MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1' 'MSA|AA|PA1'
}

@test "send: --window 4 pipelines, ACKs matched by MSA-2" {
	mllpd_listen server "$SPOOL"
	for i in 1 2 3 4 5 6 7 8 9; do sample_msg "W$i"; done >"$T/nine.hl7"
	send_run --window 4 "127.0.0.1:$PORT" nine.hl7
	assert_equal "${#lines[@]}" 9
	for i in 1 2 3 4 5 6 7 8 9; do
		assert_line --index $((i - 1)) "nine.hl7 W$i AA"
	done
	assert_spool_count 9
}

@test "send: localhost:PORT and [::1]:PORT" {
	mllpd_listen server "$SPOOL"
	sample_msg LH >"$T/m.hl7"
	send_run "localhost:$PORT" m.hl7
	assert_output "m.hl7 LH AA"
	have_ipv6_loopback || skip "no IPv6 loopback"
	PORT=$(free_port 6)
	server_start server6 "$MLLPD" --listen "[::1]:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
	sample_msg V6 >"$T/m.hl7"
	send_run "[::1]:$PORT" m.hl7
	assert_output "m.hl7 V6 AA"
	assert_spool_count 2
}

@test "send: AE from the receiver: line with the error text, exit 1" {
	mllpd_listen server "$SPOOL" --exec 'exit 1'
	sample_msg E1 >"$T/m.hl7"
	sample_msg E2 >"$T/n.hl7"
	send_run 1 "127.0.0.1:$PORT" m.hl7 n.hl7
	assert_output "m.hl7 E1 AE command exited 1
n.hl7 E2 AE command exited 1"
	assert_stderr "mllp-send: 127.0.0.1:$PORT: 2 of 2 messages not accepted"
}

@test "send: AR from the receiver: exit 1; the other messages still go" {
	mllpd_listen server "$SPOOL" --exec '[ "$HL7_CONTROL_ID" = R2 ] && exit 65; exit 0'
	{ sample_msg R1; sample_msg R2; sample_msg R3; } >"$T/m.hl7"
	send_run 1 "127.0.0.1:$PORT" m.hl7
	assert_output "m.hl7 R1 AA
m.hl7 R2 AR rejected by the command (exit 65)
m.hl7 R3 AA"
	assert_stderr "mllp-send: 127.0.0.1:$PORT: 1 of 3 messages not accepted"
}

@test "send: unreachable peer: exit 69" {
	PORT=$(free_port)
	sample_msg U1 >"$T/m.hl7"
	send_run 69 "127.0.0.1:$PORT" m.hl7
	assert_output ""
	assert_stderr "mllp-send: 127.0.0.1:$PORT: connect: Connection refused"
	send_run 69 "no-such-host.invalid:2575" m.hl7
	assert_output ""
	[[ $stderr == "mllp-send: no-such-host.invalid:2575: "* ]] || fail "unexpected stderr: $stderr"
}

@test "send: a peer that never answers: ACK timeout, exit 75" {
	PORT=$(free_port)
	server_start silent socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" SYSTEM:'cat >/dev/null'
	wait_listen "$PORT"
	sample_msg T1 >"$T/m.hl7"
	send_run 75 --timeout 0.5 "127.0.0.1:$PORT" m.hl7
	assert_output ""
	assert_stderr "mllp-send: 127.0.0.1:$PORT: no ACK for T1 within 0.5 s"
}

@test "send: a peer that closes without answering: exit 75" {
	PORT=$(free_port)
	server_start closer socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" SYSTEM:'head -c 1 >/dev/null'
	wait_listen "$PORT"
	sample_msg C1 >"$T/m.hl7"
	send_run 75 "127.0.0.1:$PORT" m.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: connection closed before the ACK for C1"
}

@test "send: garbage instead of an ACK: protocol error, exit 76" {
	PORT=$(free_port)
	# In a file: socat's address syntax mangles the escapes and the ';' of an
	# inline command, and the shell then dies at once, racing its output.
	printf '%s\n' 'printf "HTTP/1.0 400 Bad Request\r\n\r\n"' 'exec sleep 10' >"$T/http.sh"
	server_start http socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" SYSTEM:"sh $T/http.sh"
	wait_listen "$PORT"
	sample_msg G1 >"$T/m.hl7"
	send_run 76 "127.0.0.1:$PORT" m.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: bytes outside an MLLP frame"
	# an MLLP frame that is no ACK: the peer echoes the message back
	PORT=$(free_port)
	server_start echo socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" SYSTEM:'cat'
	wait_listen "$PORT"
	send_run 76 "127.0.0.1:$PORT" m.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: answer has no MSA segment"
}

@test "send: an ACK for another control ID: protocol error, exit 76" {
	# a scripted receiver (mllpd itself never sends another message's ACK)
	mkdir -p "$T/answers" "$T/saved"
	printf 'MSH|^~\\&|R|F|S|F|20260101||ACK|X1|P|2.5.1\rMSA|AA|SOMETHINGELSE\r' >"$T/answers/default"
	PORT=$(free_port)
	server_start script "$PYTHON" "$MLLPD_ROOT/tests/tools/mllp_script_server.py" --save "$T/saved" --answers "$T/answers" "$PORT"
	wait_listen "$PORT"
	sample_msg ID1 >"$T/m.hl7"
	send_run 76 "127.0.0.1:$PORT" m.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: ACK for a control ID not in flight: MSA-2 'SOMETHINGELSE'"
}

@test "send: a file that is not an HL7 message is refused before anything is sent: exit 65" {
	mllpd_listen server "$SPOOL"
	sample_msg OK1 >"$T/good.hl7"
	echo 'hello, world' >"$T/bad.txt"
	send_run 65 "127.0.0.1:$PORT" good.hl7 bad.txt
	assert_output ""
	assert_stderr "mllp-send: bad.txt: not an HL7 message: message does not start with MSH"
	assert_spool_empty
	# the second message of a file, named; an empty MSH-10; an empty file; a cut-off frame
	{ sample_msg OK2; hl7 'MSH|^~\&|S|F|R|F|2026||ADT^A01||P|2.5.1'; } >"$T/two.hl7"
	send_run 65 "127.0.0.1:$PORT" two.hl7
	assert_stderr "mllp-send: two.hl7: message 2: not an HL7 message: MSH-10 control ID is empty"
	: >"$T/empty.hl7"
	send_run 65 "127.0.0.1:$PORT" empty.hl7
	assert_stderr "mllp-send: empty.hl7: not an HL7 message: no message in the input"
	printf '\013%s' "$(sample_msg CUT)" >"$T/cut.mllp"
	send_run 65 "127.0.0.1:$PORT" cut.mllp
	assert_stderr "mllp-send: cut.mllp: not an HL7 message: MLLP frame not ended by 0x1C"
	# refused before connecting: even an unreachable peer gives 65
	send_run 65 127.0.0.1:1 bad.txt
	assert_spool_empty
}

@test "send: stdin: messages before a bad one are sent and reported, then exit 65" {
	mllpd_listen server "$SPOOL"
	{ sample_msg S1; hl7 'MSH|^~\&|S|F|R|F|2026||ADT^A01||P|2.5.1'; sample_msg S3; } >"$T/in.hl7"
	send_run 65 "127.0.0.1:$PORT" <"$T/in.hl7"
	assert_output "- S1 AA"
	assert_stderr "mllp-send: -: message 2: not an HL7 message: MSH-10 control ID is empty"
	assert_spool_count 1
}

@test "send: a file that cannot be opened: exit 66" {
	send_run 66 127.0.0.1:1 missing.hl7
	assert_stderr "mllp-send: missing.hl7: No such file or directory"
}

# Messages a conforming receiver answers with nothing: MSH-15 and MSH-16 NE, and an ACK.
noack_msgs() {
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A08^ADT_A01|NE1|P|2.5.1|||NE|NE" \
		"PID|1||12345^^^HOSP^MR||$PHI_SENTINEL^JOHN" >"$T/ne.hl7"
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|AK1|P|2.5.1" "MSA|AA|X1" >"$T/ack.hl7"
}

@test "send: a message that asks for no ACK (MSH-15/16 NE) or is an ACK is sent once, not waited for; a late ACK for it is no error" {
	noack_msgs
	sample_msg N1 >"$T/m.hl7"
	mllpd_listen server "$SPOOL"
	send_run --timeout 2 "127.0.0.1:$PORT" ne.hl7 ack.hl7 m.hl7
	assert_output "ne.hl7 NE1 none no ACK requested (MSH-15/MSH-16)
ack.hl7 AK1 none an ACK gets no ACK
m.hl7 N1 AA"
	assert_stderr ""
	assert_spool_count 3
	bg_stop "$SERVER_PID"
	# a receiver that answers NE anyway (original mode): its late AA is skipped; stdin too
	mllpd_listen server2 "$T/orig" --ack-mode original
	cat "$T/ne.hl7" "$T/m.hl7" "$T/ne.hl7" >"$T/in.hl7"
	send_run --timeout 2 "127.0.0.1:$PORT" <"$T/in.hl7"
	assert_output "- NE1 none no ACK requested (MSH-15/MSH-16)
- N1 AA
- NE1 none no ACK requested (MSH-15/MSH-16)"
	wait_until 10 has_count 3 "$T/orig/new"
	# ... and before the answer to a batch sent behind it
	{ hl7 'BHS|^~\&|SND|SFAC|RCV|RFAC|20260101120000||||BB1'; sample_msg BN1; hl7 'BTS|1'; } >"$T/b.hl7"
	send_run --timeout 2 "127.0.0.1:$PORT" ne.hl7 b.hl7
	assert_output "ne.hl7 NE1 none no ACK requested (MSH-15/MSH-16)
b.hl7 BN1 AA"
}
