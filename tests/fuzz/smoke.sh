#!/bin/sh
# SPDX-License-Identifier: MIT
# smoke.sh: the fuzz smoke pass of make check, in TAP: replay the seeds
# through BUILD's replayers (any compiler) and, for a sanitized BUILD when
# clang has libFuzzer, run each target for FUZZ_SMOKE_SECONDS (1).
# usage: tests/fuzz/smoke.sh BUILD
set -u
cd "$(dirname "$0")/../.." || exit 70
build=${1:-build}
secs=${FUZZ_SMOKE_SECONDS:-1}
# every target: tests/fuzz/fuzz_NAME.c with its seeds in tests/fuzz/seed/NAME
targets=$(for f in tests/fuzz/fuzz_*.c; do f=${f#tests/fuzz/fuzz_}; printf '%s ' "${f%.c}"; done)
n=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mllpd-fuzz.XXXXXX") || exit 71
trap 'rm -rf "$tmp"' EXIT

result() { # status description [log]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 15 "$3" | sed 's/^/# /'
	fi
}

for t in $targets; do
	bin=$build/replay/replay_$t
	if [ ! -x "$bin" ]; then
		result fail "replay $t: $bin not built (make fuzz-replay)"
	elif "$bin" "tests/fuzz/seed/$t" >"$tmp/replay_$t.log" 2>&1; then
		result ok "replay $t: $(tail -n 1 "$tmp/replay_$t.log") from tests/fuzz/seed/$t"
	else
		result fail "replay $t: tests/fuzz/seed/$t" "$tmp/replay_$t.log"
	fi
done

# libFuzzer (itself built with ASan+UBSan): once per check, from the normal
# build's run, which finishes well before the sanitized one.
if [ "$(cat "$build/replay/sanitize" 2>/dev/null)" != 1 ]; then
	cc=${FUZZ_CC:-clang}
	if ! command -v "$cc" >/dev/null 2>&1 ||
		! echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return (int)(d == 0 && n); }' |
		"$cc" -x c -fsanitize=fuzzer -o "$tmp/probe" - >/dev/null 2>&1; then
		for t in $targets; do
			n=$((n + 1))
			echo "ok $n - libFuzzer $t # SKIP $cc with libFuzzer not available (make deps-fuzz)"
		done
	elif ! make --no-print-directory -s -j2 fuzz-build FUZZ_CC="$cc" >"$tmp/build.log" 2>&1; then
		for t in $targets; do
			result fail "libFuzzer $t: make fuzz-build failed" "$tmp/build.log"
		done
	else
		for t in $targets; do
			mkdir -p "$tmp/corpus_$t" "$tmp/crash_$t"
			dict=tests/fuzz/hl7.dict
			[ -f "tests/fuzz/$t.dict" ] && dict=tests/fuzz/$t.dict
			if ASAN_OPTIONS=detect_leaks=1 "build/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
				-dict="$dict" -artifact_prefix="$tmp/crash_$t/" \
				"$tmp/corpus_$t" "tests/fuzz/seed/$t" >"$tmp/fuzz_$t.log" 2>&1; then
				execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/fuzz_$t.log")
				cov=$(grep -E '^#[0-9]+' "$tmp/fuzz_$t.log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
				result ok "libFuzzer $t: ${secs}s, ${execs:-?} runs, ${cov:-?}"
			else
				result fail "libFuzzer $t: crash or invariant (see the log below)" "$tmp/fuzz_$t.log"
			fi
		done
	fi
fi
echo "1..$n"
