#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 010-options: the command line (mllpd(8) SYNOPSIS, OPTIONS, EXIT STATUS).

# shellcheck disable=SC2154,SC2016,SC1003 # $status, $stderr... come from helpers.bash; HL7 text is literal
load helpers

setup() { mllpd_setup; }
teardown() { mllpd_teardown; }

# bad_value OPTION VALUE: mllpd (with a sink, so only OPTION is wrong) exits
# 64 without reading a message, prints one line naming OPTION and VALUE on
# stderr, nothing on stdout, and creates no spool.
bad_value() {
	mllpd_run 64 --spool "$SPOOL" "$1" "$2" </dev/null
	assert_no_answer
	[[ ${stderr_lines[0]-} == "mllpd: $1: "*": $2" ]] ||
		fail "stderr first line '${stderr_lines[0]-}' is not 'mllpd: $1: <why>: $2'"
	[[ ! -e $SPOOL ]] || fail "spool created although the command line was refused"
}

@test "--help: usage on stdout, exit 0, every option named" {
	mllpd_run 0 --help </dev/null
	[[ -z $stderr ]] || fail "stderr not empty: $stderr"
	run cat "$MLLPD_STDOUT"
	assert_line --index 0 --partial 'mllpd'
	local opt
	for opt in -q -v --spool --no-fsync --exec --exec-timeout --max-message-size \
		--idle-timeout --frame-timeout --ack-application --ack-facility --ack-mode \
		--strict --listen --max-connections --log-target --stats --version --help \
		--proxy-protocol; do
		assert_output --partial -- "$opt"
	done
}

@test "--help ignores stdin and needs no sink" {
	mllpd_run 0 --help < <(sample_frame)
	run grep -c $'\x0b' "$MLLPD_STDOUT"
	assert_output 0
}

@test "--version: one line 'mllpd VERSION' on stdout, exit 0" {
	mllpd_run 0 --version </dev/null
	[[ -z $stderr ]] || fail "stderr not empty: $stderr"
	run cat "$MLLPD_STDOUT"
	assert_line --index 0 --regexp '^mllpd [0-9]'
	[[ ${#lines[@]} -eq 1 ]] || fail "expected one line, got ${#lines[@]}"
}

@test "unknown option: exit 64, exact first stderr line, usage follows, stdout empty" {
	mllpd_run 64 --spool "$SPOOL" --bogus </dev/null
	assert_no_answer
	assert_stderr_line 0 'mllpd: unknown option: --bogus'
	[[ ${#stderr_lines[@]} -ge 2 ]] || fail "no usage text after the error line"
	[[ $stderr == *--spool* ]] || fail "usage on stderr does not name --spool"
}

@test "unknown short option: exit 64" {
	mllpd_run 64 --spool "$SPOOL" -Z </dev/null
	assert_no_answer
	assert_stderr_line 0 'mllpd: unknown option: -Z'
}

@test "stray operand: exit 64" {
	mllpd_run 64 --spool "$SPOOL" extra </dev/null
	assert_no_answer
	[[ ${stderr_lines[0]-} == 'mllpd: '* ]] || fail "no 'mllpd: ' error line: $stderr"
}

@test "option missing its value: exit 64" {
	mllpd_run 64 --spool </dev/null
	assert_no_answer
	[[ ${stderr_lines[0]-} == 'mllpd: --spool: '* ]] || fail "first line does not name --spool: $stderr"
}

@test "no sink: exit 64 with the exact message, nothing read or answered" {
	mllpd_run 64 < <(sample_frame)
	assert_no_answer
	assert_stderr_line 0 'mllpd: no sink configured: give --spool DIR and/or --exec CMD'
}

@test "an empty --exec or --spool is refused: exit 64, nothing answered (sh -c '' would AA every message)" {
	mllpd_run 64 --exec '' < <(sample_frame)
	assert_no_answer
	assert_stderr_line 0 'mllpd: --exec: empty command (it would accept every message and deliver none)'
	mllpd_run 64 --exec '  ' --spool "$SPOOL" < <(sample_frame)
	assert_no_answer
	assert_stderr_line 0 'mllpd: --exec: empty command (it would accept every message and deliver none)'
	mllpd_run 64 --spool '' < <(sample_frame)
	assert_no_answer
	assert_stderr_line 0 'mllpd: --spool: empty directory name'
	assert_spool_empty
}

@test "no sink even with other options: exit 64" {
	mllpd_run 64 --ack-mode original --no-fsync --max-message-size 1K </dev/null
	assert_no_answer
	assert_stderr_line 0 'mllpd: no sink configured: give --spool DIR and/or --exec CMD'
}

@test "--max-message-size: exact message for a bad size" {
	mllpd_run 64 --spool "$SPOOL" --max-message-size abc </dev/null
	assert_stderr_line 0 'mllpd: --max-message-size: invalid size: abc'
	mllpd_run 64 --spool "$SPOOL" --max-message-size=abc </dev/null
	assert_stderr_line 0 'mllpd: --max-message-size: invalid size: abc'
}

@test "--max-message-size: other bad sizes" {
	local v
	for v in -1 12Q 1.5K '' +1K ' 1K' 1KB; do
		bad_value --max-message-size "$v"
		assert_stderr_line 0 "mllpd: --max-message-size: invalid size: $v"
	done
}

@test "--max-message-size: out of range (0, 99999999999G): exit 64" {
	local v
	for v in 0 99999999999G; do
		mllpd_run 64 --spool "$SPOOL" --max-message-size "$v" </dev/null
		assert_no_answer
		[[ ${stderr_lines[0]-} == 'mllpd: --max-message-size: '* ]] ||
			fail "first stderr line does not name --max-message-size: $stderr"
	done
}

@test "--max-message-size: a suffix that would overflow is refused, never wrapped" {
	# 2^34+1 G, 2^44+1 M and 2^54+1 K wrap to 1G, 1M and 1K in 64 bits.
	local v
	for v in 17179869185G 17592186044417M 18014398509481985K 18446744073709551616 99999999999999999999999 2G 1073741825; do
		bad_value --max-message-size "$v"
		assert_stderr_line 0 "mllpd: --max-message-size: must be 16 to 1073741824 bytes: $v"
	done
	bad_value --max-message-size 15
	assert_stderr_line 0 "mllpd: --max-message-size: must be 16 to 1073741824 bytes: 15"
}

@test "--max-message-size: exactly 16 and 1G (1073741824) accepted" {
	local v
	for v in 1073741824 1G 1048576K 1024M; do
		mllpd_run 0 --spool "$SPOOL" --no-fsync --max-message-size "$v" < <(sample_frame "ID$v")
		assert_ack_code AA
	done
	mllpd_run 0 --spool "$SPOOL" --no-fsync --max-message-size 16 < <(sample_frame ID16)
	assert_ack_code AR
}

@test "--exec-timeout and --frame-timeout: past 2147483 s refused, never 'no limit'" {
	local o v
	for o in --exec-timeout --frame-timeout; do
		for v in 2147484 2147483.001 31536000 99999999999999999999; do
			bad_value "$o" "$v"
			assert_stderr_line 0 "mllpd: $o: must be 0 to 2147483 seconds: $v"
		done
	done
	bad_value --idle-timeout 31536001
	assert_stderr_line 0 "mllpd: --idle-timeout: must be 0 to 31536000 seconds: 31536001"
}

@test "timeouts: signs, blanks, exponents and hex are not numbers of seconds" {
	local v
	for v in +5 ' 5' '5 ' 1e3 0x10 inf nan . 5. .5.5 1,5; do
		bad_value --exec-timeout "$v"
		assert_stderr_line 0 "mllpd: --exec-timeout: invalid number of seconds: $v"
	done
}

@test "--max-connections: out of range, overflow included: exit 64 with the range" {
	local v
	for v in 0 100001 4294967297 18446744073709551617; do
		bad_value --max-connections "$v"
		assert_stderr_line 0 "mllpd: --max-connections: must be 1 to 100000: $v"
	done
}

@test "--max-message-size: K, M, G suffixes accepted" {
	local v
	for v in 1024 1K 16M 1G; do
		mllpd_run 0 --spool "$SPOOL" --no-fsync --max-message-size "$v" < <(sample_frame "ID$v")
		assert_ack_count 1
		assert_ack_code AA
	done
	assert_spool_count 4
}

@test "--exec-timeout: bad values" {
	local v
	for v in abc -1 10x ''; do
		bad_value --exec-timeout "$v"
		assert_stderr_line 0 "mllpd: --exec-timeout: invalid number of seconds: $v"
	done
}

@test "--idle-timeout: bad values" {
	local v
	for v in abc -1 10x ''; do
		bad_value --idle-timeout "$v"
		assert_stderr_line 0 "mllpd: --idle-timeout: invalid number of seconds: $v"
	done
}

@test "--frame-timeout: bad values" {
	local v
	for v in abc -1 10x ''; do
		bad_value --frame-timeout "$v"
		assert_stderr_line 0 "mllpd: --frame-timeout: invalid number of seconds: $v"
	done
}

@test "--max-connections: bad values" {
	local v
	for v in abc -1 10x '' 1.5 +5 ' 5'; do
		bad_value --max-connections "$v"
		assert_stderr_line 0 "mllpd: --max-connections: invalid number: $v"
	done
}

@test "--ack-mode: exact message for a bad mode" {
	bad_value --ack-mode foo
	assert_stderr_line 0 'mllpd: --ack-mode: must be auto or original: foo'
	mllpd_run 64 --spool "$SPOOL" --ack-mode=foo </dev/null
	assert_stderr_line 0 'mllpd: --ack-mode: must be auto or original: foo'
}

@test "--ack-mode: auto and original accepted" {
	mllpd_run 0 --spool "$SPOOL" --ack-mode auto < <(sample_frame A1)
	assert_ack_count 1
	mllpd_run 0 --spool "$SPOOL" --ack-mode=original < <(sample_frame A2)
	assert_ack_count 1
}

@test "--log-target: bad value" {
	local v
	for v in foo ''; do
		bad_value --log-target "$v"
		assert_stderr_line 0 "mllpd: --log-target: must be auto, stderr, journal or syslog: $v"
	done
}

@test "--log-target stderr: per-message line on stderr" {
	mllpd_run 0 --spool "$SPOOL" --log-target stderr < <(sample_frame LOGT1)
	assert_ack_count 1
	[[ $stderr == *'mllpd: stdin: message id=LOGT1 '*' ack=AA '* ]] ||
		fail "no per-message log line for LOGT1 on stderr: $stderr"
	assert_no_phi
}

@test "--spool=DIR form: message spooled in DIR" {
	sample_msg EQ1 >"$BATS_TEST_TMPDIR/m.hl7"
	mllpd_run 0 --spool="$SPOOL" < <(frame -f "$BATS_TEST_TMPDIR/m.hl7")
	assert_ack_count 1
	assert_ack_code AA
	assert_spooled_only "$BATS_TEST_TMPDIR/m.hl7"
}

@test "--spool creates DIR with tmp, new, cur, failed (mode 0750 under umask 022)" {
	(umask 022 && mllpd_run 0 --spool "$SPOOL" < <(sample_frame MK1))
	local d
	for d in "$SPOOL" "$SPOOL/tmp" "$SPOOL/new" "$SPOOL/cur" "$SPOOL/failed"; do
		[[ -d $d ]] || fail "$d not created"
		[[ $(stat -c %a "$d") == 750 ]] || fail "$d has mode $(stat -c %a "$d"), expected 750"
	done
}

@test "-q: no per-message or per-connection line on stderr" {
	mllpd_run 0 -q --spool "$SPOOL" < <(sample_frame Q1)
	assert_ack_count 1
	assert_ack_code AA
	[[ -z $stderr ]] || fail "stderr not empty with -q: $stderr"
}

@test "-v: accepted, message answered" {
	mllpd_run 0 -v --spool "$SPOOL" < <(sample_frame V1)
	assert_ack_count 1
	assert_ack_code AA
	assert_no_phi
}

@test "--no-fsync: message still spooled byte-identical" {
	sample_msg NF1 >"$BATS_TEST_TMPDIR/m.hl7"
	mllpd_run 0 --no-fsync --spool "$SPOOL" < <(frame -f "$BATS_TEST_TMPDIR/m.hl7")
	assert_ack_code AA
	assert_spooled_only "$BATS_TEST_TMPDIR/m.hl7"
}
