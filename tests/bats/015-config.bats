#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 015-config: --config FILE: name = value lines through the command line's own options; errors are exit 78.

# shellcheck disable=SC2154 # $status, $stderr... come from helpers.bash
load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	sample_msg CFG1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/m.framed"
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

# conf NAME LINE...: write the lines to $T/NAME.
conf() {
	local f="$T/$1"
	shift
	printf '%s\n' "$@" >"$f"
}

# config_error LINE ARGS...: mllpd ARGS exits 78 at start, with exactly LINE
# on stderr, nothing on stdout, and no spool made.  (Lighter than mllpd_run:
# many runs.)
config_error() {
	local want=$1 st=0 err
	shift
	echo "# \$ mllpd $*" >&2
	err=$(timeout -k 5 "$MLLPD_TIMEOUT" "$MLLPD" "$@" <"$T/m.framed" 2>&1 >"$T/start.out") || st=$?
	((st == 78)) || fail "mllpd exited $st, expected 78: $err"
	[[ $err == "$want" ]] || fail "stderr is '$err', expected '$want'"
	[[ ! -s $T/start.out ]] || fail "output on stdout: $(visible <"$T/start.out")"
	[[ ! -e $SPOOL ]] || fail "spool created although the configuration was refused"
}

@test "config: values from the file are applied: spool, flag alone, comments, blank lines, spaces; values literal" {
	# shellcheck disable=SC2016 # expanded by mllpd's /bin/sh
	conf c.conf '# mllpd test configuration' '' "   spool   =   $SPOOL   " '	no-fsync	' '  # indented comment' \
		'ack-application = CFGAPP' 'ack-facility=CFGFAC' \
		'exec = printf "%s#%s" "$HL7_CONTROL_ID" "a=b" > '"'$T/out'"' # not a comment'
	mllpd_run --config "$T/c.conf" <"$T/m.framed"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSH 3
	assert_output CFGAPP
	run ack_field MSH 4
	assert_output CFGFAC
	assert_spooled_only "$T/m.hl7"
	# the value runs to the end of its line: '#', quotes and '=' included
	run cat "$T/out"
	assert_output 'CFG1#a=b'
}

@test "config: flags and enumerations from the file: strict, quiet, ack-mode" {
	# an LF-separated message: accepted by default, AR under strict
	printf 'MSH|^~\\&|S|F|R|F|20260101||ADT^A01|LF1|P|2.5.1\nPID|1\n' | frame >"$T/lf.framed"
	conf c.conf "spool = $SPOOL" strict quiet 'ack-mode = original'
	mllpd_run --config "$T/c.conf" <"$T/lf.framed"
	assert_ack_code AR
	[[ $(ack_field MSA 3) == *strict* ]] || fail "MSA-3 does not name --strict: $(ack | visible)"
	# quiet: an AR is not an error of mllpd's: nothing logged
	[[ -z $stderr ]] || fail "quiet from the file not applied: $stderr"
	assert_spool_empty
}

@test "config: the command line wins over the file, wherever --config stands" {
	conf c.conf "spool = $T/file-spool" 'ack-application = FROMFILE'
	mllpd_run --config "$T/c.conf" --spool "$SPOOL" <"$T/m.framed"
	assert_ack_code AA
	run ack_field MSH 3
	assert_output FROMFILE
	assert_spooled_only "$T/m.hl7"
	[[ ! -e $T/file-spool ]] || fail "the file's spool was used"
	mllpd_run --ack-application=FROMCLI --config "$T/c.conf" <"$T/m.framed"
	run ack_field MSH 3
	assert_output FROMCLI
	[[ -n $(find "$T/file-spool/new" -type f) ]] || fail "the file's spool was not used"
}

@test "config: listen from the file serves over TCP" {
	local port
	port=$(free_port)
	conf c.conf "listen = 127.0.0.1:$port" "spool = $SPOOL" 'max-connections = 2'
	server_start server "$MLLPD" --config "$T/c.conf"
	wait_listen "$port"
	run mllp_client --print msa 127.0.0.1 "$port" "$T/m.hl7"
	assert_success
	assert_output 'MSA|AA|CFG1'
	assert_spooled_only "$T/m.hl7"
}

@test "config: the example file shipped (etc/mllpd.conf.example) is valid" {
	mllpd_run --config "$MLLPD_ROOT/etc/mllpd.conf.example" --spool "$SPOOL" <"$T/m.framed"
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
	# every commented-out setting is valid too, once uncommented (the TLS ones need files: left
	# out; proxy-protocol needs a PROXY header first: 125-proxy.bats)
	sed -n 's/^#\([a-z][a-z-]*\( = .*\)\{0,1\}\)$/\1/p' "$MLLPD_ROOT/etc/mllpd.conf.example" |
		grep -v -e '^tls-' -e '^listen' -e '^exec' -e '^spool' -e '^proxy-protocol' >"$T/all.conf"
	[[ $(wc -l <"$T/all.conf") -ge 10 ]] || fail "too few settings found in the example: $(cat "$T/all.conf")"
	mllpd_run --config "$T/all.conf" --spool "$SPOOL" --log-target stderr <"$T/m.framed"
	assert_ack_code AA
	assert_spool_count 2
}

@test "config: errors are exit 78 naming FILE (unreadable) or FILE:LINE and the name" {
	config_error "mllpd: $T/nope.conf: No such file or directory" --config "$T/nope.conf" --spool "$SPOOL"
	config_error "mllpd: $T: Is a directory" --config "$T" --spool "$SPOOL"
	# unknown name; no abbreviations, unlike the command line; not a setting
	conf c.conf '# top' "spool = $SPOOL" '' 'spol = /tmp'
	config_error "mllpd: $T/c.conf:4: unknown option: spol" --config "$T/c.conf"
	conf c.conf 'spo = /tmp'
	config_error "mllpd: $T/c.conf:1: unknown option: spo" --config "$T/c.conf"
	conf c.conf 'spool /tmp'
	config_error "mllpd: $T/c.conf:1: not a NAME = VALUE line" --config "$T/c.conf"
	# a value on a flag, a missing value
	conf c.conf "spool = $SPOOL" 'no-fsync = yes'
	config_error "mllpd: $T/c.conf:2: no-fsync: takes no value" --config "$T/c.conf"
	conf c.conf 'exec-timeout' "spool = $SPOOL"
	config_error "mllpd: $T/c.conf:1: exec-timeout: requires a value" --config "$T/c.conf"
	# a bad value, found by the option's own handler
	conf c.conf "spool = $SPOOL" '' 'max-message-size = lots'
	config_error "mllpd: $T/c.conf:3: --max-message-size: invalid size: lots" --config "$T/c.conf"
	# out of range: refused, never wrapped (2^34+1 G would be 1 GiB in 64 bits)
	conf c.conf "spool = $SPOOL" 'max-message-size = 17179869185G'
	config_error "mllpd: $T/c.conf:2: --max-message-size: must be 16 to 1073741824 bytes: 17179869185G" \
		--config "$T/c.conf"
	conf c.conf "spool = $SPOOL" 'exec-timeout = 2147484'
	config_error "mllpd: $T/c.conf:2: --exec-timeout: must be 0 to 2147483 seconds: 2147484" --config "$T/c.conf"
	conf c.conf "spool = $SPOOL" 'max-connections = 4294967297'
	config_error "mllpd: $T/c.conf:2: --max-connections: must be 1 to 100000: 4294967297" --config "$T/c.conf"
	conf c.conf "spool = $SPOOL" 'ack-mode = sometimes'
	config_error "mllpd: $T/c.conf:2: --ack-mode: must be auto or original: sometimes" --config "$T/c.conf"
	# config, help and version have no place in a file
	conf other.conf "spool = $SPOOL"
	conf c.conf "config = $T/other.conf"
	config_error "mllpd: $T/c.conf:1: config: not allowed in a configuration file" --config "$T/c.conf"
	conf c.conf "spool = $SPOOL" 'version'
	config_error "mllpd: $T/c.conf:2: version: not allowed in a configuration file" --config "$T/c.conf"
	# the same bad value on the command line stays a usage error (64)
	mllpd_run 64 --config "$T/other.conf" --ack-mode sometimes </dev/null
	assert_stderr_line 0 'mllpd: --ack-mode: must be auto or original: sometimes'
}

@test "config: proxy-protocol is a flag: a value is refused" {
	conf c.conf "spool = $SPOOL" 'proxy-protocol = yes'
	config_error "mllpd: $T/c.conf:2: proxy-protocol: takes no value" --config "$T/c.conf"
}
