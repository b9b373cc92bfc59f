#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 330-nats: mllp-nats against a real three-node nats-server cluster with JetStream: exit codes,
# subjects, Nats-Msg-Id dedupe, --drain, and two mllpd behind HAProxy with a node of each killed.

# shellcheck disable=SC2154 # $stderr, $status... are set by the helpers
load helpers
load net
load 330-nats-helpers

setup() {
	nats_setup
}

teardown() {
	nats_teardown
}

SUBJ='hl7.%{MSH-9.1}'

# msgid FILE: the Nats-Msg-Id mllp-nats gives a sample message (MSH-3/MSH-4/MSH-10/sha256).
msgid() {
	local id sum
	id=$(awk -F'|' 'BEGIN { RS = "\r" } NR == 1 { print $3 "/" $4 "/" $10 }' "$1")
	sum=$(sha256sum <"$1")
	echo "$id/${sum%% *}"
}

@test "usage: missing --server, --subject, bad subject, --watch without --drain: 64" {
	nats_run 64 --subject hl7
	[[ ${stderr%%$'\n'*} == "mllp-nats: missing --server URL" ]] || fail "$stderr"
	nats_run 64 --server nats://127.0.0.1:1
	[[ ${stderr%%$'\n'*} == "mllp-nats: missing --subject SUBJECT" ]] || fail "$stderr"
	nats_run 64 --server nats://127.0.0.1:1 --subject 'hl7.*'
	[[ ${stderr%%$'\n'*} == "mllp-nats: --subject: character not allowed in a subject at byte 4: hl7.*" ]] ||
		fail "$stderr"
	nats_run 64 --server nats://127.0.0.1:1 --subject 'hl7..x'
	nats_run 64 --server nats://127.0.0.1:1 --subject 'hl7.%{MSH-9'
	nats_run 64 --server nats://127.0.0.1:1 --subject 'hl7.%{PID}'
	[[ ${stderr%%$'\n'*} == "mllp-nats: --subject: not a field path at byte 4: hl7.%{PID}" ]] || fail "$stderr"
	nats_run 64 --server nats://127.0.0.1:1 --subject hl7 --watch
	[[ ${stderr%%$'\n'*} == "mllp-nats: --watch: only with --drain DIR" ]] || fail "$stderr"
	nats_run 64 --server nats://127.0.0.1:1 --subject hl7 --inflight 0 --drain "$T/s"
	[[ ${stderr%%$'\n'*} == "mllp-nats: --inflight: must be 1 to 256: 0" ]] || fail "$stderr"
	nats_run 64 --server nats://127.0.0.1:1 --subject hl7 --timeout 5x
	[[ ${stderr%%$'\n'*} == "mllp-nats: --timeout: invalid duration: 5x" ]] || fail "$stderr"
	nats_run 64 --server , --subject hl7
	nats_run 64 --server nats://127.0.0.1:1 --subject hl7 --bogus
	nats_run 64 --server nats://127.0.0.1:1 --subject hl7 extra
	nats_run --help
	[[ $output == usage:* ]] || fail "$output"
	nats_run --version
	[[ $output == "mllp-nats "* ]] || fail "$output"
}

@test "no server answers: 75 within --timeout" {
	local port
	port=$(free_port)
	sample_msg M1 >"$T/m1"
	nats_run 75 --server "nats://127.0.0.1:$port" --subject hl7 --timeout 0.5 <"$T/m1"
	[[ $stderr == "mllp-nats: nats://127.0.0.1:$port: "* ]] || fail "$stderr"
}

@test "stored: exit 0 after the PubAck; subject from MSH-9.1, Nats-Msg-Id MSH-3/MSH-4/MSH-10/sha256" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	sample_msg M1 >"$T/m1"
	nats_run --server "$NATS_URLS" --subject "$SUBJ" <"$T/m1"
	assert_equal "$stderr" ""
	run nats_stream dump HL7
	assert_output "1 hl7.ADT $(msgid "$T/m1") $(stat -c %s "$T/m1")"
}

@test "duplicate: the same message again is 0 and stored once; another control ID is stored" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	sample_msg M1 >"$T/m1"
	sample_msg M2 >"$T/m2"
	nats_run --server "$NATS_URLS" --subject "$SUBJ" <"$T/m1"
	# through another server of the cluster, as another receiver would
	nats_run --server "${NATS_URL[3]}" --subject "$SUBJ" <"$T/m1"
	run nats_stream count HL7
	assert_output 1
	nats_run --server "${NATS_URL[2]}" --subject "$SUBJ" <"$T/m2"
	run nats_stream count HL7
	assert_output 2
}

@test "refused: a message over the stream's max_msg_size is 65 and not stored" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>' 300
	{
		sample_msg BIG
		printf 'NTE|1||%0400d\r' 0
	} >"$T/big"
	nats_run 65 --server "$NATS_URLS" --subject "$SUBJ" <"$T/big"
	[[ $stderr == "mllp-nats: SND/SFAC/BIG/"*": refused: "* ]] || fail "$stderr"
	run nats_stream count HL7
	assert_output 0
}

@test "no stream for the subject: no responders is temporary, 75" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	sample_msg M1 >"$T/m1"
	nats_run 75 --server "$NATS_URLS" --subject other --timeout 1 <"$T/m1"
	[[ $stderr == *"no responders"* ]] || fail "$stderr"
}

@test "no stream leader: two of three nodes killed, 75; back, the same message is stored once" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	sample_msg M1 >"$T/m1"
	nats_kill 2
	nats_kill 3
	nats_run 75 --server "$NATS_URLS" --subject "$SUBJ" --timeout 1 <"$T/m1"
	nats_node_start 2
	nats_node_start 3
	nats_run --server "$NATS_URLS" --subject "$SUBJ" --timeout 30 <"$T/m1"
	run nats_stream count HL7
	assert_output 1
}

@test "subject templates: values from fields and variables become one safe token each" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	hl7 'MSH|^~\&|A/B|LAB.1 *>|R|F|20260101||ORU^R01|X 1|P|2.5' 'PID|1' >"$T/m1"
	HL7_MESSAGE_CODE='x.y>' nats_run --server "$NATS_URLS" \
		--subject 'hl7.%{MSH-4}.$HL7_MESSAGE_CODE.${UNSET_VAR}.%{MSH-9.2}' <"$T/m1"
	run nats_stream dump HL7
	assert_output "1 hl7.LAB_1___.x_y_._.R01 A_B/LAB.1_*>/X_1/$(sha256sum <"$T/m1" | cut -d' ' -f1) $(stat -c %s "$T/m1")"
}

@test "mllpd --exec mllp-nats: AA once stored, AR when refused, AE when the stream has no leader" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>' 300
	local exec="$MLLP_NATS --server $NATS_URLS --subject hl7.%{MSH-9.1} --timeout 1"
	{
		frame "$(sample_msg E1)"
		frame "$(sample_msg E2; printf 'NTE|1||%0400d\r' 0)"
	} >"$T/in"
	mllpd_run --exec "$exec" <"$T/in"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_ack_code AR 2
	nats_kill 1
	nats_kill 2
	frame "$(sample_msg E3)" >"$T/in3"
	mllpd_run --exec "$exec" <"$T/in3"
	assert_ack_code AE 1
	nats_node_start 1
	run nats_stream dump HL7
	[[ ${#lines[@]} -eq 1 && ${lines[0]} == "1 hl7.ADT SND/SFAC/E1/"* ]] || fail "$output"
}

# count_in DIR: files in DIR.
count_in() {
	local f n=0
	for f in "$1"/*; do [[ -e $f ]] && n=$((n + 1)); done
	echo "$n"
}

has_count() {
	[[ $(count_in "$2") -eq $1 ]]
}

# spool_fill DIR FIRST LAST: messages D<FIRST>..D<LAST> (4 digits) into spool DIR's new/.
spool_fill() {
	local i id
	for ((i = $2; i <= $3; i++)); do
		printf -v id 'D%04d' "$i"
		printf '\013'
		sample_msg "$id"
		printf '\034\r'
	done >"$T/fill.in"
	timeout -k 5 60 "$MLLPD" --spool "$1" --no-fsync <"$T/fill.in" >/dev/null 2>>"$T/fill.err" ||
		fail "mllpd could not fill $1"
}

# stream_ids: the MSH-10 of every message in stream HL7, sorted.
stream_ids() {
	nats_stream dump HL7 | cut -d' ' -f3 | cut -d/ -f3 | sort
}

# seq_ids FIRST LAST: D<FIRST>..D<LAST>, one a line.
seq_ids() {
	local i
	for ((i = $1; i <= $2; i++)); do printf 'D%04d\n' "$i"; done
}

@test "--drain: every file to cur/ after its PubAck, 4 in flight; the stream holds each once" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	spool_fill "$T/s" 1 40
	nats_run --server "$NATS_URLS" --subject "$SUBJ" --drain "$T/s" --inflight 4
	assert_equal "$stderr" "mllp-nats: --drain $T/s: 40 published (0 duplicates), 0 refused (to failed/), 0 in new/"
	assert_equal "$(count_in "$T/s/new")" 0
	assert_equal "$(count_in "$T/s/cur")" 40
	assert_equal "$(stream_ids)" "$(seq_ids 1 40)"
	# the same files again (a crash between PubAck and rename): duplicates, stored once
	mv "$T/s/cur/"* "$T/s/new/"
	nats_run --server "$NATS_URLS" --subject "$SUBJ" --drain "$T/s"
	assert_equal "$stderr" "mllp-nats: --drain $T/s: 40 published (40 duplicates), 0 refused (to failed/), 0 in new/"
	run nats_stream count HL7
	assert_output 40
}

@test "--drain: a refused file to failed/ (65), the others to cur/; a second drainer is 75" {
	nats_cluster_start
	nats_stream_create HL7 'hl7.>' 300
	spool_fill "$T/s" 1 3
	{
		sample_msg BIG
		printf 'NTE|1||%0400d\r' 0
	} >"$T/s/new/2.big.hl7"
	nats_run 65 --server "$NATS_URLS" --subject "$SUBJ" --drain "$T/s"
	[[ $stderr == *"new/2.big.hl7: SND/SFAC/BIG/"*": refused: "* ]] || fail "$stderr"
	assert_equal "$(count_in "$T/s/cur")" 3
	assert_equal "$(count_in "$T/s/failed")" 1
	[[ -f $T/s/failed/2.big.hl7 ]] || fail "not in failed/"
	flock "$T/s" timeout 60 "$MLLP_NATS" --server "$NATS_URLS" --subject "$SUBJ" --drain "$T/s" \
		2>"$T/lock.err" && fail "a second drainer ran" || status=$?
	assert_equal "$status" 75
	assert_equal "$(<"$T/lock.err")" "mllp-nats: --drain $T/s: another process is draining it"
}

@test "--drain: no server answers: 75, every file stays in new/" {
	local port
	port=$(free_port)
	spool_fill "$T/s" 1 5
	nats_run 75 --server "nats://127.0.0.1:$port" --subject "$SUBJ" --drain "$T/s" --timeout 0.5
	assert_equal "$(count_in "$T/s/new")" 5
	assert_equal "$(count_in "$T/s/cur")" 0
	[[ $stderr == *"5 in new/" ]] || fail "$stderr"
}

@test "--drain --watch: files as they arrive, the stream leader killed meanwhile, SIGTERM ends it with 0" {
	local leader
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	mkdir -p "$T/s"
	server_start drain "$MLLP_NATS" --server "$NATS_URLS" --subject "$SUBJ" --timeout 2 \
		--drain "$T/s" --watch
	local dpid=$SERVER_PID
	spool_fill "$T/s" 1 30
	wait_until 30 has_count 30 "$T/s/cur"
	leader=$(nats_stream leader HL7)
	nats_kill "${leader#n}"
	spool_fill "$T/s" 31 60
	wait_until 60 has_count 60 "$T/s/cur"
	kill -TERM "$dpid"
	pid_wait "$dpid" 20
	assert_equal "$PID_STATUS" 0
	assert_equal "$(stream_ids)" "$(seq_ids 1 60)"
	grep -q "60 published" "$T/drain.err" || fail "$(cat "$T/drain.err")"
}

@test "--drain --watch: its only server gone, files stay in new/, not connected; back, all to cur/" {
	MLLPD_TIMEOUT=240 # every server lives for the whole test (a bound)
	nats_single_start
	nats_stream_create HL7 'hl7.>'
	spool_fill "$T/s" 1 1
	server_start drain "$MLLP_NATS" --server "${NATS_URL[1]}" --subject "$SUBJ" --timeout 0.5 \
		--drain "$T/s" --watch --inflight 2
	local dpid=$SERVER_PID
	wait_until 60 has_count 1 "$T/s/cur"
	nats_kill 1
	spool_fill "$T/s" 2 11
	# nothing published while libnats reconnects (it would buffer the publish: Timeout)
	local nc=': not connected to a server, reconnecting$'
	wait_until 60 eval "(( \$(grep -c '$nc' $T/drain.err) >= 2 ))"
	assert_equal "$(count_in "$T/s/new")" 10
	nats_node_start 1
	wait_until 120 has_count 11 "$T/s/cur"
	kill -TERM "$dpid"
	pid_wait "$dpid" 20
	assert_equal "$PID_STATUS" 0
	assert_equal "$(stream_ids)" "$(seq_ids 1 11)"
	# (a publish written as the connection broke goes out on reconnect: its retry a duplicate)
	grep -qE ' 11 published \([0-9]+ duplicates\), 0 refused \(to failed/\), 0 in new/' \
		"$T/drain.err" || fail "$(cat "$T/drain.err")"
}

# receiver_pids WRAPPER: the mllpd listener under a timeout wrapper and its connection children.
receiver_pids() {
	local m
	m=$(pgrep -P "$1") || return 0
	echo "$m"
	pgrep -P "$m" || true
}

@test "two mllpd behind HAProxy, --exec mllp-nats: one mllpd and the stream leader killed -9 mid-drain, the stream holds each message once" {
	local n=200 pa pb hp wa wb leader
	# a sanitized build starts each mllp-nats in about a second: 20 messages there
	[[ $(cat "$MLLPD_DIR/replay/sanitize" 2>/dev/null) == 1 ]] && n=20
	n=${NATS_HA_MESSAGES:-$n}
	# every process here lives for the whole drain (a bound, not a timing assertion)
	MLLPD_TIMEOUT=$((120 + n * 2))
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	spool_fill "$T/src" 1 "$n"
	local exec="$MLLP_NATS --server $NATS_URLS --subject hl7.%{MSH-9.1} --timeout 10"
	pa=$(free_port)
	pb=$(free_port)
	hp=$(free_port)
	server_start ra "$MLLPD" --listen "127.0.0.1:$pa" --exec "$exec"
	wa=$SERVER_PID
	server_start rb "$MLLPD" --listen "127.0.0.1:$pb" --exec "$exec"
	wb=$SERVER_PID
	wait_listen "$pa"
	wait_listen "$pb"
	haproxy_start "$hp" "$pa" "$pb"
	server_start send "$MLLPD_DIR/mllp-send" -q --timeout 30 \
		--retry-delay 0.2 --retry-max-delay 1 --drain "$T/src" "127.0.0.1:$hp"
	local spid=$SERVER_PID
	# the receiver serving the drain's connection: killed with its children
	wait_until 120 eval "(( \$(count_in $T/src/cur) >= n / 4 ))"
	local victim=$wa
	[[ -n $(receiver_pids "$wa" | sed 1d) ]] || victim=$wb
	# shellcheck disable=SC2046 # one pid a word
	kill -KILL $(receiver_pids "$victim")
	wait_until 120 eval "(( \$(count_in $T/src/cur) >= n / 2 ))"
	leader=$(nats_stream leader HL7)
	echo "# killing the stream leader $leader" >&2
	nats_kill "${leader#n}"
	pid_wait "$spid" "$MLLPD_TIMEOUT"
	assert_equal "$PID_STATUS" 0
	assert_equal "$(count_in "$T/src/cur")" "$n"
	run nats_stream count HL7
	assert_output "$n"
	assert_equal "$(stream_ids)" "$(seq_ids 1 "$n")"
}

@test "--drain --watch: no stream leader, files stay in new/ and are retried; back, all to cur/" {
	# Every server here lives for the whole test (a bound, not a timing assertion): with
	# the default 30 s, node 1, the forwarder's only server, was ended by its timeout
	# wrapper when it had led the stream (20 s of Timeouts before it stepped down).
	MLLPD_TIMEOUT=240
	nats_cluster_start
	nats_stream_create HL7 'hl7.>'
	nats_kill 2
	nats_kill 3
	spool_fill "$T/s" 1 10
	server_start drain "$MLLP_NATS" --server "${NATS_URL[1]}" --subject "$SUBJ" --timeout 0.5 \
		--drain "$T/s" --watch --inflight 2
	local dpid=$SERVER_PID
	# two attempts failed: every file is still in new/
	# a stream led by node 1 answers Timeout until node 1 steps down (about 20 s)
	wait_until 60 eval "(( \$(grep -c 'no responders' $T/drain.err) >= 2 ))"
	assert_equal "$(count_in "$T/s/new")" 10
	assert_equal "$(count_in "$T/s/cur")" 0
	nats_node_start 2
	nats_node_start 3
	wait_until 120 has_count 10 "$T/s/cur"
	kill -TERM "$dpid"
	pid_wait "$dpid" 20
	assert_equal "$PID_STATUS" 0
	assert_equal "$(stream_ids)" "$(seq_ids 1 10)"
	# a publish whose PubAck timed out may have been stored: its retry is then
	# a duplicate, stored once (the stream's IDs above are exactly 1..10)
	grep -qE '10 published \([0-9]+ duplicates\), 0 refused \(to failed/\), 0 in new/' "$T/drain.err" ||
		fail "$(cat "$T/drain.err")"
}
