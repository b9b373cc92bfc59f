#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 035-batch: FHS/BHS batches: one block in, delivered whole, one
# acknowledgement batch out, one ACK per message; never AA for a message that
# was not delivered.  The answer's timestamps and fresh control IDs are masked
# (<TS>, <ID>); every other byte is compared.

# shellcheck disable=SC2154,SC2016,SC1003 # $status, $stderr... come from helpers.bash; HL7 text is literal
load helpers

setup() {
	mllpd_setup
	B="$BATS_TEST_TMPDIR/batch.hl7"
	CAP="$BATS_TEST_TMPDIR/cap"
}
teardown() { mllpd_teardown; }

# msg ID [MSH-10 override...]: one message of the batch (ID may be empty).
msg() {
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|$1|P|2.5" \
		"PID|1||$1^^^HOSP^MR||$PHI_SENTINEL^JOHN"
}

# batch_masked [N]: frame N with MSH-7/MSH-10 and FHS/BHS-7/-11 masked.
batch_masked() {
	local a seg out=
	a=$(ack "${1:-1}" && printf x)
	a=${a%x}
	while [[ -n $a ]]; do
		seg=${a%%$'\r'*}
		a=${a#*$'\r'}
		_split "$seg" '|'
		case ${_F[0]} in
		MSH)
			[[ ${_F[6]-} =~ ^[0-9]{14}[+-][0-9]{4}$ ]] && _F[6]='<TS>'
			[[ ${_F[9]-} =~ ^[A-Z0-9]{1,20}$ ]] && _F[9]='<ID>'
			;;
		FHS | BHS)
			[[ ${_F[6]-} =~ ^[0-9]{14}[+-][0-9]{4}$ ]] && _F[6]='<TS>'
			[[ ${_F[10]-} =~ ^[A-Z0-9]{1,20}$ ]] && _F[10]='<ID>'
			;;
		esac
		local IFS='|'
		out+="${_F[*]}"$'\r'
		unset IFS
	done
	printf '%s' "$out"
}

# assert_batch_answer SEGMENT...: frame 1 equals the segments after masking.
assert_batch_answer() {
	local want got
	want=$(hl7 "$@" && printf x)
	want=${want%x}
	got=$(batch_masked 1 && printf x)
	got=${got%x}
	[[ $got == "$want" ]] || fail "acknowledgement batch differs:
  expected: $(printf '%s' "$want" | visible)
  actual:   $(printf '%s' "$got" | visible)"
}

@test "a batch of three messages: one block in, one file in new/, one acknowledgement batch out" {
	{
		hl7 "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||B-0001"
		msg M1
		msg M2
		msg M3
		hl7 "BTS|3"
	} >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_ack_count 1
	assert_batch_answer "BHS|^~\\&|RCV|RFAC|SND|SFAC|<TS>||||<ID>|B-0001" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M1" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M2" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M3" \
		"BTS|3"
	assert_spooled_only "$B"
	# one log line per message, naming the batch; none with content
	[[ $(grep -c 'message id=M[123] .* ack=AA .* batch=B-0001' "$MLLPD_STDERR") -eq 3 ]] || fail "per-message log lines: $stderr"
	assert_stderr_line 3 "mllpd: stdin: batch id=B-0001 messages=3 size=$(wc -c <"$B") outcome=delivered sink=spool:ok us=${stderr_lines[3]##*us=}"
	assert_no_phi
}

@test "FHS and BHS are both mirrored; BTS-1 and FTS-1 count what the answer holds" {
	{
		hl7 "FHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||F-9" "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||B-9"
		msg M1
		msg M2
		hl7 "BTS|2" "FTS|1"
	} >"$B"
	mllpd_run --spool "$SPOOL" --ack-application MLLPD --ack-facility HOSP < <(frame -f "$B")
	assert_batch_answer "FHS|^~\\&|MLLPD|HOSP|SND|SFAC|<TS>||||<ID>|F-9" \
		"BHS|^~\\&|MLLPD|HOSP|SND|SFAC|<TS>||||<ID>|B-9" \
		"MSH|^~\\&|MLLPD|HOSP|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M1" \
		"MSH|^~\\&|MLLPD|HOSP|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M2" \
		"BTS|2" "FTS|1"
	assert_spooled_only "$B"
}

@test "trailers the sender left out are in the answer; an empty batch gets an empty acknowledgement batch" {
	{
		hl7 "FHS|^~\\&" "BHS|^~\\&"
		msg M1
	} >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_batch_answer "FHS|^~\\&|||||<TS>||||<ID>|" "BHS|^~\\&|||||<TS>||||<ID>|" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M1" "BTS|1" "FTS|1"
	assert_spooled_only "$B"

	hl7 "BHS|^~\\&|SND|SFAC|||||||E-1" "BTS|0" >"$B"
	rm -rf "$SPOOL"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_batch_answer "BHS|^~\\&|||SND|SFAC|<TS>||||<ID>|E-1" "BTS|0"
	assert_spooled_only "$B"
}

@test "every message gets an ACK in the batch, even one whose MSH-15/16 ask for none" {
	{
		hl7 "BHS|^~\\&"
		hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|N1|P|2.5|||NE|NE" "PID|1"
		hl7 "BTS|1"
	} >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_batch_answer "BHS|^~\\&|||||<TS>||||<ID>|" "MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" \
		"MSA|AA|N1" "BTS|1"
}

@test "a message failing the checks: AR for it, AE for the others, nothing delivered" {
	{
		hl7 "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||B-2"
		msg M1
		msg ""
		msg M3
		hl7 "BTS|3"
	} >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_batch_answer "BHS|^~\\&|RCV|RFAC|SND|SFAC|<TS>||||<ID>|B-2" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" \
		"MSA|AE|M1|not delivered: 1 message of the batch refused" \
		"ERR||^^|207^Application internal error^HL70357|E||||not delivered: 1 message of the batch refused" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" \
		"MSA|AR||MSH-10 control ID is empty" \
		"ERR||MSH^1^10|101^Required field missing^HL70357|E||||MSH-10 control ID is empty" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" \
		"MSA|AE|M3|not delivered: 1 message of the batch refused" \
		"ERR||^^|207^Application internal error^HL70357|E||||not delivered: 1 message of the batch refused" \
		"BTS|3"
	assert_spool_empty
	assert_spool_empty tmp
}

@test "a batch whose structure is wrong gets one plain AR and is not delivered" {
	# BTS-1 says 3, two messages came: messages were lost on the way.
	{
		hl7 "BHS|^~\\&"
		msg M1
		msg M2
		hl7 "BTS|3"
	} >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_ack_count 1
	assert_ack 1 "MSH|^~\\&|||||<TS>||ACK|<ID>|P|2.5" "MSA|AR||BTS-1 or FTS-1 count does not match the batch" \
		"ERR||BTS^^|100^Segment sequence error^HL70357|E||||BTS-1 or FTS-1 count does not match the batch"
	assert_spool_empty
	assert_stderr_line 0 "mllpd: stdin: batch refused: BTS-1 or FTS-1 count does not match the batch (byte $(($(wc -c <"$B") - 6))) size=$(wc -c <"$B") ack=AR"

	# a segment before the first MSH of the batch
	hl7 "BHS|^~\\&" "EVN|A01" "PID|1" "BTS|1" >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_ack_code AR
	[[ $(ack_field MSA 3) == "segment outside a message in a batch" ]] || fail "MSA-3: $(ack | visible)"
	assert_spool_empty
}

# fts_batch N: FHS, messages M1 M2 M3 directly in it (no BHS), FTS|N, into $B.
fts_batch() {
	{
		hl7 "FHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||||F-3"
		msg M1
		msg M2
		msg M3
		hl7 "FTS|$1"
	} >"$B"
}

@test "FHS ... FTS without BHS: FTS-1 may count the messages; a count that matches nothing is refused" {
	fts_batch 3
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_batch_answer "FHS|^~\\&|RCV|RFAC|SND|SFAC|<TS>||||<ID>|F-3" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M1" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M2" \
		"MSH|^~\\&|RCV|RFAC|SND|SFAC|<TS>||ACK^A01^ACK|<ID>|P|2.5" "MSA|AA|M3" \
		"FTS|1"
	assert_spooled_only "$B"

	# FTS|2: neither the one group nor the three messages
	fts_batch 2
	rm -rf "$SPOOL"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_ack_count 1
	assert_ack 1 "MSH|^~\\&|||||<TS>||ACK|<ID>|P|2.5" "MSA|AR||BTS-1 or FTS-1 count does not match the batch" \
		"ERR||FTS^^|100^Segment sequence error^HL70357|E||||BTS-1 or FTS-1 count does not match the batch"
	assert_spool_empty
}

@test "--exec runs once per batch with the whole batch on stdin and HL7_BATCH=1" {
	{
		hl7 "BHS|^~\\&|SND^X|SFAC|RCV|RFAC|20260101120000||||B-3"
		msg M1
		msg M2
		hl7 "BTS|2"
	} >"$B"
	mllpd_run --spool "$SPOOL" --exec "$MLLPD_ROOT/tests/tools/exec-capture.sh $CAP; env > $CAP/env" < <(frame -f "$B")
	[[ $(wc -l <"$CAP/count") -eq 1 ]] || fail "the command ran $(wc -l <"$CAP/count") times"
	cmp -s "$CAP/stdin" "$B" || fail "the command's stdin is not the batch"
	grep -qx 'HL7_BATCH=1' "$CAP/env" || fail "no HL7_BATCH=1"
	grep -qx 'HL7_BATCH_MESSAGES=2' "$CAP/env" || fail "no HL7_BATCH_MESSAGES=2"
	[[ $(cat "$CAP/env.HL7_CONTROL_ID") == B-3 ]] || fail "HL7_CONTROL_ID is not BHS-11"
	[[ $(cat "$CAP/env.HL7_SENDING_APPLICATION") == SND ]] || fail "HL7_SENDING_APPLICATION is not BHS-3.1"
	[[ $(cat "$CAP/env.HL7_MESSAGE_TYPE") == "" ]] || fail "HL7_MESSAGE_TYPE should be empty for a batch"
	assert_ack_code AA 1
	assert_spooled_only "$B"
}

@test "a single message's --exec environment has no HL7_BATCH" {
	msg M1 >"$B"
	mllpd_run --exec "env > $CAP.env" < <(frame -f "$B")
	assert_ack_code AA
	! grep -q '^HL7_BATCH' "$CAP.env" || fail "HL7_BATCH set for a single message"
}

@test "a batch the command fails (exit 1) gets AE for every message; exit 65 AR for every message" {
	{
		hl7 "BHS|^~\\&"
		msg M1
		msg M2
		hl7 "BTS|2"
	} >"$B"
	mllpd_run --spool "$SPOOL" --exec 'cat >/dev/null; exit 1' < <(frame -f "$B")
	[[ $(batch_masked | tr '\r' '\n' | grep -c '^MSA|AE|M[12]|command exited 1$') -eq 2 ]] || fail "expected AE twice: $(ack | visible)"
	! batch_masked | tr '\r' '\n' | grep -q '^MSA|AA' || fail "AA for a message not delivered"
	assert_spool_empty
	assert_spool_count 1 failed

	rm -rf "$SPOOL"
	mllpd_run --spool "$SPOOL" --exec 'cat >/dev/null; exit 65' < <(frame -f "$B")
	[[ $(batch_masked | tr '\r' '\n' | grep -c '^MSA|AR|M[12]|') -eq 2 ]] || fail "expected AR twice: $(ack | visible)"
	assert_spool_empty
}

@test "a batch that cannot be spooled gets AE for every message" {
	{
		hl7 "BHS|^~\\&"
		msg M1
		msg M2
		hl7 "BTS|2"
	} >"$B"
	: >"$BATS_TEST_TMPDIR/notadir"
	mllpd_run --spool "$BATS_TEST_TMPDIR/notadir" < <(frame -f "$B")
	[[ $(batch_masked | tr '\r' '\n' | grep -c '^MSA|AE|M[12]|spool: ') -eq 2 ]] || fail "expected AE twice: $(ack | visible)"
}

@test "a batch of acknowledgements only is delivered and not answered" {
	{
		hl7 "BHS|^~\\&"
		hl7 "MSH|^~\\&|A|B|C|D|20260101||ACK^A01^ACK|K1|P|2.5" "MSA|AA|X1"
		hl7 "BTS|1"
	} >"$B"
	mllpd_run --spool "$SPOOL" < <(frame -f "$B")
	assert_no_answer
	assert_spooled_only "$B"
}

@test "batches and single messages on one connection are answered in order" {
	{
		hl7 "BHS|^~\\&"
		msg M2
		hl7 "BTS|1"
	} >"$B"
	msg M1 >"$BATS_TEST_TMPDIR/m1"
	msg M3 >"$BATS_TEST_TMPDIR/m3"
	mllpd_run --spool "$SPOOL" < <(frame -f "$BATS_TEST_TMPDIR/m1" -f "$B" -f "$BATS_TEST_TMPDIR/m3")
	assert_ack_count 3
	assert_ack_code AA 1
	[[ $(ack_field MSA 2 1) == M1 ]] || fail "frame 1"
	[[ $(ack 2) == BHS* && $(ack 2 | tr '\r' '\n' | grep '^MSA') == "MSA|AA|M2" ]] || fail "frame 2: $(ack 2 | visible)"
	[[ $(ack_field MSA 2 3) == M3 ]] || fail "frame 3"
	assert_spool_count 3
	assert_spooled 2 "$B"
}

@test "batch files of the shared corpus: one acknowledgement batch each, the file spooled byte-identical" {
	local dir=$MLLPD_ROOT/../shared/corpus/batch f n=0
	[[ -d $dir ]] || skip "no ../shared/corpus/batch"
	for f in "$dir"/*.hl7; do
		rm -rf "$SPOOL"
		mllpd_run --spool "$SPOOL" < <(frame -f "$f")
		assert_ack_count 1
		[[ $(ack 1 | head -c 3) == "$(sed 's/^\xef\xbb\xbf//' "$f" | head -c 3)" ]] || fail "$f: answer header $(ack | visible)"
		[[ $(ack 1 | tr '\r' '\n' | grep -c '^MSA|AA|') -eq $(tr '\r' '\n' <"$f" | grep -c '^MSH|') ]] || fail "$f: $(ack | visible)"
		assert_spooled_only "$f"
		n=$((n + 1))
	done
	((n > 0)) || fail "no batch file in $dir"
}
