#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 080-logging: one line per message, -q/-v, no message content, sanitised values.

load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
}

teardown() {
	mllpd_teardown
}

# script NAME BODY: write an executable /bin/sh script $T/NAME.
script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1"
	chmod +x "$T/$1"
}

# phi_inputs: $T/in holds frames that are accepted, rejected in several ways,
# and junk, each with the sentinel in the content.
phi_inputs() {
	sample_msg OK1 >"$T/ok.hl7"
	sample_msg BADVER 9.9 >"$T/badver.hl7"
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|BADSEG|P|2.5.1' \
		"$PHI_SENTINEL|1|x" >"$T/badseg.hl7"
	hl7 "PID|1||1||$PHI_SENTINEL^JOHN" >"$T/nomsh.hl7"
	{
		printf 'junk %s before a frame\n' "$PHI_SENTINEL"
		frame -f "$T/ok.hl7" -f "$T/badver.hl7" -f "$T/badseg.hl7" -f "$T/nomsh.hl7"
		# a frame cut by a new 0x0B: dropped, never ACKed
		printf '\013MSH|^~\\&|S|F|R|F|20260101||ADT^A01|CUT1|P|2.5.1\rPID|1||1||%s' "$PHI_SENTINEL"
		frame -f "$T/ok.hl7"
		# and a frame cut by EOF
		printf '\013MSH|^~\\&|S|F|R|F|20260101||ADT^A01|EOF1|P|2.5.1\rPID|1||1||%s\r' "$PHI_SENTINEL"
	} >"$T/in"
}

@test "logging: no message content (PHI sentinel) on stderr: spool sink, default" {
	phi_inputs
	mllpd_run '?' --spool "$SPOOL" <"$T/in"
	assert_framed
	assert_ack_code AA 1
	assert_ack_code AR 2
	assert_ack_code AR 3
	assert_ack_code AR 4
	assert_ack_code AA 5
	[[ -n $stderr ]] || fail "no log at all: the assertion would be empty"
	assert_no_phi
}

@test "logging: no message content (PHI sentinel) on stderr: spool sink, -v" {
	phi_inputs
	mllpd_run '?' -v --spool "$SPOOL" <"$T/in"
	assert_ack_count 5
	assert_no_phi
}

@test "logging: no message content on stderr: too-large frame, default and -v" {
	{
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|BIG1|P|2.5.1'
		local i
		for ((i = 0; i < 50; i++)); do printf 'NTE|%d||%s\r' "$i" "$PHI_SENTINEL"; done
	} >"$T/big.hl7"
	frame -f "$T/big.hl7" >"$T/in"
	mllpd_send "$T/in" '?' --max-message-size 512 --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AR
	assert_no_phi
	mllpd_send "$T/in" '?' -v --max-message-size 512 --spool "$SPOOL"
	assert_ack_count 1
	assert_no_phi
	assert_spool_empty new
}

@test "logging: no message content on stderr: --exec exit 1 (AE) and 65 (AR), default and -v" {
	script cmd.sh 'cat >/dev/null; case "$HL7_CONTROL_ID" in FAIL1) exit 1;; REJ65) exit 65;; esac; exit 0'
	sample_msg FAIL1 >"$T/a.hl7"
	sample_msg REJ65 >"$T/b.hl7"
	sample_msg GOOD1 >"$T/c.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" -f "$T/c.hl7" >"$T/in"
	local v
	for v in '' -v; do
		mllpd_send "$T/in" '?' ${v:+"$v"} --exec "$T/cmd.sh"
		assert_ack_count 3
		assert_ack_code AE 1
		assert_ack_code AR 2
		assert_ack_code AA 3
		assert_no_phi
		mllpd_send "$T/in" '?' ${v:+"$v"} --spool "$SPOOL" --exec "$T/cmd.sh"
		assert_ack_count 3
		assert_ack_code AE 1
		assert_no_phi
	done
}

@test "logging: one line per message with id=, type=, version=, size=, ack=, sink=" {
	sample_msg LOG1 >"$T/a.hl7"
	sample_msg LOG2 2.3 'ORU^R01' >"$T/b.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 2
	local size1 size2
	size1=$(wc -c <"$T/a.hl7")
	size2=$(wc -c <"$T/b.hl7")
	run grep -c ' message ' "$MLLPD_STDERR"
	assert_output 2
	run grep ' message id=LOG1 ' "$MLLPD_STDERR"
	assert_output --regexp "^mllpd: stdin: message id=LOG1 type=ADT\\^A01\\^ADT_A01 version=2\\.5\\.1 size=$size1 ack=AA sink=spool:ok us=[0-9]+\$"
	run grep ' message id=LOG2 ' "$MLLPD_STDERR"
	assert_output --regexp "^mllpd: stdin: message id=LOG2 type=ORU\\^R01 version=2\\.3 size=$size2 ack=AA sink=spool:ok us=[0-9]+\$"
}

@test "logging: the per-connection closed line counts messages and bytes" {
	sample_msg C1 >"$T/a.hl7"
	{
		printf 'noise'
		frame -f "$T/a.hl7" -f "$T/a.hl7"
	} >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 2
	local in out
	in=$(wc -c <"$T/in")
	out=$(wc -c <"$MLLPD_STDOUT")
	run grep ' closed: ' "$MLLPD_STDERR"
	assert_output --regexp "^mllpd: stdin: closed: messages=2 bytes_in=$in bytes_out=$out junk=[1-9][0-9]* seconds=[0-9]+\\.[0-9]{3}( [a-z_]+=[^ ]*)*\$"
}

@test "logging: ack= and error= for rejected and failed messages" {
	script cmd.sh 'cat >/dev/null; exit 1'
	sample_msg VER99 9.9 >"$T/a.hl7"
	sample_msg EXE1 >"$T/b.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" >"$T/in"
	mllpd_send "$T/in" --exec "$T/cmd.sh"
	assert_ack_count 2
	assert_ack_code AR 1
	assert_ack_code AE 2
	run grep ' message id=VER99 ' "$MLLPD_STDERR"
	assert_output --regexp ' ack=AR( |$)'
	assert_output --regexp ' error="[^"]+"'
	run grep ' message id=EXE1 ' "$MLLPD_STDERR"
	assert_output --regexp ' ack=AE( |$)'
	assert_output --partial ' sink=exec:'
	assert_no_phi
}

@test "logging: -q suppresses the per-message and per-connection lines" {
	sample_msg Q1 >"$T/a.hl7"
	sample_msg Q2 >"$T/b.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" >"$T/in"
	mllpd_send "$T/in" -q --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_ack_code AA 2
	assert_spool_count 2
	# nothing went wrong, so nothing at all
	[[ -z $stderr ]] || fail "stderr under -q: $stderr"
}

@test "logging: -v still has the per-message lines" {
	sample_msg V1 >"$T/a.hl7"
	frame -f "$T/a.hl7" >"$T/in"
	mllpd_send "$T/in" -v --spool "$SPOOL"
	assert_ack_code AA
	run grep -c ' message id=V1 ' "$MLLPD_STDERR"
	assert_output 1
}

# no_raw_control_bytes FILE: FILE holds printable ASCII and line ends only.
no_raw_control_bytes() {
	local n
	n=$(tr -d '\n\040-\176' <"$1" | wc -c)
	[[ $n -eq 0 ]] || fail "$n raw control or 8-bit byte(s) in $1: $(visible <"$1")"
}

@test "logging: control bytes in MSH-10 and MSH-9 are logged sanitised" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01\x1b]0;title\x07|ID\x1b[31mRED\x07\x01\x7f\xff|P|2.5.1\rPID|1||1||%s\r' "$PHI_SENTINEL" >"$T/a.hl7"
	frame -f "$T/a.hl7" >"$T/in"
	for v in '' -v; do
		mllpd_send "$T/in" '?' ${v:+"$v"} --spool "$SPOOL"
		assert_ack_count 1
		no_raw_control_bytes "$MLLPD_STDERR"
		run grep -i -F 'id=ID\x1b[31mRED\x07\x01\x7f\xff ' "$MLLPD_STDERR"
		assert_success
		run grep -i -F 'type=ADT^A01\x1b]0;title\x07 ' "$MLLPD_STDERR"
		assert_success
		assert_no_phi
	done
}

@test "logging: a newline inside MSH-10 (--strict) cannot forge a log line" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|ID\nmllpd: forged line|P|2.5.1\rPID|1||1||%s\r' "$PHI_SENTINEL" >"$T/a.hl7"
	frame -f "$T/a.hl7" >"$T/in"
	local opt
	for opt in --strict ''; do
		mllpd_send "$T/in" '?' ${opt:+"$opt"} -v --spool "$SPOOL"
		assert_ack_count 1
		no_raw_control_bytes "$MLLPD_STDERR"
		run grep -c '^mllpd: forged line' "$MLLPD_STDERR"
		assert_output 0
		assert_no_phi
	done
}

@test "logging: a long control ID is capped at 64 characters" {
	local id
	id=$(printf 'A%.0s' {1..200})
	sample_msg "$id" >"$T/a.hl7"
	frame -f "$T/a.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 1
	run grep -c ' message id=A' "$MLLPD_STDERR"
	assert_output 1
	run grep -E 'A{65}' "$MLLPD_STDERR"
	assert_failure
}

@test "logging: -q still reports a failing sink, without content" {
	mkdir -p "$SPOOL/tmp" "$SPOOL/cur" "$SPOOL/failed"
	: >"$SPOOL/new"
	sample_msg QERR1 >"$T/a.hl7"
	frame -f "$T/a.hl7" >"$T/in"
	mllpd_send "$T/in" '?' -q --spool "$SPOOL"
	assert_ack_code AE
	[[ -n $stderr ]] || fail "a failed delivery left no trace under -q"
	[[ $stderr == *"$SPOOL"* ]] || fail "the error does not name the spool: $stderr"
	assert_no_phi
}
