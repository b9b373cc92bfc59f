#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 300-send-drain: mllp-send --drain: the mllpd -> spool -> mllp-send -> mllpd chain, AR, AE, retries, --watch.

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

@test "drain: chain mllpd (spool A) -> mllp-send --drain A -> mllpd (spool B): byte-identical, A/new empty" {
	mllpd_listen a "$T/A"
	local porta=$PORT
	for i in 1 2 3 4 5 6; do sample_msg "CH$i"; done >"$T/six.hl7"
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A08|CH7|P|2.3\nPID|1||7||\xe9t\xe9^Z\n' >"$T/lf.hl7"
	send_run -q "127.0.0.1:$porta" six.hl7 lf.hl7
	assert_count 7 "$T/A/new"
	files_in "$T/A/new" >"$T/names"
	mllpd_listen b "$T/B"
	send_run --drain "$T/A" "127.0.0.1:$PORT"
	assert_equal "${#lines[@]}" 7
	local i=0 name b
	while read -r name; do
		i=$((i + 1))
		[[ ${lines[i - 1]} == "$name CH$i AA" ]] || fail "line $i: ${lines[i - 1]}"
	done <"$T/names"
	assert_count 0 "$T/A/new"
	assert_count 7 "$T/A/cur"
	assert_count 7 "$T/B/new"
	# B holds A's messages in A's order, each byte-identical
	paste "$T/names" <(files_in "$T/B/new") >"$T/pairs"
	while read -r name b; do
		cmp "$T/A/cur/$name" "$T/B/new/$b" || fail "$name and $b differ"
	done <"$T/pairs"
	# nothing left: a second drain sends nothing, connects nowhere
	send_run --drain "$T/A" 127.0.0.1:1
	assert_output ""
}

@test "drain: --delete removes acknowledged files; --window 3 --unordered pipelines, in order when all is AA" {
	spool_fill "$T/A" 1 8 DL
	mllpd_listen b "$T/B"
	send_run --delete --window 3 --unordered --drain "$T/A" "127.0.0.1:$PORT"
	assert_equal "${#lines[@]}" 8
	assert_count 0 "$T/A/new"
	assert_count 0 "$T/A/cur"
	run control_ids "$T"/B/new/*
	assert_output "DL0001
DL0002
DL0003
DL0004
DL0005
DL0006
DL0007
DL0008"
}

@test "drain: AR moves the file to rejected/ with the ACK beside it; the rest go on; exit 1" {
	spool_fill "$T/A" 1 3 AR
	local second
	second=$(files_in "$T/A/new" | sed -n 2p)
	mllpd_listen b "$T/B" --exec '[ "$HL7_CONTROL_ID" = AR0002 ] && exit 65; exit 0'
	send_run 1 --drain "$T/A" "127.0.0.1:$PORT"
	assert_line --index 1 "$second AR0002 AR rejected by the command (exit 65)"
	assert_count 0 "$T/A/new"
	assert_count 2 "$T/A/cur"
	run files_in "$T/A/rejected"
	assert_output "$second
$second.ack"
	# the ACK file holds the ACK as received, unframed
	ACKS=("$(cat "$T/A/rejected/$second.ack" && printf x)")
	ACKS[0]=${ACKS[0]%x}
	run ack_segment MSA 1
	assert_output 'MSA|AR|AR0002|rejected by the command (exit 65)'
	[[ ${ACKS[0]} == MSH* && ${ACKS[0]} == *$'\r' ]] || fail "not an ACK: $(visible <"$T/A/rejected/$second.ack")"
}

@test "drain: AE retries with back-off, then --retry-max gives up: exit 75, the file stays in new/" {
	spool_fill "$T/A" 1 2 AE
	local first
	first=$(files_in "$T/A/new" | head -n 1)
	mllpd_listen b "$T/B" --exec 'exit 1'
	send_run 75 --retry-max 2 --retry-delay 0.05 --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "$first AE0001 AE command exited 1
$first AE0001 AE command exited 1
$first AE0001 AE command exited 1"
	assert_equal "${stderr_lines[1]}" "mllp-send: 127.0.0.1:$PORT: retry 1 in 0.05 s"
	assert_equal "${stderr_lines[3]}" "mllp-send: 127.0.0.1:$PORT: retry 2 in 0.1 s"
	assert_equal "${stderr_lines[5]}" "mllp-send: --drain $T/A: giving up after 2 retries: $first stays in new/"
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1:$PORT: $first: answered AE: command exited 1"
	assert_count 2 "$T/A/new"
	assert_count 0 "$T/A/cur"
}

@test "drain: unreachable peer: retries, then gives up with exit 69" {
	spool_fill "$T/A" 1 1 UN
	PORT=$(free_port)
	send_run 69 --retry-max 1 --retry-delay 0.05 --drain "$T/A" "127.0.0.1:$PORT"
	local name
	name=$(files_in "$T/A/new")
	assert_equal "$stderr" "mllp-send: 127.0.0.1:$PORT: connect: Connection refused
mllp-send: 127.0.0.1:$PORT: retry 1 in 0.05 s
mllp-send: 127.0.0.1:$PORT: connect: Connection refused
mllp-send: --drain $T/A: giving up after 1 retry: $name stays in new/"
	assert_count 1 "$T/A/new"
}

@test "drain: an ACK timeout is retried on a new connection; a peer that recovers gets the message" {
	spool_fill "$T/A" 1 1 TO
	PORT=$(free_port)
	server_start silent socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" SYSTEM:'cat >/dev/null'
	wait_listen "$PORT"
	send_run 75 --timeout 0.3 --retry-max 0 --drain "$T/A" "127.0.0.1:$PORT"
	assert_equal "${stderr_lines[0]}" "mllp-send: 127.0.0.1:$PORT: no ACK for TO0001 within 0.3 s"
	assert_count 1 "$T/A/new"
	bg_stop "$SERVER_PID"
	wait_not_listen "$PORT"
	server_start b "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$T/B"
	wait_listen "$PORT"
	send_run -q --drain "$T/A" "127.0.0.1:$PORT"
	assert_count 0 "$T/A/new"
	assert_count 1 "$T/B/new"
}

@test "drain: a file in new/ that is not HL7 goes to rejected/ unsent; the others are delivered; exit 65" {
	spool_fill "$T/A" 1 2 NH
	echo 'not a message' >"$T/A/new/0000000001.000000000.1.1.hl7"
	mllpd_listen b "$T/B"
	send_run 65 -q --drain "$T/A" "127.0.0.1:$PORT"
	assert_stderr "mllp-send: $T/A/new/0000000001.000000000.1.1.hl7: not an HL7 message: message does not start with MSH; moved to rejected/"
	run files_in "$T/A/rejected"
	assert_output "0000000001.000000000.1.1.hl7"
	assert_count 2 "$T/A/cur"
	assert_count 2 "$T/B/new"
}

@test "drain: --watch forwards files as they arrive and reconnects when the peer goes away" {
	mkdir -p "$T/A"
	mllpd_listen b "$T/B"
	bg_start "$SEND" -q --watch --retry-delay 0.05 --retry-max-delay 0.2 --drain "$T/A" "127.0.0.1:$PORT" \
		</dev/null >"$T/watch.out" 2>"$T/watch.err"
	local watcher=$BG_PID
	spool_fill "$T/A" 1 3 WA
	wait_until 10 has_count 3 "$T/B/new"
	# the receiver goes away: files wait in new/ while the watcher retries
	bg_stop "$SERVER_PID"
	wait_not_listen "$PORT"
	spool_fill "$T/A" 4 5 WA
	wait_until 10 grep -q 'connect: Connection refused' "$T/watch.err"
	assert_count 2 "$T/A/new"
	server_start b2 "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$T/B"
	wait_listen "$PORT"
	wait_until 10 has_count 5 "$T/B/new"
	spool_fill "$T/A" 6 6 WA
	wait_until 10 has_count 6 "$T/B/new"
	assert_count 0 "$T/A/new"
	assert_count 6 "$T/A/cur"
	# a second drainer of the same spool is refused while the first runs
	send_run 75 --drain "$T/A" "127.0.0.1:$PORT"
	assert_stderr "mllp-send: --drain $T/A: another process is draining it"
	# SIGTERM: the watcher exits 0
	kill -TERM "$watcher"
	pid_wait "$watcher"
	assert_equal "$PID_STATUS" 0
	run control_ids "$T"/B/new/*
	assert_output "WA0001
WA0002
WA0003
WA0004
WA0005
WA0006"
}

@test "drain: a message that asks for no ACK (MSH-15/16 NE) or is an ACK is sent once and moved to cur/; the rest follow" {
	mkdir -p "$T/A/new"
	local n1=0000000001.000000000.1.1.hl7 n2=0000000002.000000000.1.1.hl7 n3=0000000003.000000000.1.1.hl7
	local n4=0000000004.000000000.1.1.hl7
	sample_msg NA1 >"$T/A/new/$n1"
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A08^ADT_A01|NA2|P|2.5.1|||NE|NE" \
		"PID|1||12345^^^HOSP^MR||$PHI_SENTINEL^JOHN" >"$T/A/new/$n2"
	hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ACK^A01^ACK|NA3|P|2.5.1" "MSA|AA|X1" >"$T/A/new/$n3"
	sample_msg NA4 >"$T/A/new/$n4"
	mllpd_listen b "$T/B"
	send_run --timeout 2 --retry-max 0 --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "$n1 NA1 AA
$n2 NA2 none no ACK requested (MSH-15/MSH-16)
$n3 NA3 none an ACK gets no ACK
$n4 NA4 AA"
	assert_stderr ""
	assert_count 0 "$T/A/new"
	run files_in "$T/A/cur"
	assert_output "$n1
$n2
$n3
$n4"
	run control_ids "$T"/B/new/*
	assert_output "NA1
NA2
NA3
NA4"
}

@test "drain: spool order survives an AE: --window > 1 needs --unordered, which allows a bounded reorder" {
	spool_fill "$T/A" 1 8 OR
	send_run 64 --window 4 --drain "$T/A" 127.0.0.1:1
	assert_equal "${stderr_lines[0]}" "mllp-send: --window 4: with --drain, messages after a failed one are delivered before its resend: add --unordered to accept that"
	# the receiver fails OR0003 once (AE), and logs what it delivered, in order
	PORT=$(free_port)
	server_start b "$MLLPD" --listen "127.0.0.1:$PORT" --exec \
		"if [ \"\$HL7_CONTROL_ID\" = OR0003 ] && mkdir '$T/failed' 2>/dev/null; then exit 75; fi; echo \"\$HL7_CONTROL_ID\" >>'$T/order'"
	wait_listen "$PORT"
	send_run -q --retry-delay 0.01 --drain "$T/A" "127.0.0.1:$PORT"
	run cat "$T/order"
	assert_output "OR0001
OR0002
OR0003
OR0004
OR0005
OR0006
OR0007
OR0008"
	# with --unordered --window 4: the three sent behind OR0003 overtake its resend, no more
	spool_fill "$T/C" 1 8 OR
	rm -r "$T/failed" "$T/order"
	send_run -q --window 4 --unordered --retry-delay 0.01 --drain "$T/C" "127.0.0.1:$PORT"
	run cat "$T/order"
	assert_output "OR0001
OR0002
OR0004
OR0005
OR0006
OR0003
OR0007
OR0008"
	assert_count 8 "$T/C/cur"
}

@test "drain: a message file over 16 MiB is streamed from disk, separators normalised on the way, in bounded memory" {
	mkdir -p "$T/A/new"
	local name=0000000001.000000000.1.1.hl7 kib
	{
		printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|BIG1|P|2.5.1\nOBX|1|ED|||'
		head -c 17825792 /dev/zero | tr '\0' A
		printf '\r\nNTE|1||end\n'
	} >"$T/A/new/$name"
	tr '\n' '\r' <"$T/A/new/$name" | tr -s '\r' >"$T/want"
	mllpd_listen b "$T/B" --no-fsync --max-message-size 20M
	# peak memory, when GNU time is there and no sanitizer inflates it
	local wrap=$SEND
	if [[ -x /usr/bin/time ]] && ! grep -aq __asan_init "$SEND"; then
		printf '#!/bin/sh\nexec /usr/bin/time -f %%M -o "%s/rss" "%s" "$@"\n' "$T" "$SEND" >"$T/wrap"
		chmod +x "$T/wrap"
		wrap=$T/wrap
	fi
	SEND=$wrap send_run --drain "$T/A" "127.0.0.1:$PORT"
	assert_output "$name BIG1 AA"
	assert_count 1 "$T/A/cur"
	cmp "$T/want" "$T"/B/new/* || fail "B did not get the normalised message"
	if [[ -f $T/rss ]]; then
		kib=$(<"$T/rss")
		((kib < 16384)) || fail "mllp-send peaked at $kib KiB for a 17 MiB message"
	fi
}
