#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 020-framing: MLLP framing in pipe mode (mllpd(8) "Framing").

# shellcheck disable=SC2154,SC2016,SC1003 # $status, $stderr... come from helpers.bash; HL7 text is literal
load helpers

setup() {
	mllpd_setup
	M1="$BATS_TEST_TMPDIR/m1.hl7"
	M2="$BATS_TEST_TMPDIR/m2.hl7"
	M3="$BATS_TEST_TMPDIR/m3.hl7"
	IN="$BATS_TEST_TMPDIR/in"
	sample_msg FRM1 >"$M1"
	sample_msg FRM2 >"$M2"
	sample_msg FRM3 >"$M3"
}
teardown() { mllpd_teardown; }

# bytewise FILE: write FILE to stdout one byte per write(2), pausing about
# 2 ms between bytes (read -t on an idle fifo: no fork per byte) so that most
# bytes arrive in reads of their own.  Correctness must not depend on it.
bytewise() {
	local h fd _
	mkfifo "$BATS_TEST_TMPDIR/pace"
	exec {fd}<>"$BATS_TEST_TMPDIR/pace"
	for h in $(od -An -v -tx1 "$1"); do
		printf '%b' "\\x$h"
		read -r -t 0.002 -u "$fd" _ || true
	done
	exec {fd}>&-
}

# oversize_msg CONTROL_ID SIZE: a valid message of exactly SIZE bytes
# (padded in an NTE segment).
oversize_msg() {
	local head pad
	head=$(sample_msg "$1" && printf 'NTE|1||' && printf x)
	head=${head%x}
	pad=$(($2 - ${#head} - 1))
	((pad > 0)) || fail "size $2 too small"
	printf '%s' "$head"
	head -c "$pad" /dev/zero | tr '\0' 'x'
	printf '\r'
}

@test "one frame: AA, MSA-2 = MSH-10, one file in new/ byte-identical, tmp/ empty" {
	frame -f "$M1" >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	assert_equal "$(ack_field MSA 2)" FRM1
	assert_spooled_only "$M1"
	assert_spool_empty tmp
}

@test "no input at all: exit 0, no answer, nothing spooled" {
	mllpd_run 0 --spool "$SPOOL" </dev/null
	assert_no_answer
	assert_spool_empty
}

@test "three frames in one write: answered in order (MSA-2), spooled in order" {
	frame -f "$M1" -f "$M2" -f "$M3" >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 3
	local i
	for i in 1 2 3; do
		assert_ack_code AA "$i"
		assert_equal "$(ack_field MSA 2 "$i")" "FRM$i"
	done
	assert_spool_count 3
	assert_spooled 1 "$M1"
	assert_spooled 2 "$M2"
	assert_spooled 3 "$M3"
}

@test "frames delivered one byte per write: same answers as one write" {
	frame -f "$M1" -f "$M2" >"$IN"
	mllpd_run 0 --spool "$SPOOL" < <(bytewise "$IN")
	assert_ack_count 2
	assert_ack_code AA 1
	assert_equal "$(ack_field MSA 2 1)" FRM1
	assert_ack_code AA 2
	assert_equal "$(ack_field MSA 2 2)" FRM2
	assert_spool_count 2
	assert_spooled 1 "$M1"
	assert_spooled 2 "$M2"
}

@test "junk before 0x0B is skipped: AA, spool byte-identical" {
	{
		printf 'junk\r\n\0\001garbage \034\r\r\n'
		frame -f "$M1"
		printf 'trailing junk\n'
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_equal "$(ack_field MSA 2 1)" FRM1
	assert_ack_code AA 2
	assert_equal "$(ack_field MSA 2 2)" FRM2
	assert_spooled 1 "$M1"
	assert_spooled 2 "$M2"
	assert_spool_count 2
}

@test "0x0B inside a frame restarts it: only the second message ACKed and spooled" {
	{
		printf '\013'
		head -c 60 "$M1"
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	assert_equal "$(ack_field MSA 2)" FRM2
	assert_spooled_only "$M2"
}

@test "0x0B inside a whole-looking message restarts it: the first is never ACKed" {
	# the first message is complete except for its 0x1C
	{
		printf '\013'
		cat "$M1"
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	assert_equal "$(ack_field MSA 2)" FRM2
	assert_spooled_only "$M2"
}

@test "frame cut by EOF: no ACK, nothing in new/ or tmp/, exit 0" {
	{
		printf '\013'
		cat "$M1"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_no_answer
	assert_spool_empty
	assert_spool_empty tmp
}

@test "frame cut by EOF after a whole frame: only the whole one answered" {
	{
		frame -f "$M1"
		printf '\013'
		head -c 40 "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	assert_equal "$(ack_field MSA 2)" FRM1
	assert_spooled_only "$M1"
}

@test "0x1C without 0x0D between frames: both accepted" {
	{
		printf '\013'
		cat "$M1"
		printf '\034'
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_equal "$(ack_field MSA 2 1)" FRM1
	assert_ack_code AA 2
	assert_equal "$(ack_field MSA 2 2)" FRM2
	assert_spooled 1 "$M1"
	assert_spooled 2 "$M2"
}

@test "0x1C without 0x0D at EOF: accepted" {
	{
		printf '\013'
		cat "$M1"
		printf '\034'
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	assert_equal "$(ack_field MSA 2)" FRM1
	assert_spooled_only "$M1"
}

@test "frame over --max-message-size: AR 'message too large', next frame on the connection AA" {
	local big="$BATS_TEST_TMPDIR/big.hl7"
	oversize_msg BIG1 2048 >"$big"
	[[ $(stat -c %s "$big") -eq 2048 ]]
	frame -f "$big" -f "$M2" >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --max-message-size 1K
	assert_ack_count 2
	assert_ack_code AR 1
	assert_equal "$(ack_field MSA 2 1)" BIG1
	[[ $(ack_field MSA 3 1) == *'message too large'* ]] ||
		fail "MSA-3 does not say 'message too large': $(ack 1 | visible)"
	ack_segment ERR 1 >/dev/null || fail "no ERR segment: $(ack 1 | visible)"
	# ERR code 207 (application internal error; v2.5 form here: ERR-3)
	assert_equal "$(ack_field ERR 3 1)" '207^Application internal error^HL70357'
	[[ $(ack_field ERR 8 1) == *'message too large'* ]] || fail "ERR-8 does not say 'message too large'"
	assert_ack_code AA 2
	assert_equal "$(ack_field MSA 2 2)" FRM2
	assert_spooled_only "$M2"
}

@test "--max-message-size is inclusive: 1024 bytes accepted, 1025 refused" {
	oversize_msg EXACT 1024 >"$BATS_TEST_TMPDIR/a.hl7"
	oversize_msg OVER1 1025 >"$BATS_TEST_TMPDIR/b.hl7"
	frame -f "$BATS_TEST_TMPDIR/a.hl7" -f "$BATS_TEST_TMPDIR/b.hl7" >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --max-message-size 1024
	assert_ack_count 2
	assert_ack_code AA 1
	assert_equal "$(ack_field MSA 2 1)" EXACT
	assert_ack_code AR 2
	assert_equal "$(ack_field MSA 2 2)" OVER1
	assert_spooled_only "$BATS_TEST_TMPDIR/a.hl7"
}

@test "frame over the limit, v2.4: AR with the ERR-1 form, code 207" {
	hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|BIG24|P|2.4' "NTE|1||$(head -c 3000 /dev/zero | tr '\0' x)" >"$M3"
	frame -f "$M3" >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --max-message-size 2K
	assert_ack_count 1
	assert_ack_code AR
	assert_equal "$(ack_field MSA 2)" BIG24
	assert_equal "$(ack_field MSA 3)" 'message too large'
	[[ $(ack_segment ERR) =~ ^ERR\|[^|]*\^207\&Application\ internal\ error\&HL70357$ ]] ||
		fail "ERR is not the v2.4 form with code 207: $(ack_segment ERR)"
	assert_spool_empty
}

@test "1 MiB message under the default limit: AA, spooled byte-identical" {
	local big="$BATS_TEST_TMPDIR/big.hl7"
	oversize_msg MIB1 1048576 >"$big"
	frame -f "$big" >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	assert_equal "$(ack_field MSA 2)" MIB1
	assert_spooled_only "$big"
}

@test "junk between frames is counted in the connection's closing log line" {
	{
		printf 'junkjunk'
		frame -f "$M1"
		printf 'xx'
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 1
	[[ $stderr == *'mllpd: stdin: closed: messages=1 '*' junk=10 '* ]] ||
		fail "closing line does not count 10 junk bytes: $stderr"
}

@test "oversized frame of junk without MSH: AR, stays bounded, next frame AA" {
	{
		printf '\013'
		head -c 200000 /dev/zero | tr '\0' 'Q'
		printf '\034\r'
		frame -f "$M1"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --max-message-size 4K
	assert_ack_count 2
	assert_ack_code AR 1
	assert_ack_code AA 2
	assert_spooled_only "$M1"
}

@test "empty frame: minimal NAK (AR, default delimiters, v2.5), nothing spooled" {
	printf '\013\034\r' >"$IN"
	frame -f "$M1" >>"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AR 1
	local msh
	msh=$(ack_segment MSH 1)
	[[ $msh == 'MSH|^~\&|'* ]] || fail "minimal NAK does not use |^~\\&: $msh"
	assert_equal "$(ack_field MSH 9 1)" ACK
	assert_equal "$(ack_field MSH 11 1)" P
	assert_equal "$(ack_field MSH 12 1)" 2.5
	assert_equal "$(ack_field MSA 2 1)" ''
	ack_segment ERR 1 >/dev/null || fail "no ERR segment in the minimal NAK"
	assert_ack_code AA 2
	assert_spooled_only "$M1"
}

@test "300 pipelined frames: 300 answers in order, 300 files" {
	local i
	for ((i = 1; i <= 300; i++)); do
		sample_frame "N$i"
	done >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --no-fsync
	assert_ack_count 300
	# MSA-1 and MSA-2 of every answer in one pass, in order.
	local got want
	got=$(printf '%s\n' "${ACKS[@]}" | tr '\r' '\n' | awk -F'|' '$1 == "MSA" { print $2, $3 }')
	want=$(for ((i = 1; i <= 300; i++)); do echo "AA N$i"; done)
	[[ $got == "$want" ]] || fail "answers out of order or not AA: $(diff <(echo "$want") <(echo "$got") | head -5)"
	assert_spool_count 300
}

@test "0x1C followed by a stray byte: frame accepted, the byte skipped as junk" {
	{
		printf '\013'
		cat "$M1"
		printf '\034X'
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL"
	assert_ack_count 2
	assert_equal "$(ack_field MSA 2 1)" FRM1
	assert_equal "$(ack_field MSA 2 2)" FRM2
	assert_spooled 1 "$M1"
	assert_spooled 2 "$M2"
}

@test "oversized frame restarted by 0x0B: dropped without answer, the new frame AA" {
	{
		printf '\013'
		cat "$M1"
		head -c 5000 /dev/zero | tr '\0' y
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --max-message-size 1K
	assert_ack_count 1
	assert_ack_code AA
	assert_equal "$(ack_field MSA 2)" FRM2
	assert_spooled_only "$M2"
}

@test "oversized frame delivered a byte per write: AR, next frame AA" {
	oversize_msg BIGB 250 >"$M3"
	frame -f "$M3" -f "$M1" >"$IN"
	mllpd_run 0 --spool "$SPOOL" --max-message-size 200 < <(bytewise "$IN")
	assert_ack_count 2
	assert_ack_code AR 1
	assert_equal "$(ack_field MSA 2 1)" BIGB
	assert_ack_code AA 2
	assert_spooled_only "$M1"
}

@test "--strict: a byte outside a frame closes the connection (exit 76), later frames unanswered" {
	{
		frame -f "$M1"
		printf 'x'
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 76 --spool "$SPOOL" --strict
	assert_ack_count 1
	assert_ack_code AA
	assert_equal "$(ack_field MSA 2)" FRM1
	assert_spooled_only "$M1"
	[[ -n $stderr ]] || fail "closing on junk was not logged"
}

@test "--strict: 0x1C without 0x0D gets AR, not delivered; next frame AA" {
	{
		printf '\013'
		cat "$M1"
		printf '\034'
		frame -f "$M2"
	} >"$IN"
	mllpd_send "$IN" 0 --spool "$SPOOL" --strict
	assert_ack_count 2
	assert_ack_code AR 1
	assert_equal "$(ack_field MSA 2 1)" FRM1
	assert_equal "$(ack_field MSA 3 1)" 'frame not ended by 0x1C 0x0D (--strict)'
	ack_segment ERR 1 >/dev/null || fail "no ERR segment"
	assert_ack_code AA 2
	assert_equal "$(ack_field MSA 2 2)" FRM2
	assert_spooled_only "$M2"
}
