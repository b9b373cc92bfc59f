#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 105-faults: a full disk and I/O errors in the spool: AE with the reason, nothing in new/, the connection goes on.

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	FIFO_OPEN=
	# The LD_PRELOAD shim (tests/tools/faultinject.c), built beside the
	# programs by `make units`.  An ASan build wants its runtime first in
	# the preload list: it is put there, so both builds run these tests.
	FAULTINJECT="$MLLPD_DIR/tools/faultinject.so"
	[[ -f $FAULTINJECT ]] || fail "fault injector not built: $FAULTINJECT (run make units)"
	PRELOAD=$FAULTINJECT
	local asan
	asan=$(ldd "$MLLPD" 2>/dev/null | awk '$1 ~ /^libasan\./ { print $3 }')
	[[ -z $asan ]] || PRELOAD="$asan $FAULTINJECT"
	sample_msg FAULT1 >"$T/m1.hl7"
	sample_msg AFTER1 >"$T/m2.hl7"
	frame -f "$T/m1.hl7" -f "$T/m2.hl7" >"$T/in"
}

teardown() {
	if [[ -n $FIFO_OPEN ]]; then exec 5>&-; fi
	mllpd_teardown
}

# mllpd_faulty VAR=VALUE... -- ARGS...: mllpd_send "$T/in" ARGS with the
# shim preloaded, the FAULTINJECT_ variables given, faults limited to
# paths under $SPOOL/ and logged to $T/faults.
mllpd_faulty() {
	local real=$MLLPD vars=()
	while [[ $1 != -- ]]; do
		vars+=("$1")
		shift
	done
	shift
	# shellcheck disable=SC2209 # env is the program mllpd_send runs
	MLLPD=env mllpd_send "$T/in" LD_PRELOAD="$PRELOAD" FAULTINJECT_PATH="$SPOOL/" FAULTINJECT_LOG="$T/faults" \
		"${vars[@]}" "$real" "$@"
}

# held_open COMMAND...: one connection, a pipe held open on fd 5: COMMAND
# (env ... mllpd ...) runs under timeout with that pipe for stdin.
held_open() {
	mkfifo "$T/held"
	timeout -k 5 "$MLLPD_TIMEOUT" "$@" <"$T/held" >"$MLLPD_STDOUT" 2>"$MLLPD_STDERR" 3>&- &
	HELD_PID=$!
	bg_register "$HELD_PID"
	exec 5>"$T/held"
	FIFO_OPEN=1
}

# held_send FILE [ID]: FILE framed into the connection; with ID, once the
# answer to ID is out.
held_send() {
	frame -f "$1" >&5
	[[ -z ${2-} ]] || wait_until 10 grep -q "MSA|A[AER]|$2" "$MLLPD_STDOUT"
}

# held_close: the connection closed, mllpd gone with status 0; ACKS and
# stderr_lines are set.
held_close() {
	exec 5>&-
	FIFO_OPEN=
	pid_wait "$HELD_PID" 10
	[[ $PID_STATUS -eq 0 ]] || fail "mllpd exited $PID_STATUS: $(cat "$MLLPD_STDERR")"
	mapfile -t stderr_lines <"$MLLPD_STDERR"
	ack_split "$MLLPD_STDOUT"
}

# mllpd_faulty_paced VAR=VALUE... -- ARGS...: as mllpd_faulty, but through
# a pipe held open, the second message written only once the first is
# answered: two reads, so two groups (with group commit a failed flush
# fails its whole group; the next group starts afresh).
mllpd_faulty_paced() {
	local vars=()
	while [[ $1 != -- ]]; do
		vars+=("$1")
		shift
	done
	shift
	held_open env LD_PRELOAD="$PRELOAD" FAULTINJECT_PATH="$SPOOL/" FAULTINJECT_LOG="$T/faults" "${vars[@]}" \
		"$MLLPD" "$@"
	held_send "$T/m1.hl7" FAULT1
	held_send "$T/m2.hl7"
	held_close
}

# assert_fault CALL: the shim did make a CALL fail (the test is not vacuous).
assert_fault() {
	grep -qF "faultinject: $1" "$T/faults" 2>/dev/null || fail "no $1 fault was injected: $(cat "$T/faults" 2>/dev/null)"
}

# assert_ae_then_aa REASON: ACK 1 is AE for FAULT1 with REASON in MSA-3 and
# ERR (code 207); ACK 2 is AA for AFTER1; new/ holds AFTER1 alone, tmp/ is
# empty; the log names the spool and the reason.
assert_ae_then_aa() {
	assert_ack_count 2
	assert_ack_code AE 1
	run ack_field MSA 2 1
	assert_output FAULT1
	run ack_field MSA 3 1
	assert_output "$1"
	run ack_segment ERR 1
	assert_output --partial '207'
	assert_output --partial "$1"
	assert_ack_code AA 2
	run ack_field MSA 2 2
	assert_output AFTER1
	assert_spooled_only "$T/m2.hl7"
	run find "$SPOOL/tmp" "$SPOOL/failed" "$SPOOL/cur" -mindepth 1
	assert_output ''
	assert_stderr_line 0 "mllpd: stdin: spool $SPOOL: ${1#spool: }"
	local want
	want="mllpd: stdin: message id=FAULT1 type=ADT^A01^ADT_A01 version=2.5.1 size=$(wc -c <"$T/m1.hl7") ack=AE sink=spool:error us=* error=\"$1\""
	# shellcheck disable=SC2053
	[[ ${stderr_lines[1]} == $want ]] || fail "stderr line 1 is '${stderr_lines[1]-}', expected '$want'"
	assert_no_phi
}

@test "faults: ENOSPC from write: AE 'spool: No space left on device', nothing in new/, next message AA" {
	mllpd_faulty FAULTINJECT_CALL=write FAULTINJECT_ERRNO=ENOSPC FAULTINJECT_TIMES=1 -- --spool "$SPOOL"
	assert_fault write
	assert_ae_then_aa 'spool: No space left on device'
}

@test "faults: EIO from fsync of the file: AE 'spool: Input/output error', next message AA" {
	mllpd_faulty_paced FAULTINJECT_CALL=fsync FAULTINJECT_ERRNO=EIO FAULTINJECT_TIMES=1 -- --spool "$SPOOL"
	assert_fault "fdatasync $SPOOL/tmp/"
	assert_ae_then_aa 'spool: Input/output error'
}

@test "faults: EIO from fsync of new/ after the rename: the file is taken back out of new/" {
	# the first fsync (the file) succeeds, the second (the directory new/) fails
	mllpd_faulty_paced FAULTINJECT_CALL=fsync FAULTINJECT_ERRNO=EIO FAULTINJECT_AFTER=1 FAULTINJECT_TIMES=1 -- --spool "$SPOOL"
	assert_fault "fsync $SPOOL/new:"
	assert_ae_then_aa 'spool: Input/output error'
}

@test "faults: ENOSPC from rename: AE, tmp/ cleaned up, next message AA" {
	mllpd_faulty_paced FAULTINJECT_CALL=rename FAULTINJECT_ERRNO=ENOSPC FAULTINJECT_TIMES=1 -- --spool "$SPOOL"
	assert_fault renameat
	assert_ae_then_aa 'spool: No space left on device'
}

# group_faulty VAR=VALUE...: five messages in one read (one group) with the
# fault given; every one is answered AE with its own ID, none is in new/,
# tmp/ is empty.
group_faulty() {
	local i
	for i in 1 2 3 4 5; do sample_msg "GROUP$i" >"$T/g$i.hl7"; done
	frame -f "$T/g1.hl7" -f "$T/g2.hl7" -f "$T/g3.hl7" -f "$T/g4.hl7" -f "$T/g5.hl7" >"$T/in"
	mllpd_faulty "$@" FAULTINJECT_TIMES=1 -- --spool "$SPOOL"
	assert_ack_count 5
	for i in 1 2 3 4 5; do
		assert_ack_code AE "$i"
		run ack_field MSA 2 "$i"
		assert_output "GROUP$i"
		run ack_field MSA 3 "$i"
		assert_output 'spool: Input/output error'
	done
	assert_spool_empty new
	assert_spool_empty tmp
	assert_no_phi
}

@test "faults: group commit: EIO from the fdatasync of the third file: the whole group AE, none in new/" {
	group_faulty FAULTINJECT_CALL=fsync FAULTINJECT_ERRNO=EIO FAULTINJECT_AFTER=2
	assert_fault "fdatasync $SPOOL/tmp/"
}

@test "faults: group commit: EIO from the fsync of new/ after the renames: all taken back, AE" {
	group_faulty FAULTINJECT_CALL=fsync FAULTINJECT_ERRNO=EIO FAULTINJECT_AFTER=5
	assert_fault "fsync $SPOOL/new:"
}

@test "faults: group commit: EIO from the fsync of tmp/ after the renames: all taken back, AE" {
	group_faulty FAULTINJECT_CALL=fsync FAULTINJECT_ERRNO=EIO FAULTINJECT_AFTER=6
	assert_fault "fsync $SPOOL/tmp:"
}

@test "faults: group commit: EIO from the third rename: the two moved are taken back, AE" {
	group_faulty FAULTINJECT_CALL=rename FAULTINJECT_ERRNO=EIO FAULTINJECT_AFTER=2
	assert_fault renameat
}

@test "faults: EDQUOT from every write (a quota): every message AE, new/ and tmp/ empty" {
	sample_msg THIRD >"$T/m3.hl7"
	frame -f "$T/m1.hl7" -f "$T/m2.hl7" -f "$T/m3.hl7" >"$T/in"
	mllpd_faulty FAULTINJECT_CALL=write FAULTINJECT_ERRNO=EDQUOT -- --spool "$SPOOL"
	assert_fault write
	assert_ack_count 3
	local i
	for i in 1 2 3; do
		assert_ack_code AE "$i"
		run ack_field MSA 3 "$i"
		assert_output 'spool: Disk quota exceeded'
	done
	assert_spool_empty new
	assert_spool_empty tmp
	run grep -c "^mllpd: stdin: spool $SPOOL: Disk quota exceeded\$" "$MLLPD_STDERR"
	assert_output 3
}

@test "faults: the spool's new/ cannot be opened (EMFILE): AE names the part, reopened for the next message" {
	# only the opening of new/ fails, once (the later FAULTINJECT_PATH wins)
	mllpd_faulty FAULTINJECT_PATH="$SPOOL/new" FAULTINJECT_CALL=open FAULTINJECT_ERRNO=EMFILE FAULTINJECT_TIMES=1 -- \
		--spool "$SPOOL"
	assert_fault openat
	assert_ack_count 2
	assert_ack_code AE 1
	run ack_field MSA 3 1
	assert_output 'spool: new: Too many open files'
	assert_ack_code AA 2
	assert_spooled_only "$T/m2.hl7"
	assert_stderr_line 0 "mllpd: stdin: spool $SPOOL: new: Too many open files"
}

@test "faults: durability: creating the spool fsyncs its parent, a move to failed/ fsyncs failed/ and tmp/" {
	# no fault: the shim only traces mkdir, fsync and rename under $T, in order
	local r
	r=$(cd "$T" && pwd -P)
	frame -f "$T/m1.hl7" >"$T/in"
	mllpd_faulty FAULTINJECT_TRACE=1 FAULTINJECT_PATH="$r" FAULTINJECT_CALL=mkdir,fsync,rename -- \
		--spool "$SPOOL" --exec false
	assert_ack_count 1
	assert_ack_code AE
	assert_spool_empty new
	run sed -E -e "s|$r|T|" -e 's|/[0-9]+\.[0-9]{9}\.[0-9]+\.t?[0-9]+\.(hl7\|tmp)$|/NAME|' "$T/faults"
	assert_output "faultinject: trace mkdir T/spool
faultinject: trace fsync T
faultinject: trace mkdirat T/spool/tmp
faultinject: trace mkdirat T/spool/new
faultinject: trace mkdirat T/spool/cur
faultinject: trace mkdirat T/spool/failed
faultinject: trace fsync T/spool
faultinject: trace fsync T/spool/tmp/NAME
faultinject: trace renameat T/spool/tmp/NAME
faultinject: trace fsync T/spool/failed
faultinject: trace fsync T/spool/tmp"
}

@test "faults: EIO from fsync of failed/ after a failed command: logged, the answer stays AE" {
	frame -f "$T/m1.hl7" >"$T/in"
	mllpd_faulty FAULTINJECT_CALL=fsync FAULTINJECT_ERRNO=EIO FAULTINJECT_PATH="$SPOOL/failed" -- \
		--spool "$SPOOL" --exec false
	assert_fault "fsync $SPOOL/failed"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 3
	assert_output 'command exited 1'
	local f
	f=$(find "$SPOOL/failed" -type f)
	[[ -n $f ]] || fail "nothing in failed/"
	assert_stderr_line 0 "mllpd: stdin: spool: cannot move ${f##*/} to failed/: Input/output error"
	assert_no_phi
}

@test "faults: the disk is full while a control file exists; the space comes back; the same connection goes on" {
	# One connection (a pipe held open): a message while the disk is
	# "full", then the space is returned, then the next message.
	touch "$T/full"
	held_open env LD_PRELOAD="$PRELOAD" FAULTINJECT_PATH="$SPOOL/" FAULTINJECT_LOG="$T/faults" FAULTINJECT_CALL=write \
		FAULTINJECT_ERRNO=ENOSPC FAULTINJECT_WHILE="$T/full" "$MLLPD" --spool "$SPOOL"
	held_send "$T/m1.hl7" FAULT1
	held_send "$T/m1.hl7"
	wait_until 10 eval '[[ $(grep -ao "MSA|AE|FAULT1" "$MLLPD_STDOUT" | wc -l) -eq 2 ]]'
	assert_spool_empty new
	rm "$T/full"
	held_send "$T/m2.hl7"
	held_close
	assert_fault write
	assert_ack_count 3
	assert_ack_code AE 1
	assert_ack_code AE 2
	assert_ack_code AA 3
	run ack_field MSA 2 3
	assert_output AFTER1
	assert_spooled_only "$T/m2.hl7"
	assert_spool_empty tmp
}

# spool_removed ARGS...: one connection (a pipe held open) to mllpd --spool
# $SPOOL ARGS: FIRST, answered; the whole spool removed (rm -rf); FAULT1,
# answered; AFTER1.  FIRST is AA in the old spool, FAULT1 AE (its file went
# with the directory), AFTER1 AA in a spool made afresh: the connection
# does not go on using a directory that is gone.
spool_removed() {
	sample_msg FIRST >"$T/m0.hl7"
	held_open "$MLLPD" --spool "$SPOOL" "$@"
	held_send "$T/m0.hl7" FIRST
	rm -rf "$SPOOL"
	held_send "$T/m1.hl7" FAULT1
	held_send "$T/m2.hl7"
	held_close
	assert_ack_count 3
	assert_ack_code AA 1
	assert_ack_code AE 2
	run ack_field MSA 2 2
	assert_output FAULT1
	run ack_field MSA 3 2
	assert_output 'spool: No such file or directory'
	assert_ack_code AA 3
	run ack_field MSA 2 3
	assert_output AFTER1
	assert_spooled_only "$T/m2.hl7"
	assert_spool_empty tmp
}

@test "faults: the spool removed under an open connection: AE, then made afresh, AA (group commit)" {
	spool_removed
}

@test "faults: the spool removed under an open connection: AE, then made afresh, AA (--no-fsync)" {
	spool_removed --no-fsync
}

@test "faults: the spool removed under an open connection: AE, then made afresh, AA (with --exec)" {
	spool_removed --exec true
}

@test "faults: a real full file system (tmpfs of 64 KiB): AE for a message that does not fit, AA once space is back" {
	small_fs 64k
	SPOOL="$SMALL/spool"
	# a message of 100 KiB cannot fit, a small one can
	{
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|BIG1|P|2.5.1'
		head -c 76800 /dev/urandom | base64 -w 76 | sed 's/^/OBX|1|ED|||/' | tr '\n' '\r'
	} >"$T/big.hl7"
	frame -f "$T/big.hl7" -f "$T/m2.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AE 1
	run ack_field MSA 3 1
	assert_output 'spool: No space left on device'
	assert_ack_code AA 2
	assert_spooled_only "$T/m2.hl7"
	assert_spool_empty tmp
	assert_stderr_line 0 "mllpd: stdin: spool $SPOOL: No space left on device"
	# fill what is left with ballast: even the small one fails; free it: AA
	head -c 1M /dev/zero >"$SMALL/ballast" 2>/dev/null || true
	sample_msg FULL1 >"$T/m3.hl7"
	frame -f "$T/m3.hl7" >"$T/in3"
	mllpd_send "$T/in3" --spool "$SPOOL"
	assert_ack_code AE
	rm "$SMALL/ballast"
	mllpd_send "$T/in3" --spool "$SPOOL"
	assert_ack_code AA
	assert_spool_count 2
	assert_spool_empty tmp
}
