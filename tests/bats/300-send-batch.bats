#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 300-send-batch: mllp-send with batches (one block, one answer, each ACK printed) and byte-identical resends.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net
load 300-send-helpers

SCRIPT_SERVER="$MLLPD_ROOT/tests/tools/mllp_script_server.py"

setup() {
	send_setup
	mkdir -p "$T/saved" "$T/answers"
}

teardown() {
	send_teardown
}

# script_server_start: the scripted receiver on a free port (frames saved in
# $T/saved/N.hl7, frame N answered with $T/answers/N or answers/default); sets PORT.
script_server_start() {
	PORT=$(free_port)
	server_start script "$PYTHON" "$SCRIPT_SERVER" --save "$T/saved" --answers "$T/answers" "$PORT"
	wait_listen "$PORT"
}

# batch_msg [BATCH-ID] ID...: a batch (BHS, one sample message per ID, BTS with the count).
batch_msg() {
	local bid=$1 id
	shift
	hl7 "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||$bid"
	for id in "$@"; do sample_msg "$id"; done
	hl7 "BTS|$#"
}

# ack_msg ID CODE [TEXT]: an acknowledgement of message ID.
ack_msg() {
	hl7 "MSH|^~\\&|RCV|RFAC|SND|SFAC|20260101120001||ACK^A01^ACK|A$1|P|2.5.1" "MSA|$2|$1${3:+|$3}"
}

# ack_batch ID:CODE...: an acknowledgement batch, one ACK per ID:CODE.
ack_batch() {
	local a
	hl7 'BHS|^~\&|RCV|RFAC|SND|SFAC|20260101120001||||AB1|B1'
	for a in "$@"; do ack_msg "${a%%:*}" "${a#*:}"; done
	hl7 "BTS|$#"
}

@test "batch: three messages go as one block, byte for byte; each ACK is printed; exit 0" {
	script_server_start
	batch_msg B1 BM1 BM2 BM3 >"$T/b.hl7"
	ack_batch BM1:AA BM2:AA BM3:AA >"$T/answers/1"
	send_run "127.0.0.1:$PORT" b.hl7
	assert_output "b.hl7 BM1 AA
b.hl7 BM2 AA
b.hl7 BM3 AA"
	assert_equal "$stderr" ""
	run files_in "$T/saved"
	assert_output "1.hl7"
	cmp "$T/b.hl7" "$T/saved/1.hl7"
	# LF separators are normalised as for a message: the same bytes on the wire
	tr '\r' '\n' <"$T/b.hl7" >"$T/lf.hl7"
	cp "$T/answers/1" "$T/answers/2"
	send_run --print-ack "127.0.0.1:$PORT" lf.hl7
	cmp "$T/b.hl7" "$T/saved/2.hl7"
	# --print-ack: each ACK of the acknowledgement batch as received, one after the other
	{ ack_msg BM1 AA; echo; ack_msg BM2 AA; echo; ack_msg BM3 AA; echo; } >"$T/want"
	cmp "$T/want" "$T/send.out"
	# a batch between messages, --window 2: the ACKs due first, the batch alone, then the rest
	{ sample_msg S1; batch_msg B2 BM4 BM5; sample_msg S3; } | tr '\r' '\n' >"$T/mixed.hl7"
	ack_msg S1 AA >"$T/answers/3"
	ack_batch BM5:AA BM4:AA >"$T/answers/4"
	ack_msg S3 AA >"$T/answers/5"
	send_run --window 2 "127.0.0.1:$PORT" mixed.hl7
	assert_output "mixed.hl7 S1 AA
mixed.hl7 BM5 AA
mixed.hl7 BM4 AA
mixed.hl7 S3 AA"
	batch_msg B2 BM4 BM5 >"$T/want"
	cmp "$T/want" "$T/saved/4.hl7"
	# a batch without messages is sent too: its answer holds nothing to print
	hl7 'FHS|^~\&|S|F' 'BHS|^~\&|S|F' 'BTS|0' 'FTS|1' >"$T/empty.hl7"
	hl7 'FHS|^~\&|R|F' 'BHS|^~\&|R|F' 'BTS|0' 'FTS|1' >"$T/answers/6"
	send_run "127.0.0.1:$PORT" empty.hl7
	assert_output ""
	assert_equal "$stderr" ""
	cmp "$T/empty.hl7" "$T/saved/6.hl7"
}

@test "batch: AE inside, an ACK missing, one NAK for all: exit 1; an answer that does not fit: 76; a bad batch: 65" {
	script_server_start
	batch_msg B1 BM1 BM2 BM3 >"$T/b.hl7"
	{
		hl7 'BHS|^~\&|RCV|RFAC|SND|SFAC|20260101120001||||AB1|B1'
		ack_msg BM1 AA
		ack_msg BM2 AE 'disk full'
		ack_msg BM3 AA
		hl7 'BTS|3'
	} >"$T/answers/1"
	send_run 1 "127.0.0.1:$PORT" b.hl7
	assert_output "b.hl7 BM1 AA
b.hl7 BM2 AE disk full
b.hl7 BM3 AA"
	assert_stderr "mllp-send: 127.0.0.1:$PORT: 1 of 3 messages not accepted"
	# fewer ACKs than messages: the missing one is not accepted
	ack_batch BM1:AA BM3:AA >"$T/answers/2"
	send_run 1 "127.0.0.1:$PORT" b.hl7
	assert_output "b.hl7 BM1 AA
b.hl7 BM3 AA"
	assert_equal "$stderr" "mllp-send: 127.0.0.1:$PORT: b.hl7: no ACK for BM2 in the answer to the batch
mllp-send: 127.0.0.1:$PORT: 1 of 3 messages not accepted"
	# one plain NAK, MSA-2 empty (mllpd's answer to a batch it refuses): every message, one --print-ack copy
	hl7 'MSH|^~\&|||||20260101120001||ACK|N1|P|2.5' 'MSA|AR||batch refused' >"$T/answers/3"
	send_run 1 "127.0.0.1:$PORT" b.hl7
	assert_output "b.hl7 BM1 AR batch refused
b.hl7 BM2 AR batch refused
b.hl7 BM3 AR batch refused"
	assert_stderr "mllp-send: 127.0.0.1:$PORT: 3 of 3 messages not accepted"
	cp "$T/answers/3" "$T/answers/4"
	send_run 1 -q --print-ack "127.0.0.1:$PORT" b.hl7
	{ cat "$T/answers/3"; echo; } >"$T/want"
	cmp "$T/want" "$T/send.out"
	# a NAK for a batch without messages: one line, no control ID
	hl7 'FHS|^~\&|S|F' 'BHS|^~\&|S|F' 'BTS|0' 'FTS|1' >"$T/empty.hl7"
	hl7 'MSH|^~\&|||||20260101120001||ACK|N1|P|2.5' 'MSA|AE||try later' >"$T/answers/5"
	send_run 1 "127.0.0.1:$PORT" empty.hl7
	assert_output "empty.hl7  AE try later"
	assert_stderr "mllp-send: 127.0.0.1:$PORT: 1 of 1 message not accepted"
	# an answer that does not fit the batch is a protocol error (76): an MSA-2 not in it, twice the same,
	# an acknowledgement batch whose BTS-1 is not its count, a positive plain ACK naming no message
	ack_batch BM1:AA BM2:AA XX2:AA >"$T/answers/6"
	send_run 76 "127.0.0.1:$PORT" b.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: ACK for a control ID not in the batch: MSA-2 'XX2'"
	ack_batch BM1:AA BM1:AA >"$T/answers/7"
	send_run 76 "127.0.0.1:$PORT" b.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: a second ACK for a message of the batch: MSA-2 'BM1'"
	{ ack_batch BM1:AA BM2:AA BM3:AA | sed 's/BTS|3/BTS|2/'; } >"$T/answers/8"
	send_run 76 "127.0.0.1:$PORT" b.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: acknowledgement batch: BTS-1 or FTS-1 count does not match the batch"
	ack_msg B1 AA >"$T/answers/9"
	send_run 76 "127.0.0.1:$PORT" b.hl7
	assert_stderr "mllp-send: 127.0.0.1:$PORT: protocol error: ACK for a control ID not in the batch: MSA-2 'B1'"
	# a bad batch is refused before anything is sent (65): wrong count, a bad message, a segment outside
	{ hl7 'BHS|^~\&|S|F'; sample_msg BM1; sample_msg BM2; hl7 'BTS|3'; } >"$T/count.hl7"
	send_run 65 "127.0.0.1:$PORT" count.hl7
	assert_stderr "mllp-send: count.hl7: not an HL7 batch: BTS-1 or FTS-1 count does not match the batch"
	{ hl7 'BHS|^~\&|S|F'; sample_msg BM1; hl7 'MSH|^~\&|S|F|R|F|2026||ADT^A01||P|2.5.1'; hl7 'BTS|2'; } >"$T/id.hl7"
	send_run 65 "127.0.0.1:$PORT" id.hl7
	assert_stderr "mllp-send: id.hl7: batch message 2: not an HL7 message: MSH-10 control ID is empty"
	{ sample_msg M1; hl7 'BHS|^~\&|S|F' 'EVN|A01' 'BTS|0'; } >"$T/outside.hl7"
	send_run 65 "127.0.0.1:$PORT" outside.hl7
	assert_stderr "mllp-send: outside.hl7: message 2: not an HL7 batch: segment outside a message in a batch"
	run files_in "$T/saved"
	assert_output "$(printf '%s.hl7\n' 1 2 3 4 5 6 7 8 9)" # nothing more was sent
}

@test "drain: a batch file is one unit: to cur/ when every message got AA; AE keeps it; AR rejects it; through mllpd" {
	script_server_start
	mkdir -p "$T/A/new"
	sample_msg S1 >"$T/A/new/0001.hl7"
	batch_msg B1 BM1 BM2 >"$T/A/new/0002.hl7"
	sample_msg S3 >"$T/A/new/0003.hl7"
	ack_msg S1 AA >"$T/answers/1"
	ack_batch BM1:AA BM2:AA >"$T/answers/2"
	ack_msg S3 AA >"$T/answers/3"
	send_run --window 3 --unordered --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "0001.hl7 S1 AA
0002.hl7 BM1 AA
0002.hl7 BM2 AA
0003.hl7 S3 AA"
	run files_in "$T/A/cur"
	assert_output "0001.hl7
0002.hl7
0003.hl7"
	cmp "$T/A/cur/0002.hl7" "$T/saved/2.hl7"
	# AE for one message, or no ACK for it: the whole batch stays in new/ and is sent again
	batch_msg B2 BM3 BM4 >"$T/A/new/0004.hl7"
	ack_batch BM3:AA BM4:AE >"$T/answers/4"
	ack_batch BM3:AA >"$T/answers/5"
	ack_batch BM3:AA BM4:AA >"$T/answers/6"
	send_run --retry-delay 0.05 --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "0004.hl7 BM3 AA
0004.hl7 BM4 AE
0004.hl7 BM3 AA
0004.hl7 BM3 AA
0004.hl7 BM4 AA"
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1:$PORT: 0004.hl7: BM4 answered AE"
	assert_equal "${stderr_lines[2]}" "mllp-send: 127.0.0.1:$PORT: 0004.hl7: no ACK for BM4 in the answer to the batch"
	assert_count 0 "$T/A/new"
	cmp "$T/saved/4.hl7" "$T/saved/6.hl7"
	# AR for one, AA for the other: the batch goes to rejected/ with the whole answer beside it
	batch_msg B3 BM5 BM6 >"$T/A/new/0005.hl7"
	ack_batch BM5:AA BM6:AR >"$T/answers/7"
	send_run 1 --drain "$T/A" "127.0.0.1:$PORT"
	run files_in "$T/A/rejected"
	assert_output "0005.hl7
0005.hl7.ack"
	cmp "$T/answers/7" "$T/A/rejected/0005.hl7.ack"
	# a file holding a bad batch is moved to rejected/ unsent
	{ hl7 'BHS|^~\&|S|F'; sample_msg BM7; hl7 'BTS|2'; } >"$T/A/new/0006.hl7"
	send_run 65 --drain "$T/A" "127.0.0.1:$PORT"
	assert_stderr "mllp-send: $T/A/new/0006.hl7: not an HL7 batch: BTS-1 or FTS-1 count does not match the batch; moved to rejected/"
	assert_count 0 "$T/A/new"
	[[ ! -e $T/saved/8.hl7 ]] || fail "the bad batch was sent"
	# through mllpd: mllpd (spool C) -> mllp-send --drain C -> mllpd (spool B): one file each, byte-identical
	batch_msg B1 CB1 CB2 CB3 >"$T/want"
	frame -f "$T/want" >"$T/in.mllp"
	timeout -k 5 60 "$MLLPD" --spool "$T/C" --no-fsync <"$T/in.mllp" >/dev/null 2>"$T/c.err" || fail "mllpd C: $(cat "$T/c.err")"
	assert_count 1 "$T/C/new"
	cmp "$T/want" "$T/C/new/"*
	local name
	name=$(files_in "$T/C/new")
	mllpd_listen b "$T/B"
	send_run --drain "$T/C" "127.0.0.1:$PORT"
	assert_output "$name CB1 AA
$name CB2 AA
$name CB3 AA"
	assert_count 0 "$T/C/new"
	assert_count 1 "$T/B/new"
	cmp "$T/want" "$T/B/new/"*
}

@test "resend: after a dropped connection and after an ACK timeout, byte-identical, same MSH-10" {
	script_server_start
	mkdir -p "$T/A/new"
	sample_msg RS1 >"$T/A/new/0001.hl7"
	: >"$T/answers/1.close"
	: >"$T/answers/2.silent"
	ack_msg RS1 AA >"$T/answers/3"
	send_run --timeout 0.5 --retry-delay 0.05 --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "0001.hl7 RS1 AA"
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1:$PORT: connection closed before the ACK for RS1"
	assert_equal "${stderr_lines[2]}" "mllp-send: 127.0.0.1:$PORT: no ACK for RS1 within 0.5 s"
	run files_in "$T/saved"
	assert_output "1.hl7
2.hl7
3.hl7"
	run control_ids "$T"/saved/*.hl7
	assert_output "RS1
RS1
RS1"
	cmp "$T/A/cur/0001.hl7" "$T/saved/1.hl7"
	cmp "$T/saved/1.hl7" "$T/saved/2.hl7"
	cmp "$T/saved/1.hl7" "$T/saved/3.hl7"
	# a batch too: the same block again, every MSH-10 unchanged
	batch_msg B1 RB1 RB2 | tr '\r' '\n' >"$T/A/new/0002.hl7"
	: >"$T/answers/4.close"
	ack_batch RB1:AA RB2:AA >"$T/answers/5"
	send_run --retry-delay 0.05 --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "0002.hl7 RB1 AA
0002.hl7 RB2 AA"
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1:$PORT: connection closed before the ACK for the batch in 0002.hl7"
	cmp "$T/saved/4.hl7" "$T/saved/5.hl7"
	batch_msg B1 RB1 RB2 >"$T/want"
	cmp "$T/want" "$T/saved/5.hl7"
}

@test "drain: an ACK inside a batch gets no ACK, and a batch of ACKs only gets no answer: through mllpd, nothing stalls" {
	mkdir -p "$T/A/new"
	{
		hl7 'BHS|^~\&|SND|SFAC|RCV|RFAC|20260101120000||||BA1'
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|AK1|P|2.5.1' 'MSA|AA|X1'
		sample_msg BM1
		hl7 'BTS|2'
	} >"$T/A/new/0001.hl7"
	{
		hl7 'BHS|^~\&|SND|SFAC|RCV|RFAC|20260101120000||||BA2'
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|AK2|P|2.5.1' 'MSA|AA|X2'
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|AK3|P|2.5.1' 'MSA|AE|X3'
		hl7 'BTS|2'
	} >"$T/A/new/0002.hl7"
	sample_msg S3 >"$T/A/new/0003.hl7"
	mllpd_listen b "$T/B"
	send_run --timeout 2 --retry-max 0 --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "0001.hl7 BM1 AA
0001.hl7 AK1 none an ACK gets no ACK
0002.hl7 AK2 none an ACK gets no ACK
0002.hl7 AK3 none an ACK gets no ACK
0003.hl7 S3 AA"
	assert_stderr ""
	run files_in "$T/A/cur"
	assert_output "0001.hl7
0002.hl7
0003.hl7"
	assert_count 3 "$T/B/new"
}
