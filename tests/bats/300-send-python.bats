#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 300-send-python: mllp-send against a receiver written by others: python3-hl7's asyncio MLLP server.

load helpers
load net
load 300-send-helpers

setup() {
	send_setup
}

teardown() {
	send_teardown
}

@test "python3-hl7: AA for each message; the receiver got them byte for byte" {
	mkdir "$T/got"
	hl7_server_start py --save "$T/got"
	sample_msg P1 >"$T/a.hl7"
	{ sample_msg P2 | tr '\r' '\n'; sample_msg P3; } >"$T/b.hl7"
	send_run "127.0.0.1:$PORT" a.hl7 b.hl7
	assert_output "a.hl7 P1 AA
b.hl7 P2 AA
b.hl7 P3 AA"
	sample_msg P2 >"$T/p2.hl7"
	cmp "$T/got/1.hl7" "$T/a.hl7"
	cmp "$T/got/2.hl7" "$T/p2.hl7"
	assert_count 3 "$T/got"
}

@test "python3-hl7: --window 3 and --print-ack" {
	hl7_server_start py
	for i in 1 2 3 4 5; do sample_msg "PW$i"; done >"$T/five.hl7"
	send_run --window 3 "127.0.0.1:$PORT" five.hl7
	assert_equal "${#lines[@]}" 5
	for i in 1 2 3 4 5; do assert_line --index $((i - 1)) "five.hl7 PW$i AA"; done
	send_run --print-ack "127.0.0.1:$PORT" five.hl7
	assert_equal "${#lines[@]}" 5
	[[ ${lines[0]} == MSH\|^~\\\&\|RCV\|RFAC\|SND\|SFAC\|*\|\|ACK^A01^ACK\|*$'\r'MSA\|AA\|PW1* ]] ||
		fail "unexpected ACK: $(printf '%s' "${lines[0]}" | visible)"
}

@test "python3-hl7: AE and AR from create_ack: exit 1" {
	hl7_server_start py --code AE
	sample_msg PE1 >"$T/m.hl7"
	send_run 1 "127.0.0.1:$PORT" m.hl7
	assert_output "m.hl7 PE1 AE"
	assert_stderr "mllp-send: 127.0.0.1:$PORT: 1 of 1 message not accepted"
	hl7_server_start py2 --code AR
	send_run 1 "127.0.0.1:$PORT" m.hl7
	assert_output "m.hl7 PE1 AR"
}

@test "python3-hl7: --drain a spool into it; files move to cur/ after the ACK" {
	mkdir "$T/got"
	hl7_server_start py --save "$T/got"
	spool_fill "$T/A" 1 5 PD
	files_in "$T/A/new" >"$T/names"
	send_run -q --drain "$T/A" "127.0.0.1:$PORT"
	assert_output ""
	assert_count 0 "$T/A/new"
	assert_count 5 "$T/A/cur"
	local i=0 name
	while read -r name; do
		i=$((i + 1))
		cmp "$T/A/cur/$name" "$T/got/$i.hl7" || fail "$name differs from what the receiver got"
	done <"$T/names"
}
