#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 320-spool-tools: mllp-spool prune (cur/ only, --archive byte-exact and durable first) and replay (failed/ back to new/, then drained).

# shellcheck disable=SC2154 # $stderr, $stderr_lines... are set by helpers.bash
load helpers
load net
load 300-send-helpers

setup() {
	send_setup
	TOOL="$MLLPD_DIR/mllp-spool"
	[[ -x $TOOL ]] || fail "mllp-spool not built: $TOOL"
	USAGE="usage: mllp-spool prune DIR --older-than DURATION [--archive FILE.tar]"
	TOOL_PREFIX=()
}

teardown() {
	send_teardown
}

# tool_run [STATUS] ARGS...: mllp-spool ARGS in $T; STATUS (default 0) is the
# expected exit status.  Sets $status, $output, $lines, $stderr, $stderr_lines.
tool_run() {
	local expect=0
	if [[ $1 =~ ^[0-9]+$ ]]; then
		expect=$1
		shift
	fi
	echo "# \$ mllp-spool $*" >&2
	status=0
	(cd "$T" && exec timeout -k 5 60 "${TOOL_PREFIX[@]}" "$TOOL" "$@") >"$T/tool.out" 2>"$T/tool.err" ||
		status=$?
	output=$(<"$T/tool.out")
	mapfile -t lines <"$T/tool.out"
	stderr=$(<"$T/tool.err")
	mapfile -t stderr_lines <"$T/tool.err"
	printf '# stdout: %q\n# stderr: %s\n# status: %s\n' "$output" "$stderr" "$status" >&2
	((status == expect)) || fail "mllp-spool exited $status, expected $expect: mllp-spool $*"
}

# age FILE... : set the files' modification time to 3 days ago.
age() {
	touch -d "@$(($(date +%s) - 3 * 86400))" "$@"
}

# sp_make DIR: a spool with 3 old and 1 young file in cur/, and an old file
# in each of new/, failed/, tmp/ (none of which prune may touch).
sp_make() {
	local dir=$1
	spool_fill "$dir" 1 6 PR
	local names
	mapfile -t names < <(files_in "$dir/new")
	mv "$dir/new/${names[0]}" "$dir/new/${names[1]}" "$dir/new/${names[2]}" "$dir/new/${names[3]}" "$dir/cur/"
	mv "$dir/new/${names[4]}" "$dir/failed/"
	age "$dir/cur/${names[0]}" "$dir/cur/${names[1]}" "$dir/cur/${names[2]}" "$dir/new/${names[5]}" "$dir/failed/${names[4]}"
	printf 'partial' >"$dir/tmp/leftover.tmp"
	age "$dir/tmp/leftover.tmp"
	OLD=("${names[0]}" "${names[1]}" "${names[2]}")
	YOUNG=${names[3]}
	mkdir -p "$T/copy"
	cp -p "$dir"/cur/* "$T/copy/"
}

# state DIR: every file of the spool with its checksum, for "nothing changed".
state() {
	(cd "$1" && find . -type f -exec md5sum {} + | sort)
}

@test "mllp-spool: --help, --version; no command, an unknown command: 64 with the usage" {
	tool_run --help
	assert_line --index 0 "$USAGE"
	assert_line "       mllp-spool replay DIR [NAME...]"
	assert_output --partial "See mllp-spool(1)."
	tool_run --version
	assert_output --regexp '^mllp-spool [0-9]+\.[0-9]+\.[0-9]+$'
	tool_run 64
	assert_equal "${stderr_lines[0]}" "mllp-spool: a command is needed"
	assert_equal "${stderr_lines[1]}" "$USAGE"
	tool_run 64 frobnicate
	assert_equal "${stderr_lines[0]}" "mllp-spool: unknown command: frobnicate"
}

@test "prune: removes the old files of cur/ only; young ones, new/, failed/, tmp/ stay" {
	sp_make "$T/sp"
	local before_new before_failed before_tmp
	before_new=$(state "$T/sp/new")
	before_failed=$(state "$T/sp/failed")
	before_tmp=$(state "$T/sp/tmp")
	tool_run prune sp --older-than 2d
	assert_output ""
	assert_equal "$stderr" ""
	run files_in "$T/sp/cur"
	assert_output "$YOUNG"
	assert_equal "$(state "$T/sp/new")" "$before_new"
	assert_equal "$(state "$T/sp/failed")" "$before_failed"
	assert_equal "$(state "$T/sp/tmp")" "$before_tmp"
	# a second run has nothing to do, and opens no archive
	tool_run prune sp --older-than 2d --archive none.tar
	assert_count 1 "$T/sp/cur"
	[[ ! -e $T/none.tar ]] || fail "an archive was made with nothing to put in it"
}

@test "prune --older-than: s, m, h, d and none (seconds); 0 removes every file of cur/" {
	mkdir -p "$T/sp/new" "$T/sp/cur"
	printf 'x' >"$T/sp/cur/hour.hl7"
	touch -d "@$(($(date +%s) - 3600))" "$T/sp/cur/hour.hl7"
	local keep
	for keep in 2h 90m 5400s 5400 1d; do
		tool_run prune sp --older-than "$keep"
		assert_count 1 "$T/sp/cur"
	done
	for keep in 30m 1800s 1800 1h; do
		printf 'x' >"$T/sp/cur/hour.hl7"
		touch -d "@$(($(date +%s) - 7200))" "$T/sp/cur/hour.hl7"
		tool_run prune sp --older-than "$keep"
		assert_count 0 "$T/sp/cur"
	done
	printf 'y' >"$T/sp/cur/now.hl7"
	tool_run prune sp --older-than 0
	assert_count 0 "$T/sp/cur"
}

@test "prune --archive: the removed files are in a ustar archive, byte-exact, with size and time" {
	sp_make "$T/sp"
	tool_run prune sp --older-than 2d --archive "$T/old.tar"
	assert_count 1 "$T/sp/cur"
	run tar -tf "$T/old.tar"
	assert_output "cur/${OLD[0]}
cur/${OLD[1]}
cur/${OLD[2]}"
	run tar -tvf "$T/old.tar"
	local i name size
	for i in 0 1 2; do
		name=${OLD[i]}
		size=$(stat -c %s "$T/copy/$name")
		assert_line --index "$i" --regexp "^-rw-r----- [0-9]+/[0-9]+ +$size $(date -d "@$(stat -c %Y "$T/copy/$name")" '+%Y-%m-%d %H:%M') cur/$name\$"
		cmp <(tar -xOf "$T/old.tar" "cur/$name") "$T/copy/$name" || fail "cur/$name differs in the archive"
	done
	# ustar magic, and the archive ends with its two zero blocks, nothing after
	assert_equal "$(dd if="$T/old.tar" bs=1 skip=257 count=5 2>/dev/null)" ustar
	assert_equal "$(tail -c 1024 "$T/old.tar" | tr -d '\0' | wc -c)" 0
}

@test "prune --archive appends: to an archive GNU tar made, and again; a long name gets a pax header" {
	sp_make "$T/sp"
	printf 'first\n' >"$T/first.txt"
	(cd "$T" && tar -cf archive.tar first.txt)
	tool_run prune sp --older-than 2d --archive archive.tar
	local long
	long="$(printf 'L%.0s' {1..180}).hl7"
	printf 'MSH|^~\\&|LONG\r' >"$T/sp/cur/$long"
	cp "$T/sp/cur/$long" "$T/copy/$long"
	tool_run prune sp --older-than 0 --archive archive.tar
	assert_count 0 "$T/sp/cur"
	run tar -tf "$T/archive.tar"
	assert_equal "${#lines[@]}" 6
	assert_line --index 0 first.txt
	assert_line --index 4 "cur/$YOUNG"
	assert_line --index 5 "cur/$long"
	local name
	for name in "${OLD[@]}" "$YOUNG" "$long"; do
		cmp <(tar -xOf "$T/archive.tar" "cur/$name") "$T/copy/$name" || fail "cur/$name differs"
	done
	assert_equal "$(tar -xOf "$T/archive.tar" first.txt)" first
	# the pax extended header that carries the name
	grep -aq "path=cur/$long" "$T/archive.tar" || fail "no pax path record"
}

@test "prune --archive that cannot be written: 73, nothing removed, nothing left behind" {
	sp_make "$T/sp"
	local before
	before=$(state "$T/sp")
	tool_run 73 prune sp --older-than 2d --archive "$T/no/such/dir/a.tar"
	assert_equal "$stderr" "mllp-spool: --archive $T/no/such/dir/a.tar: No such file or directory"
	mkdir "$T/adir"
	tool_run 73 prune sp --older-than 2d --archive "$T/adir"
	assert_equal "$stderr" "mllp-spool: --archive $T/adir: Is a directory"
	tool_run 73 prune sp --older-than 2d --archive /dev/null
	assert_equal "$stderr" "mllp-spool: --archive /dev/null: not a regular file"
	assert_equal "$(state "$T/sp")" "$before"
}

@test "prune --archive: a file that is not a tar archive: 65, left as it was, nothing removed" {
	sp_make "$T/sp"
	printf 'not a tar archive, but it is long enough to hold one header block or so....%.0s' {1..10} >"$T/notes.tar"
	cp "$T/notes.tar" "$T/notes.orig"
	local before
	before=$(state "$T/sp")
	tool_run 65 prune sp --older-than 2d --archive notes.tar
	assert_equal "$stderr" "mllp-spool: --archive notes.tar: cannot append: bad header checksum: not a tar archive at byte 0"
	cmp "$T/notes.tar" "$T/notes.orig"
	assert_equal "$(state "$T/sp")" "$before"
	(cd "$T" && tar -cf cut.tar notes.orig && truncate -s 700 cut.tar)
	tool_run 65 prune sp --older-than 2d --archive cut.tar
	assert_equal "$stderr" "mllp-spool: --archive cut.tar: cannot append: archive truncated at byte 0"
	assert_equal "$(state "$T/sp")" "$before"
}

# faulty VAR=VALUE... -- ARGS: mllp-spool ARGS with the fault injector preloaded.
faulty_setup() {
	FAULTINJECT="$MLLPD_DIR/tools/faultinject.so"
	[[ -f $FAULTINJECT ]] || fail "fault injector not built: $FAULTINJECT (run make units)"
	local asan preload=$FAULTINJECT
	asan=$(ldd "$TOOL" 2>/dev/null | awk '$1 ~ /^libasan\./ { print $3 }')
	[[ -z $asan ]] || preload="$asan $FAULTINJECT"
	TOOL_PREFIX=(env LD_PRELOAD="$preload" FAULTINJECT_LOG="$T/faults")
}

@test "prune --archive: a write or fsync of the archive fails: 74, nothing removed, the archive as it was" {
	faulty_setup
	sp_make "$T/sp"
	local before
	before=$(state "$T/sp")
	# a new archive: removed again
	TOOL_PREFIX+=(FAULTINJECT_CALL=write FAULTINJECT_ERRNO=ENOSPC FAULTINJECT_PATH="$T/new.tar")
	tool_run 74 prune sp --older-than 2d --archive "$T/new.tar"
	grep -q "faultinject: write" "$T/faults" || fail "no write fault injected"
	assert_equal "$stderr" "mllp-spool: --archive $T/new.tar: cur/${OLD[0]}: No space left on device"
	[[ ! -e $T/new.tar ]] || fail "the new archive was left behind"
	assert_equal "$(state "$T/sp")" "$before"
	# an existing archive: back to its bytes; the second member's write fails
	(cd "$T" && tar -cf old.tar copy)
	cp "$T/old.tar" "$T/old.orig"
	faulty_setup
	TOOL_PREFIX+=(FAULTINJECT_CALL=write FAULTINJECT_AFTER=3 FAULTINJECT_TIMES=1 FAULTINJECT_ERRNO=EIO FAULTINJECT_PATH="$T/old.tar")
	tool_run 74 prune sp --older-than 2d --archive old.tar
	assert_equal "$(state "$T/sp")" "$before"
	tar -tf "$T/old.tar" >/dev/null || fail "old.tar is no longer an archive"
	assert_equal "$(tar -tf "$T/old.tar")" "$(tar -tf "$T/old.orig")"
	# the archive's fsync fails: nothing removed either
	faulty_setup
	TOOL_PREFIX+=(FAULTINJECT_CALL=fsync FAULTINJECT_PATH="$T/old.tar")
	tool_run 74 prune sp --older-than 2d --archive old.tar
	assert_equal "$stderr" "mllp-spool: --archive old.tar: Input/output error"
	assert_equal "$(state "$T/sp")" "$before"
}

@test "prune --archive: a file gone meanwhile is skipped (kept if it comes back); one unreadable: 74, nothing removed" {
	faulty_setup
	sp_make "$T/sp"
	local before
	before=$(state "$T/sp")
	TOOL_PREFIX+=(FAULTINJECT_CALL=open FAULTINJECT_ERRNO=EACCES FAULTINJECT_PATH="sp/cur/${OLD[1]}")
	tool_run 74 prune sp --older-than 2d --archive a.tar
	grep -q "faultinject: open" "$T/faults" || fail "no open fault injected"
	assert_equal "$stderr" "mllp-spool: cur/${OLD[1]}: Permission denied"
	assert_equal "$(state "$T/sp")" "$before"
	[[ ! -e $T/a.tar ]] || fail "the new archive was left behind"
	# ENOENT (2): as if another process had removed it between the listing and the archive
	faulty_setup
	TOOL_PREFIX+=(FAULTINJECT_CALL=open FAULTINJECT_ERRNO=2 FAULTINJECT_PATH="sp/cur/${OLD[1]}")
	tool_run prune sp --older-than 2d --archive a.tar
	assert_equal "$(tar -tf "$T/a.tar")" "cur/${OLD[0]}
cur/${OLD[2]}"
	run files_in "$T/sp/cur"
	assert_output "${OLD[1]}
$YOUNG"
}

# hold_lock PATH: another process holds flock(PATH) until teardown.
hold_lock() {
	bg_start flock "$1" sleep 60 </dev/null >/dev/null 2>&1
	wait_until 10 eval "! flock -n '$1' true"
}

@test "prune: cur/ or the archive locked by another process: 75, nothing removed" {
	sp_make "$T/sp"
	local before
	before=$(state "$T/sp")
	(cd "$T" && tar -cf busy.tar copy)
	hold_lock "$T/busy.tar"
	tool_run 75 prune sp --older-than 2d --archive busy.tar
	assert_equal "$stderr" "mllp-spool: --archive busy.tar: busy: another process holds its lock"
	hold_lock "$T/sp/cur"
	tool_run 75 prune sp --older-than 2d
	assert_equal "$stderr" "mllp-spool: sp/cur: busy: another process holds its lock"
	assert_equal "$(state "$T/sp")" "$before"
}

@test "prune: usage errors exit 64 naming the problem" {
	mkdir -p "$T/sp/new" "$T/sp/cur"
	tool_run 64 prune sp
	assert_equal "${stderr_lines[0]}" "mllp-spool: prune: --older-than is needed"
	assert_equal "${stderr_lines[1]}" "$USAGE"
	tool_run 64 prune --older-than 1d
	assert_equal "${stderr_lines[0]}" "mllp-spool: prune: a spool directory is needed"
	tool_run 64 prune sp sp --older-than 1d
	assert_equal "${stderr_lines[0]}" "mllp-spool: prune: one spool directory only"
	tool_run 64 prune sp --older-than 1.5d
	assert_equal "${stderr_lines[0]}" "mllp-spool: --older-than: invalid duration (digits, then s, m, h or d): 1.5d"
	tool_run 64 prune sp --older-than 36501d
	assert_equal "${stderr_lines[0]}" "mllp-spool: --older-than: must be 0 to 36500d: 36501d"
	tool_run 64 prune sp --older-than
	assert_equal "${stderr_lines[0]}" "mllp-spool: prune: --older-than needs a value"
	tool_run 64 prune sp --older-than 1d --archive ''
	assert_equal "${stderr_lines[0]}" "mllp-spool: prune: --archive: an empty file name"
	tool_run 64 prune sp --older-than 1d --bogus
	assert_equal "${stderr_lines[0]}" "mllp-spool: prune: unknown option: --bogus"
	tool_run 64 replay sp --bogus
	assert_equal "${stderr_lines[0]}" "mllp-spool: replay: unknown option: --bogus"
	tool_run 64 replay
	assert_equal "${stderr_lines[0]}" "mllp-spool: replay: a spool directory is needed"
}

@test "prune and replay: a missing directory 66, a foreign one (no new/ or cur/, a file) 65" {
	local cmd
	mkdir -p "$T/foreign/new" "$T/other"
	printf 'x' >"$T/plain"
	for cmd in "prune DIR --older-than 1d" "replay DIR"; do
		# shellcheck disable=SC2086 # word splitting of the command is meant
		tool_run 66 ${cmd/DIR/missing}
		assert_equal "$stderr" "mllp-spool: missing: No such file or directory"
		# shellcheck disable=SC2086
		tool_run 65 ${cmd/DIR/foreign}
		assert_equal "$stderr" "mllp-spool: foreign: not a spool: no cur/ directory"
		# shellcheck disable=SC2086
		tool_run 65 ${cmd/DIR/other}
		assert_equal "$stderr" "mllp-spool: other: not a spool: no new/ directory"
		# shellcheck disable=SC2086
		tool_run 65 ${cmd/DIR/plain}
		assert_equal "$stderr" "mllp-spool: plain: not a spool: not a directory"
	done
	assert_equal "$(files_in "$T/foreign")" new
}

# failed_spool DIR N: N messages (FA0001...) that the --exec command refused (AE): in failed/.
failed_spool() {
	spool_fill "$1" 1 "$2" FA
	mv "$1"/new/* "$1/failed/"
}

@test "replay: every file of failed/ back to new/ under its name; then drained to a real mllpd" {
	local src=$T/A
	# real failures: mllpd --spool with an --exec command that fails puts the messages in failed/
	for i in 1 2 3; do sample_msg "RP$i"; done >"$T/three.hl7"
	mllpd_listen a "$src" --exec 'exit 1'
	send_run 1 -q "127.0.0.1:$PORT" three.hl7
	assert_count 3 "$src/failed"
	assert_count 0 "$src/new"
	local names
	names=$(files_in "$src/failed")
	mkdir -p "$T/copy" && cp "$src"/failed/* "$T/copy/"
	tool_run replay A
	assert_output ""
	assert_equal "$stderr" ""
	assert_count 0 "$src/failed"
	assert_equal "$(files_in "$src/new")" "$names"
	mllpd_listen b "$T/B"
	send_run --drain "$T/A" "127.0.0.1:$PORT"
	assert_equal "${#lines[@]}" 3
	assert_count 0 "$src/new"
	assert_count 3 "$src/cur"
	run control_ids "$T"/B/new/*
	assert_output "RP1
RP2
RP3"
	local name b
	paste <(echo "$names") <(files_in "$T/B/new") >"$T/pairs"
	while read -r name b; do
		cmp "$T/copy/$name" "$T/B/new/$b" || fail "$name and $b differ"
	done <"$T/pairs"
	# an empty failed/: nothing to do
	tool_run replay A
	assert_count 0 "$src/new"
}

@test "replay NAME...: only those; a name not in failed/ 66 and nothing moved; '/' or '..' 64" {
	failed_spool "$T/sp" 3
	local names
	mapfile -t names < <(files_in "$T/sp/failed")
	tool_run 66 replay sp "${names[0]}" nosuch.hl7
	assert_equal "$stderr" "mllp-spool: sp/failed/nosuch.hl7: no such file"
	assert_count 3 "$T/sp/failed"
	assert_count 0 "$T/sp/new"
	tool_run 64 replay sp "${names[0]}" ../new/x
	assert_equal "${stderr_lines[0]}" "mllp-spool: replay: not a file name in failed/: ../new/x"
	tool_run 64 replay sp ..
	assert_equal "${stderr_lines[0]}" "mllp-spool: replay: not a file name in failed/: .."
	mkdir "$T/sp/failed/adir"
	tool_run 66 replay sp adir
	assert_equal "$stderr" "mllp-spool: sp/failed/adir: no such file"
	rmdir "$T/sp/failed/adir"
	tool_run replay sp "${names[2]}" "${names[0]}" "${names[2]}"
	run files_in "$T/sp/new"
	assert_output "${names[0]}
${names[2]}"
	run files_in "$T/sp/failed"
	assert_output "${names[1]}"
	# a name that is in new/ already, not in failed/: 66
	tool_run 66 replay sp "${names[0]}"
}

@test "replay: a name taken in new/ gets .r1 (sorting right after it); neither file is replaced" {
	failed_spool "$T/sp" 1
	local name
	name=$(files_in "$T/sp/failed")
	cp "$T/sp/failed/$name" "$T/failed.copy"
	printf 'other\r' >"$T/sp/new/$name"
	tool_run replay sp
	assert_equal "$stderr" "mllp-spool: sp/failed/$name: new/ has that name: replayed as new/${name%.hl7}.r1.hl7"
	run files_in "$T/sp/new"
	assert_output "$name
${name%.hl7}.r1.hl7"
	cmp "$T/sp/new/${name%.hl7}.r1.hl7" "$T/failed.copy"
	assert_equal "$(cat "$T/sp/new/$name")" $'other\r'
}

@test "replay: failed/ locked by another mllp-spool replay: 75, nothing moved" {
	failed_spool "$T/sp" 2
	hold_lock "$T/sp/failed"
	tool_run 75 replay sp
	assert_equal "$stderr" "mllp-spool: sp/failed: busy: another process holds its lock"
	assert_count 2 "$T/sp/failed"
	assert_count 0 "$T/sp/new"
}

@test "units: mllp-spool-prune.service's command prunes a spool laid out as the units lay it out; the timer is daily" {
	local unit=$MLLPD_ROOT/units/mllp-spool-prune.service cmd
	cmd=$(sed -n 's/^ExecStart=//p' "$unit")
	[[ -n $cmd ]] || fail "no ExecStart in $unit"
	mkdir -p "$T/lib/mllpd/archive"
	sp_make "$T/lib/mllpd/spool"
	# the old files: 3 days old, kept by --older-than 30d; made 31 days old, pruned
	touch -d "@$(($(date +%s) - 31 * 86400))" "$T/lib/mllpd/spool/cur/${OLD[0]}"
	cmd=${cmd//\/usr\/local\/bin\/mllp-spool/$TOOL}
	cmd=${cmd//\/var\/lib/$T/lib}
	# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
	timeout 60 $cmd || fail "the unit's command failed: $cmd"
	assert_count 3 "$T/lib/mllpd/spool/cur"
	assert_equal "$(tar -tf "$T/lib/mllpd/archive/spool.tar")" "cur/${OLD[0]}"
	grep -qx 'OnCalendar=daily' "$MLLPD_ROOT/units/mllp-spool-prune.timer" || fail "the timer is not daily"
	grep -qx 'Persistent=true' "$MLLPD_ROOT/units/mllp-spool-prune.timer" || fail "the timer is not persistent"
}

@test "prune and replay: the fsync of cur/, or of new/ after a replay, fails: 74" {
	faulty_setup
	sp_make "$T/sp"
	TOOL_PREFIX+=(FAULTINJECT_CALL=fsync FAULTINJECT_PATH="sp/cur")
	tool_run 74 prune sp --older-than 2d
	grep -q "faultinject: fsync" "$T/faults" || fail "no fsync fault injected"
	assert_equal "$stderr" "mllp-spool: sp/cur: fsync: Input/output error"
	faulty_setup
	TOOL_PREFIX+=(FAULTINJECT_CALL=fsync FAULTINJECT_PATH="sp/new")
	tool_run 74 replay sp
	assert_equal "$stderr" "mllp-spool: sp/new: fsync: Input/output error"
	# the file has moved, not known to be durably so: a second replay finds nothing to do
	assert_count 0 "$T/sp/failed"
	TOOL_PREFIX=()
	tool_run replay sp
}
