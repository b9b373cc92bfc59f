#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 200-hl7-batch: hl7 on batches (FHS/BHS ... BTS/FTS): lint, get and json per message, ack builds the acknowledgement batch.

# shellcheck disable=SC2154,SC1003 # $status... come from the helpers; HL7 text is literal
load 200-hl7-common

setup() { hl7_setup; }
teardown() { mllpd_teardown; }

# file_batch: FHS, a group of two messages (BHS B1), a group of one (BHS B2), FTS.
file_batch() {
	hl7 'FHS|^~\&|FSND|FFAC|FRCV|FRFAC|20260101120000||||F1' \
		'BHS|^~\&|BSND|BFAC^X^Y|BRCV|BRFAC|20260101120000||||B1'
	adt M1
	oru L1
	hl7 'BTS|2' 'BHS|^~\&|BSND2|BFAC2|BRCV|BRFAC|20260101120000||||B2'
	adt M2
	hl7 'BTS|1' 'FTS|2'
}

# masked: the output with MSH-7/-10 and FHS/BHS-7/-11 (time, fresh IDs) as <TS> and <ID>, one segment a line.
masked() {
	tr '\r' '\n' <"$OUT" | awk -F'|' -v OFS='|' '
		$1 == "FHS" || $1 == "BHS" { $7 = "<TS>"; $11 = "<ID>" }
		$1 == "MSH" { $7 = "<TS>"; $10 = "<ID>" }
		{ print }'
}

@test "batch lint: the structure, then each message, named batch message N" {
	file_batch >f.hl7
	run_hl7 lint f.hl7
	assert_status 0
	assert_out ''
	# a message of the batch with an error and a warning; the unit number and the message in the batch
	{ adt S1; hl7 'BHS|^~\&'; adt M1; hl7 'MSH|^~\&|A|B|C|D|20260101||ADT^A01||P|2.5' 'PID|1||X\Q\Y' 'BTS|2'; } >m.hl7
	run_hl7 lint m.hl7
	assert_status 1
	assert_out 'm.hl7: message 2: batch message 2: MSH-10: error: MSH-10 control ID is empty
m.hl7: message 2: batch message 2: PID-3: warning: unknown escape sequence \\Q\\\n'
	# structure errors: one finding, at the segment
	hl7 'BHS|^~\&' 'EVN|A01' 'BTS|0' >outside.hl7
	hl7 'BHS|^~\&' 'MSH|^~\&|A|B|C|D|20260101||ADT^A01|X1|P|2.5' 'BTS|3' >count.hl7
	hl7 'FHS|^~\&' 'BHS|^~\&' 'MSH|^~\&|A|B|C|D|20260101||ADT^A01|X1|P|2.5' 'BTS|1' 'FTS|1' 'PID|1' | frame >after.mllp
	run_hl7 lint outside.hl7 count.hl7 after.mllp
	assert_status 1
	assert_out 'outside.hl7: message 1: EVN: error: segment outside a message in a batch
count.hl7: message 1: BTS: error: BTS-1 or FTS-1 count does not match the batch
after.mllp: message 1: PID: error: batch header or trailer out of order\n'
	# an MLLP-framed batch is one unit; --strict sees LF separators in each message
	file_batch | frame >f.mllp
	run_hl7 lint f.mllp
	assert_status 0
	file_batch | tr '\r' '\n' >lf.hl7
	run_hl7 lint --strict lf.hl7
	assert_status 1
	assert_out 'lf.hl7: message 1: batch message 1: MSH: error: non-standard message (refused by --strict)
lf.hl7: message 1: batch message 2: MSH: error: non-standard message (refused by --strict)
lf.hl7: message 1: batch message 3: MSH: error: non-standard message (refused by --strict)\n'
}

@test "batch get and json: each message in order; FHS-n and BHS-n of its batch" {
	file_batch >f.hl7
	adt S1 >single.hl7
	run_hl7 get -H MSH-10 BHS-11 FHS-11 BHS-3 BHS-4.2 BHS-1 BHS-2 f.hl7 single.hl7
	assert_status 0
	assert_out 'f.hl7\tM1\tB1\tF1\tBSND\tX\t|\t^~\\&
f.hl7\tL1\tB1\tF1\tBSND\tX\t|\t^~\\&
f.hl7\tM2\tB2\tF1\tBSND2\t\t|\t^~\\&
single.hl7\tS1\t\t\t\t\t\t\n'
	# [*] over a header: one occurrence; repetitions split as in a message
	run_hl7 get 'MSH-10' 'BHS[*]-4[*].1' f.hl7
	assert_out 'M1\tBFAC\nL1\tBFAC\nM2\tBFAC2\n'
	# json: one object per message of the batch, the headers are not messages
	run_hl7 json --paths f.hl7
	assert_status 0
	[[ $(jq -r '."MSH-10"' "$OUT" | tr '\n' ' ') == 'M1 L1 M2 ' ]] || fail "json: $(cat "$OUT")"
	run_hl7 json f.hl7
	[[ $(jq -r '.segments[0][0]' "$OUT" | sort -u) == MSH ]] || fail "json: $(cat "$OUT")"
	# a bad structure: reported, skipped (65); the units around it still read
	{ adt S1; hl7 'BHS|^~\&' 'EVN|A01' 'BTS|0'; adt S2; } >bad.hl7
	run_hl7 get MSH-10 bad.hl7
	assert_status 65
	assert_out 'S1\nS2\n'
	assert_err 'hl7: bad.hl7: message 2: not an HL7 batch: segment outside a message in a batch: skipped'
}

@test "batch ack: the acknowledgement batch, as mllpd answers it: counts, trailers, a refused message, NE, none" {
	local i mine=()
	file_batch >f.hl7
	run_hl7 ack f.hl7
	assert_status 0
	run masked
	assert_output 'FHS|^~\&|FRCV|FRFAC|FSND|FFAC|<TS>||||<ID>|F1
BHS|^~\&|BRCV|BRFAC|BSND|BFAC^X^Y|<TS>||||<ID>|B1
MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1
MSA|AA|M1
MSH|^~\&|EMR|EFAC|LAB|LFAC|<TS>||ACK^R01^ACK|<ID>|P|2.5.1
MSA|AA|L1
BTS|2
BHS|^~\&|BRCV|BRFAC|BSND2|BFAC2|<TS>||||<ID>|B2
MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1
MSA|AA|M2
BTS|1
FTS|2'
	# the answer is a sound batch itself, and every control ID in it is fresh
	cp "$OUT" ackbatch.hl7
	run_hl7 lint ackbatch.hl7
	assert_status 0
	[[ $(tr '\r' '\n' <ackbatch.hl7 | awk -F'|' '$1 == "MSH" { print $10 } $1 ~ /HS$/ { print $11 }' | sort -u | wc -l) -eq 6 ]] ||
		fail "control IDs not fresh: $(visible <ackbatch.hl7)"
	# --mllp: the whole acknowledgement batch in one frame; trailers the sender left out are added
	{ hl7 'FHS|^~\&' 'BHS|^~\&'; adt M1; } >open.hl7
	run_hl7 ack --mllp --code AE --text 'try later' open.hl7
	assert_status 0
	ack_split "$OUT" || fail "not MLLP: $(visible <"$OUT")"
	[[ ${#ACKS[@]} -eq 1 ]] || fail "expected one frame: $(visible <"$OUT")"
	printf '%s' "${ACKS[0]}" >"$OUT"
	run masked
	assert_output 'FHS|^~\&|||||<TS>||||<ID>|
BHS|^~\&|||||<TS>||||<ID>|
MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1
MSA|AE|M1|try later
ERR||^^|207^Application internal error^HL70357|E||||try later
BTS|1
FTS|1'
	# the bytes mllpd answers, times and fresh IDs masked
	{ hl7 'BHS|^~\&'; adt M1; hl7 'MSH|^~\&|A|B|C|D|20260101||ADT^A01||P|2.5' 'BTS|2'; } >r.hl7
	hl7 'BHS|^~\&' 'MSH|^~\&|S|SF|R|RF|20260101||ADT^A01|C1|P|2.5|||NE|NE' 'BTS|1' >ne.hl7
	hl7 'BHS|^~\&' 'MSH|^~\&|S|SF|R|RF|20260101||ACK^A01|A1|P|2.5' 'MSA|AA|C1' 'BTS|1' >acks.hl7
	hl7 'FHS|^~\&' 'BHS|^~\&' 'BTS|0' 'FTS|1' >empty.hl7
	hl7 'BHS|^~\&' 'EVN|A01' 'BTS|0' >outside.hl7
	local files=(f.hl7 open.hl7 r.hl7 ne.hl7 acks.hl7 empty.hl7 outside.hl7)
	run_hl7 ack --mllp "${files[@]}"
	assert_status 65
	assert_err 'hl7: r.hl7: message 1: batch message 2: MSH-10 control ID is empty
hl7: outside.hl7: message 1: not an HL7 batch: segment outside a message in a batch'
	ack_split "$OUT" || fail "not MLLP: $(visible <"$OUT")"
	# a batch of acknowledgements only gets nothing: six answers for seven batches
	[[ ${#ACKS[@]} -eq 6 ]] || fail "hl7 ack: ${#ACKS[@]} answers"
	for ((i = 0; i < 6; i++)); do
		printf '%s' "${ACKS[i]}" >"$OUT"
		mine+=("$(masked)")
	done
	# one message refused: AR for it, AE for the others (a batch is delivered whole or not at all)
	assert_equal "${mine[2]}" 'BHS|^~\&|||||<TS>||||<ID>|
MSH|^~\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5.1
MSA|AE|M1|not delivered: 1 message of the batch refused
ERR||^^|207^Application internal error^HL70357|E||||not delivered: 1 message of the batch refused
MSH|^~\&|C|D|A|B|<TS>||ACK^A01^ACK|<ID>|P|2.5
MSA|AR||MSH-10 control ID is empty
ERR||MSH^1^10|101^Required field missing^HL70357|E||||MSH-10 control ID is empty
BTS|2'
	# MSH-15/16 NE: in a batch every message is answered (batch option 1)
	assert_equal "${mine[3]}" 'BHS|^~\&|||||<TS>||||<ID>|
MSH|^~\&|R|RF|S|SF|<TS>||ACK^A01^ACK|<ID>|P|2.5
MSA|AA|C1
BTS|1'
	# a batch without messages is answered
	assert_equal "${mine[4]}" 'FHS|^~\&|||||<TS>||||<ID>|
BHS|^~\&|||||<TS>||||<ID>|
BTS|0
FTS|1'
	# a bad structure: one plain AR (no MSH to answer from: the minimal NAK)
	assert_equal "${mine[5]}" 'MSH|^~\&|||||<TS>||ACK|<ID>|P|2.5
MSA|AR||segment outside a message in a batch
ERR||EVN^^|100^Segment sequence error^HL70357|E||||segment outside a message in a batch'
	# mllpd answers the same blocks on one connection with the same bytes
	for i in "${files[@]}"; do frame -f "$i"; done >all.mllp
	mllpd_run 0 --exec true <all.mllp
	[[ ${#ACKS[@]} -eq 6 ]] || fail "mllpd: ${#ACKS[@]} answers"
	for ((i = 0; i < 6; i++)); do
		printf '%s' "${ACKS[i]}" >"$OUT"
		[[ $(masked) == "${mine[i]}" ]] || fail "answer $((i + 1)): hl7 ack differs from mllpd:
  mllpd:   $(masked | tr '\n' ' ')
  hl7 ack: $(printf '%s' "${mine[i]}" | tr '\n' ' ')"
	done
}

@test "corpus: hl7 lint finds nothing in the batch files; hl7 ack answers each with a sound batch" {
	local dir=$MLLPD_ROOT/../shared/corpus/batch f files=()
	compgen -G "$dir/*.hl7" >/dev/null || skip "no batch corpus in $dir"
	files=("$dir"/*.hl7)
	run_hl7 lint "${files[@]}"
	assert_status 0
	assert_out ''
	# one acknowledgement batch per file, sound itself
	run_hl7 ack --mllp "${files[@]}"
	assert_status 0
	cp "$OUT" answers.mllp
	ack_split answers.mllp || fail "not MLLP: $(visible <answers.mllp)"
	[[ ${#ACKS[@]} -eq ${#files[@]} ]] || fail "${#ACKS[@]} answers for ${#files[@]} files"
	for f in "${ACKS[@]}"; do
		[[ $f == [FB]HS* ]] || fail "not an acknowledgement batch: $(printf '%s' "$f" | visible)"
	done
	run_hl7 lint answers.mllp
	assert_status 0
	assert_out ''
	# one ACK per message: the MSA-2 are the control IDs, in order
	run_hl7 get MSH-10 "${files[@]}"
	cp "$OUT" ids
	run_hl7 get MSA-2 answers.mllp
	cmp -s ids "$OUT" || fail "MSA-2 $(tr '\n' ' ' <"$OUT") for MSH-10 $(tr '\n' ' ' <ids)"
}
