#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 075-npm: an MLLP client from the npm registry (node-hl7-client, pinned in tests/tools/npm/) against mllpd --listen.

load helpers
load net

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	NPM_MODULES="$MLLPD_ROOT/build/npm/node_modules"
	command -v node >/dev/null || skip "node not installed (apt-get install nodejs npm)"
	[[ -d $NPM_MODULES/node-hl7-client ]] ||
		skip "node-hl7-client not installed in build/npm (make deps-test installs it from tests/tools/npm)"
	PORT=$(free_port)
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL"
	wait_listen "$PORT"
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

@test "npm: node-hl7-client sends 5 messages on one connection and parses 5 positive ACKs (AA); all 5 spooled" {
	run timeout -k 5 30 env NODE_PATH="$NPM_MODULES" node "$MLLPD_ROOT/tests/tools/npm-send.js" 127.0.0.1 "$PORT" 5 NODE
	[[ $status -eq 0 ]] || server_log server
	assert_success
	# the library parsed each ACK: MSA-1 AA, MSA-2 the control ID it sent
	assert_output "$(printf 'AA NODE%d\n' 1 2 3 4 5)"
	assert_spool_count 5
	# each file is the message the library built, as it sent it
	local i f
	for i in 1 2 3 4 5; do
		f=$(spool_file "$i")
		grep -aq "^MSH|^~\\\\&|NPMAPP|NPMFAC|MLLPD|HOSP|[0-9]*||ADT^A01^ADT_A01|NODE$i|P|" "$f" ||
			fail "spool file $i is not message NODE$i: $(visible <"$f")"
	done
	# one connection for the five
	wait_until 10 grep -q ' closed: ' "$T/server.err"
	run grep -c ' closed: messages=5 ' "$T/server.err"
	assert_output 1
}
