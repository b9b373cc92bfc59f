#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 045-dedupe: --dedupe WINDOW: a resent (MSH-3, MSH-4, MSH-10) is
# delivered once and answered with the first answer again, byte for byte; the
# record is shared by every process on the spool; a message is never dropped
# as a false duplicate.

# shellcheck disable=SC2154,SC2016,SC1003 # $status, $stderr... come from helpers.bash; HL7 text is literal
load helpers

setup() {
	mllpd_setup
	M="$BATS_TEST_TMPDIR/m.hl7"
}
teardown() { mllpd_teardown; }

# msg ID [SENDING_APP]: a message to $M.
msg() {
	hl7 "MSH|^~\\&|${2-SND}|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|$1|P|2.5" \
		"PID|1||$1^^^HOSP^MR||$PHI_SENTINEL^JOHN" >"$M"
}

@test "the same message twice on one connection: delivered once, the first ACK sent again byte for byte" {
	msg D1
	mllpd_run --spool "$SPOOL" --dedupe 15m < <(frame -f "$M" -f "$M")
	assert_ack_count 2
	assert_ack_code AA 1
	[[ $(ack_field MSA 2 1) == D1 && $(ack_field MSA 2 2) == D1 ]] || fail "MSA-2"
	[[ "$(ack 1)" == "$(ack 2)" ]] || fail "the replayed ACK differs from the first"
	assert_spooled_only "$M"
	[[ ${stderr_lines[1]} == "mllpd: stdin: message id=D1 type=ADT^A01^ADT_A01 version=2.5 size=$(wc -c <"$M") ack=AA sink=duplicate us="* ]] ||
		fail "no duplicate log line: $stderr"
	[[ ${stderr_lines[2]} == *" duplicates=1" ]] || fail "the closing line does not count duplicates: ${stderr_lines[2]}"
	assert_no_phi
}

@test "the same message on another connection (another process): delivered once, same ACK" {
	msg D2
	mllpd_run --spool "$SPOOL" --dedupe 24h < <(frame -f "$M")
	local first
	first=$(ack 1)
	mllpd_run --spool "$SPOOL" --dedupe 24h < <(frame -f "$M")
	[[ "$(ack 1)" == "$first" ]] || fail "second connection got another answer: $(ack | visible)"
	assert_spooled_only "$M"
	[[ -d $SPOOL/dedupe ]] || fail "no record beside the spool"
}

@test "two processes with the same message at the same time: one delivery, both answered AA" {
	msg D3
	local cmd="cat > /dev/null; sleep 0.5; echo run >> $BATS_TEST_TMPDIR/runs"
	frame -f "$M" >"$BATS_TEST_TMPDIR/in"
	timeout 30 "$MLLPD" --spool "$SPOOL" --dedupe 1h --exec "$cmd" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/o1" 2>"$BATS_TEST_TMPDIR/e1" &
	local p1=$!
	timeout 30 "$MLLPD" --spool "$SPOOL" --dedupe 1h --exec "$cmd" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/o2" 2>"$BATS_TEST_TMPDIR/e2" &
	local p2=$!
	wait "$p1" || fail "first process failed"
	wait "$p2" || fail "second process failed"
	[[ $(wc -l <"$BATS_TEST_TMPDIR/runs") -eq 1 ]] || fail "the command ran $(wc -l <"$BATS_TEST_TMPDIR/runs") times"
	assert_spooled_only "$M"
	cmp -s "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/o2" || fail "the two answers differ"
	ack_split "$BATS_TEST_TMPDIR/o1"
	assert_ack_code AA
	[[ $(ack_field MSA 2) == D3 ]] || fail "MSA-2"
	[[ $(cat "$BATS_TEST_TMPDIR/e1" "$BATS_TEST_TMPDIR/e2" | grep -c 'sink=duplicate') -eq 1 ]] || fail "one duplicate expected"
}

@test "another MSH-3 with the same MSH-10 is not a duplicate; nor is another MSH-10" {
	msg D4 APP1
	cp "$M" "$BATS_TEST_TMPDIR/a"
	msg D4 APP2
	cp "$M" "$BATS_TEST_TMPDIR/b"
	msg D5 APP1
	mllpd_run --spool "$SPOOL" --dedupe 1h < <(frame -f "$BATS_TEST_TMPDIR/a" -f "$BATS_TEST_TMPDIR/b" -f "$M")
	assert_ack_count 3
	assert_spool_count 3
	assert_spooled 1 "$BATS_TEST_TMPDIR/a"
	assert_spooled 2 "$BATS_TEST_TMPDIR/b"
	assert_spooled 3 "$M"
}

@test "the window expires: after it, the same message is delivered again" {
	msg D6
	mllpd_run --spool "$SPOOL" --dedupe 1s < <(frame -f "$M")
	assert_spool_count 1
	sleep 2.2
	mllpd_run --spool "$SPOOL" --dedupe 1s < <(frame -f "$M")
	assert_ack_code AA
	assert_spool_count 2
	[[ $stderr != *sink=duplicate* ]] || fail "still a duplicate after the window"
}

@test "a message that was not delivered (AE) is not recorded: its resend is delivered" {
	msg D7
	mllpd_run --spool "$SPOOL" --dedupe 1h --exec 'cat >/dev/null; exit 75' < <(frame -f "$M")
	assert_ack_code AE
	mllpd_run --spool "$SPOOL" --dedupe 1h --exec 'cat >/dev/null' < <(frame -f "$M")
	assert_ack_code AA
	[[ $stderr == *sink=spool:ok,exec:ok* ]] || fail "the resend was not delivered: $stderr"
	assert_spooled_only "$M"
	assert_spool_count 1 failed
}

@test "a crash between delivery and recording never loses the message: the resend is delivered again" {
	msg D8
	# The command kills the mllpd that runs it: the file is durable in tmp/ (not yet
	# accepted, so not in new/), no ACK left, nothing recorded.
	local rc=0
	frame -f "$M" | timeout 30 "$MLLPD" --spool "$SPOOL" --dedupe 1h --exec 'cat >/dev/null; kill -KILL $PPID' \
		>"$MLLPD_STDOUT" 2>"$MLLPD_STDERR" || rc=$?
	((rc == 137)) || fail "mllpd was not killed by its command: exit $rc"
	assert_no_answer
	assert_spool_empty new
	local staged=("$SPOOL"/tmp/*)
	[[ ${#staged[@]} -eq 1 ]] && cmp -s "${staged[0]}" "$M" || fail "the message is not durable in tmp/"
	mllpd_run --spool "$SPOOL" --dedupe 1h < <(frame -f "$M")
	assert_ack_code AA
	[[ $(ack_field MSA 2) == D8 ]] || fail "MSA-2"
	assert_spooled_only "$M"
}

@test "a batch sent twice is delivered once and its acknowledgement batch replayed" {
	{
		hl7 "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101||||BD-1"
		msg D9
		cat "$M"
		hl7 "BTS|1"
	} >"$BATS_TEST_TMPDIR/b"
	mllpd_run --spool "$SPOOL" --dedupe 1h < <(frame -f "$BATS_TEST_TMPDIR/b" -f "$BATS_TEST_TMPDIR/b")
	assert_ack_count 2
	[[ "$(ack 1)" == "$(ack 2)" && $(ack 1) == BHS* ]] || fail "replayed batch answer differs"
	assert_spooled_only "$BATS_TEST_TMPDIR/b"
	[[ $stderr == *"batch id=BD-1 messages=1 size=$(wc -c <"$BATS_TEST_TMPDIR/b") outcome=duplicate"* ]] || fail "$stderr"
}

@test "a message whose MSH-3/4/10 equal a batch's BHS-3/4/11 is not that batch's duplicate" {
	{
		hl7 "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101||||K12"
		msg D12
		cat "$M"
		hl7 "BTS|1"
	} >"$BATS_TEST_TMPDIR/b"
	msg K12 # MSH-3 SND, MSH-4 SFAC, MSH-10 K12: the batch's key, as a message
	mllpd_run --spool "$SPOOL" --dedupe 1h < <(frame -f "$BATS_TEST_TMPDIR/b" -f "$M")
	assert_ack_count 2
	[[ $(ack 2) == MSH* && $(ack_field MSA 2 2) == K12 ]] || fail "the message got the batch's answer: $(ack 2 | visible)"
	assert_spool_count 2
	assert_spooled 2 "$M"
	[[ $stderr != *sink=duplicate* && $stderr == *" duplicates=0" ]] || fail "a duplicate: $stderr"
}

@test "a reused MSH-10 with other content is delivered and logged; its own resend is the duplicate" {
	msg D13
	cp "$M" "$BATS_TEST_TMPDIR/first"
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260102080000||ADT^A08^ADT_A01|D13|P|2.5" \
		"PID|1||D13^^^HOSP^MR||$PHI_SENTINEL^JANE" >"$BATS_TEST_TMPDIR/second"
	mllpd_run --spool "$SPOOL" --dedupe 1h < <(frame -f "$BATS_TEST_TMPDIR/first" -f "$BATS_TEST_TMPDIR/second" \
		-f "$BATS_TEST_TMPDIR/second")
	assert_ack_count 3
	assert_ack_code AA 2
	assert_spool_count 2
	assert_spooled 1 "$BATS_TEST_TMPDIR/first"
	assert_spooled 2 "$BATS_TEST_TMPDIR/second"
	[[ $stderr == *": reused control ID: message id=D13 app=SND facility=SFAC "* ]] || fail "no reused control ID line: $stderr"
	[[ "$(ack 3)" == "$(ack 2)" ]] || fail "the resend of the second did not get the second's answer"
	[[ $(grep -c 'sink=duplicate' <<<"$stderr") -eq 1 ]] || fail "one duplicate expected: $stderr"
	assert_no_phi
}

@test "--dedupe-dir keeps the record elsewhere, also for --exec alone" {
	msg D10
	mllpd_run --exec 'cat >> '"$BATS_TEST_TMPDIR/got" --dedupe 1h --dedupe-dir "$BATS_TEST_TMPDIR/dd" < <(frame -f "$M" -f "$M")
	assert_ack_count 2
	cmp -s "$BATS_TEST_TMPDIR/got" "$M" || fail "the command got the message more than once"
	[[ -f $BATS_TEST_TMPDIR/dd/lock ]] || fail "no record in --dedupe-dir"
}

@test "a record that cannot be used: AE, nothing delivered; with --listen, exit 73 at start" {
	msg D11
	mkdir -p "$SPOOL"
	: >"$SPOOL/dedupe" # a file where the record's directory should be
	mllpd_run --spool "$SPOOL" --dedupe 1h < <(frame -f "$M")
	assert_ack_code AE
	[[ $(ack_field MSA 3) == "dedupe: $SPOOL/dedupe: "* ]] || fail "MSA-3: $(ack | visible)"
	assert_spool_empty
	[[ $stderr == *"--dedupe $SPOOL/dedupe: $SPOOL/dedupe: "* ]] || fail "no log line: $stderr"

	mllpd_run 73 --spool "$SPOOL" --dedupe 1h --listen 127.0.0.1:0 </dev/null
	[[ $stderr == "mllpd: --dedupe: $SPOOL/dedupe: "* ]] || fail "$stderr"
}

@test "no room for the record's table: AE for every message, nothing delivered, no crash; with --listen, exit 73" {
	small_fs 8k
	local i in=()
	for i in 1 2 3 4 5 6; do
		msg "ROOM$i"
		mv "$M" "$BATS_TEST_TMPDIR/r$i.hl7"
		in+=(-f "$BATS_TEST_TMPDIR/r$i.hl7")
	done
	# The table (about 64 MiB) cannot be allocated in 8 KiB: an answer for each message,
	# never a SIGBUS from a record written into a page the file system has no room for.
	mllpd_run --spool "$SPOOL" --dedupe 1h --dedupe-dir "$SMALL/dd" < <(frame "${in[@]}")
	assert_ack_count 6
	for i in 1 2 3 4 5 6; do
		assert_ack_code AE "$i"
		[[ $(ack_field MSA 3 "$i") == "dedupe: table: No space left on device" ]] ||
			fail "MSA-3 of $i: $(ack_field MSA 3 "$i")"
	done
	assert_spool_empty

	mllpd_run 73 --spool "$SPOOL" --dedupe 1h --dedupe-dir "$SMALL/dd" --listen 127.0.0.1:0 </dev/null
	[[ $stderr == "mllpd: --dedupe: table: No space left on device" ]] || fail "$stderr"
}

@test "--dedupe option errors: exit 64 and one line" {
	mllpd_run 64 --spool "$SPOOL" --dedupe 0 </dev/null
	[[ $stderr == "mllpd: --dedupe: invalid window (a number with s, m, h or d, up to 366d): 0"* ]] || fail "$stderr"
	mllpd_run 64 --spool "$SPOOL" --dedupe 10x </dev/null
	mllpd_run 64 --spool "$SPOOL" --dedupe 367d </dev/null
	mllpd_run 64 --spool "$SPOOL" --dedupe-dir /tmp </dev/null
	[[ $stderr == "mllpd: --dedupe-dir: needs --dedupe WINDOW"* ]] || fail "$stderr"
	mllpd_run 64 --exec true --dedupe 1h </dev/null
	[[ $stderr == "mllpd: --dedupe: needs --spool DIR"* ]] || fail "$stderr"
}

