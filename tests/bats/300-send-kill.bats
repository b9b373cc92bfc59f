#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 300-send-kill: mllp-send --drain killed with SIGKILL at random moments and restarted: nothing is lost.

load helpers
load net
load 300-send-helpers

setup() {
	send_setup
}

teardown() {
	send_teardown
}

@test "drain: SIGKILL and restart, many rounds: every message reaches B at least once, A/new ends empty" {
	local total=200 limit=6 rounds=0 pid before dups t0 startup d
	spool_fill "$T/A" 1 "$total" K
	assert_count "$total" "$T/A/new"
	mllpd_listen b "$T/B" --no-fsync
	# How long this build takes to start (ASan is slower), so every round gets to send something.
	t0=$(date +%s%N)
	"$SEND" --version >/dev/null
	"$SEND" --version >/dev/null
	startup=$((($(date +%s%N) - t0) / 2000000))
	# Rounds, bounded in time: start the forwarder, SIGKILL it 0 to 39 ms after it is up, start it again.
	local end=$((SECONDS + limit))
	while ((SECONDS < end)) && has_files "$T/A/new"; do
		local window=$((rounds % 3 == 2 ? 4 : 1)) order=()
		((window == 1)) || order=(--unordered)
		# started directly (not under timeout) so that the SIGKILL reaches mllp-send itself
		"$SEND" -q --watch --window "$window" "${order[@]}" --retry-delay 0.05 --timeout 5 --drain "$T/A" "127.0.0.1:$PORT" \
			</dev/null >/dev/null 2>>"$T/rounds.err" 3>&- &
		pid=$!
		bg_register "$pid"
		d=$((startup + RANDOM % 40))
		sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rounds=$((rounds + 1))
	done
	before=$(count_in "$T/B/new")
	# Then one drain to completion.
	send_run -q --retry-max 10 --retry-delay 0.05 --drain "$T/A" "127.0.0.1:$PORT"
	assert_count 0 "$T/A/new"
	assert_count "$total" "$T/A/cur"
	assert_count 0 "$T/A/rejected"
	# Every control ID is in B at least once; B holds nothing else.
	control_ids "$T"/B/new/* | sort >"$T/got"
	sort -u "$T/got" >"$T/got.unique"
	for ((i = 1; i <= total; i++)); do printf 'K%04d\n' "$i"; done >"$T/want"
	diff "$T/want" "$T/got.unique" || fail "B is missing messages (or holds others): see the diff above"
	dups=$(($(wc -l <"$T/got") - total))
	echo "# duplicates: $dups (rounds: $rounds; start-up ${startup} ms; files in B before the final drain: $before)" >&3
	# no sanitizer or other unexpected complaint from the killed rounds
	if grep -av -e 'connect: Connection refused' -e 'retry [0-9]* in' "$T/rounds.err" | grep -aq .; then
		sed 's/^/# /' "$T/rounds.err" >&2
		grep -aq -e 'Sanitizer' -e 'runtime error' "$T/rounds.err" && fail "sanitizer report in the killed rounds"
	fi
	true
}
