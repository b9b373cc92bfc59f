#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 040-spool: the --spool sink: exact bytes, names, order, layout, faults, hostile fields.

load helpers
load net

NAME_RE='^[0-9]+\.[0-9]{9}\.[0-9]+\.[0-9]+\.hl7$'

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	SHARED_TMP=
}

teardown() {
	mllpd_teardown
	if [[ -n $SHARED_TMP && -d $SHARED_TMP ]]; then
		rm -rf -- "$SHARED_TMP"
	fi
}

# names_ok: every name in $SPOOL/new matches the contract pattern.
names_ok() {
	local n
	while IFS= read -r n; do
		[[ $n =~ $NAME_RE ]] || fail "spool name not per contract: $(printf '%s' "$n" | visible)"
	done < <(spool_files new)
}

@test "spool: file holds exactly the frame bytes (CR separators, 8-bit bytes)" {
	{
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|B0001|P|2.5.1' \
			'EVN|A01|20260101120000'
		printf 'PID|1||12345||M\xfcller^J\xc3\xbcrgen||19700101|M\r'
		printf 'NTE|1||tab\there, 0x7f \x7f, trailing spaces   \r'
	} >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSA 2
	assert_output B0001
	assert_spooled_only "$T/m.hl7"
}

@test "spool: LF and CRLF separators are kept as sent, not normalised" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|LF01|P|2.5.1\nEVN|A01|20260101120000\nPID|1||1||DOE^J\n' >"$T/lf.hl7"
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|CRLF01|P|2.5.1\r\nEVN|A01|20260101120000\r\nPID|1||1||DOE^J\r\n' >"$T/crlf.hl7"
	frame -f "$T/lf.hl7" -f "$T/crlf.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_ack_code AA 2
	assert_spool_count 2
	assert_spooled 1 "$T/lf.hl7"
	assert_spooled 2 "$T/crlf.hl7"
}

@test "spool: a UTF-8 BOM before MSH is kept in the file" {
	{
		printf '\xef\xbb\xbf'
		sample_msg BOM01
	} >"$T/bom.hl7"
	frame -f "$T/bom.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	assert_spooled_only "$T/bom.hl7"
	head -c 3 "$(spool_file 1)" | cmp -s - <(printf '\xef\xbb\xbf') || fail "BOM not at the start of the spool file"
}

@test "spool: names follow the pattern and sort in arrival order" {
	local i f n
	# five on one connection, then three more connections one after another
	for i in 1 2 3 4 5; do sample_msg "ORD0$i" >"$T/m$i.hl7"; done
	frame -f "$T/m1.hl7" -f "$T/m2.hl7" -f "$T/m3.hl7" -f "$T/m4.hl7" -f "$T/m5.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 5
	for i in 6 7 8; do
		sample_msg "ORD0$i" >"$T/m$i.hl7"
		frame -f "$T/m$i.hl7" >"$T/in$i"
		mllpd_send "$T/in$i" --spool "$SPOOL"
		assert_ack_code AA
	done
	assert_spool_count 8
	names_ok
	# plain byte order of the names (what ls and a drain loop use) is arrival order
	i=0
	while IFS= read -r n; do
		i=$((i + 1))
		cmp -s "$SPOOL/new/$n" "$T/m$i.hl7" || fail "file $i in name order ($n) is not message $i: $(visible <"$SPOOL/new/$n" | cut -c1-120)"
	done < <(spool_files new | LC_ALL=C sort)
	[[ $i -eq 8 ]] || fail "expected 8 names, read $i"
	# the sequence number counts each process's messages from 1, one by one
	run bash -c "cd '$SPOOL/new' && ls | LC_ALL=C sort | cut -d. -f4 | tr '\n' ' '"
	assert_output '1 2 3 4 5 1 1 1 '
	# and the names are unique
	[[ $(spool_files new | sort -u | wc -l) -eq 8 ]] || fail "duplicate names"
}

@test "spool: tmp/ is empty after delivery" {
	sample_msg T1 >"$T/a.hl7"
	sample_msg T2 >"$T/b.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 2
	assert_spool_count 2
	[[ -d $SPOOL/tmp ]] || fail "no $SPOOL/tmp"
	run find "$SPOOL/tmp" -mindepth 1
	assert_output ''
}

@test "spool: DIR, tmp new cur failed are created with mode 0750 under umask 022" {
	local d
	umask 022
	SPOOL="$T/fresh/spool"
	mkdir "$T/fresh"
	sample_msg D1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_code AA
	for d in "" /tmp /new /cur /failed; do
		[[ -d $SPOOL$d ]] || fail "$SPOOL$d was not created"
		run stat -c %a "$SPOOL$d"
		assert_output 750
	done
	assert_spooled_only "$T/m.hl7"
}

@test "spool: directory modes follow the umask (077 gives 0700)" {
	local d
	umask 077
	sample_msg D2 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_code AA
	for d in "" /tmp /new /cur /failed; do
		run stat -c %a "$SPOOL$d"
		assert_output 700
	done
}

@test "spool: --no-fsync still delivers the exact bytes" {
	sample_msg NF1 >"$T/a.hl7"
	sample_msg NF2 >"$T/b.hl7"
	frame -f "$T/a.hl7" -f "$T/b.hl7" >"$T/in"
	mllpd_send "$T/in" --no-fsync --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_ack_code AA 2
	assert_spool_count 2
	assert_spooled 1 "$T/a.hl7"
	assert_spooled 2 "$T/b.hl7"
}

@test "spool: new/ is a regular file -> AE (ERR 207, spool: text), nothing delivered" {
	mkdir -p "$SPOOL/tmp" "$SPOOL/cur" "$SPOOL/failed"
	: >"$SPOOL/new"
	sample_msg FAULT1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" '?' --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 2
	assert_output FAULT1
	run ack_field MSA 3
	assert_output --regexp '^spool: '
	run ack_segment ERR
	assert_output --partial '207'
	# new/ is still the empty regular file: nothing was put in place of it
	[[ -f $SPOOL/new && ! -s $SPOOL/new ]] || fail "$SPOOL/new changed"
	# no half-written copy is left behind either
	run find "$SPOOL/tmp" "$SPOOL/cur" -mindepth 1
	assert_output ''
	assert_no_phi
}

@test "spool: permission denied (unprivileged user, root-owned spool) -> AE, new/ empty" {
	# the suite runs as root, so the refusal needs a real unprivileged process
	command -v setpriv >/dev/null || skip "setpriv not installed"
	SHARED_TMP=$(mktemp -d /tmp/mllpd-040.XXXXXX)
	chmod 755 "$SHARED_TMP"
	SPOOL="$SHARED_TMP/spool"
	mkdir -m 755 "$SPOOL" "$SPOOL/tmp" "$SPOOL/new" "$SPOOL/cur" "$SPOOL/failed"
	# sanity: the unprivileged user really cannot write there
	run setpriv --reuid=65534 --regid=65534 --clear-groups touch "$SPOOL/tmp/probe"
	assert_failure
	sample_msg PERM1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	local real=$MLLPD
	MLLPD=setpriv mllpd_send "$T/in" '?' --reuid=65534 --regid=65534 --clear-groups "$real" --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AE
	run ack_field MSA 2
	assert_output PERM1
	run ack_segment ERR
	assert_output --partial '207'
	assert_spool_empty new
	run find "$SPOOL" -mindepth 2
	assert_output ''
}

@test "spool: hostile field values never reach a file name or a shell" {
	local work="$T/a/b/c/work" marker="$T/marker" f name
	mkdir -p "$work"
	SPOOL="$T/a/b/c/spool"
	{
		printf '%s\r' 'MSH|^~\&|$(touch pwned)|;rm -rf|RCV|RFAC|20260101120000||ADT^A01^ADT_A01|../../x|P|2.5.1'
		printf '%s\r' 'EVN|A01|20260101120000'
		# an embedded LF splits PID-5 into a new (valid) segment
		printf '%s\n%s\r' 'PID|1||../../x^^^;rm -rf||$(touch pwned)^`touch pwned2`' 'ZPW|../../../y|;rm -rf|$(touch pwned3)'
	} >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	touch "$marker"
	cd "$work"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 1
	assert_ack_code AA
	run ack_field MSA 2
	assert_output '../../x'
	assert_spool_count 1
	names_ok
	f=$(spool_file 1)
	cmp -s "$f" "$T/m.hl7" || fail "spool file differs from the message"
	# the only new regular files anywhere under the test directory: the spool
	# file and the captured output of mllpd
	run find "$T" -newer "$marker" -type f ! -path "$SPOOL/new/*" ! -name mllpd.stdout ! -name mllpd.stderr
	assert_output ''
	run find "$T" "$(dirname "$T")" -maxdepth 6 \( -name 'pwned*' -o -name x -o -name y \)
	assert_output ''
	[[ ! -e $work/pwned && ! -e $work/pwned2 && ! -e $work/pwned3 ]] || fail "a field was run by a shell"
}

@test "spool: NUL bytes and a frame ended by 0x1C alone are stored exactly" {
	printf 'MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ADT^A01|NUL1|P|2.5.1\rNTE|1||a\000b\r' >"$T/m.hl7"
	sample_msg NOCR1 >"$T/m2.hl7"
	{
		printf '\013'
		cat "$T/m.hl7"
		printf '\034'
		printf '\013'
		cat "$T/m2.hl7"
		printf '\034'
	} >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count 2
	assert_ack_code AA 1
	assert_ack_code AA 2
	assert_spool_count 2
	assert_spooled 1 "$T/m.hl7"
	assert_spooled 2 "$T/m2.hl7"
}

@test "spool: a 1 MiB message is stored exactly" {
	{
		hl7 'MSH|^~\&|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|LARGE1|P|2.5.1'
		head -c 786432 /dev/urandom | base64 -w 76 | sed 's/^/OBX|1|ED|||/' | tr '\n' '\r'
	} >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
}

@test "spool: an existing DIR without subdirectories gets them" {
	mkdir -p "$SPOOL"
	chmod 700 "$SPOOL"
	sample_msg SUB1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_code AA
	[[ -d $SPOOL/tmp && -d $SPOOL/new && -d $SPOOL/cur && -d $SPOOL/failed ]] || fail "subdirectories missing: $(ls "$SPOOL")"
	# an existing DIR keeps the mode its owner gave it
	run stat -c %a "$SPOOL"
	assert_output 700
	assert_spooled_only "$T/m.hl7"
}

@test "spool: files from two processes at once never share a name" {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do sample_msg "P$i" >"$T/m$i.hl7"; done
	frame -f "$T/m1.hl7" -f "$T/m2.hl7" -f "$T/m3.hl7" -f "$T/m4.hl7" -f "$T/m5.hl7" >"$T/in1"
	frame -f "$T/m6.hl7" -f "$T/m7.hl7" -f "$T/m8.hl7" -f "$T/m9.hl7" -f "$T/m10.hl7" >"$T/in2"
	timeout 30 "$MLLPD" --no-fsync --spool "$SPOOL" <"$T/in1" >"$T/o1" 2>/dev/null &
	local p1=$!
	timeout 30 "$MLLPD" --no-fsync --spool "$SPOOL" <"$T/in2" >"$T/o2" 2>/dev/null &
	local p2=$!
	wait "$p1"
	wait "$p2"
	assert_spool_count 10
	names_ok
	# every message is there once, whole
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run grep -l -F "|P$i|P|" "$SPOOL"/new/*
		assert_success
		[[ ${#lines[@]} -eq 1 ]] || fail "message P$i in ${#lines[@]} files"
		cmp -s "${lines[0]}" "$T/m$i.hl7" || fail "message P$i differs"
	done
}

# durable_order TRACE NAME: from an strace of mllpd, check that the file that
# became new/NAME was fsynced, then renamed into new/, then new/ fsynced, all
# before the first write to fd 1 (the ACK).  With "nofsync" as third argument:
# no fsync at all, but the rename still comes before the ACK.
durable_order() {
	PYTHONPATH="$MLLPD_ROOT/tests/tools" "$PYTHON" - "$@" <<'PY'
import re, sys
from strace_calls import calls
trace, name = sys.argv[1], sys.argv[2]
nofsync = len(sys.argv) > 3
# The file is written under another name in tmp/: the rename into new/NAME says which.
tmpname = name
for _, _, line in calls(trace):
    m = re.search(r'rename(?:at2?)?\((?:\w+, )?"([^"]*)", (?:\w+, )?"([^"]*)"', line)
    if m and m.group(2).endswith(name) and "= 0" in line:
        tmpname = m.group(1).rsplit("/", 1)[-1]
fds = {}          # fd -> path it was opened with
events = []
for _, _, line in calls(trace):
    m = re.match(r'openat\((\w+|\d+), "([^"]*)", ([^)]*)\) = (\d+)', line)
    if m:
        fds[m.group(4)] = m.group(2)
        continue
    m = re.match(r'(fsync|fdatasync)\((\d+)\)\s+= 0', line)
    if m:
        path = fds.get(m.group(2), "")
        if path.endswith(tmpname):
            events.append("fsync-file")
        elif path.rstrip("/").endswith("new"):
            events.append("fsync-new")
        else:
            events.append("fsync-other:" + path)
        continue
    if re.match(r'rename(at2?)?\(', line) and name in line and "= 0" in line:
        events.append("rename")
        continue
    if re.match(r'write\(1,', line):
        events.append("ack")
print(" ".join(events))
first_ack = events.index("ack") if "ack" in events else len(events)
before = events[:first_ack]
if nofsync:
    ok = "rename" in before and not any(e.startswith("fsync") for e in events)
else:
    ok = ("fsync-file" in before and "rename" in before and "fsync-new" in before
          and before.index("fsync-file") < before.index("rename") < before.index("fsync-new"))
sys.exit(0 if ok else 1)
PY
}

strace_usable() {
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null
}

@test "spool: the file is fsynced, renamed into new/, new/ fsynced, then ACKed" {
	strace_usable || skip "strace not usable here"
	sample_msg DUR1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	local real=$MLLPD
	# LeakSanitizer cannot run under ptrace: no leak check for this one run
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" MLLPD=strace mllpd_send "$T/in" -f -o "$T/trace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,write "$real" --spool "$SPOOL"
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
	local name
	name=$(spool_files new)
	run durable_order "$T/trace" "$name"
	assert_success
}

# group_order TRACE ID...: in an strace -f of mllpd (openat, fsync, fdatasync,
# renameat, write; -s 4096), each message ID's file in tmp/ was written,
# fdatasynced, renamed into new/, and new/ fsynced by a call begun after that
# rename returned, all before the write of its ACK (MSA|AA|ID) to stdout
# began; the ACKs were written in the order of the IDs; and at least one
# flush covered several messages (a group, not one message at a time).
group_order() {
	PYTHONPATH="$MLLPD_ROOT/tests/tools" "$PYTHON" - "$@" <<'PY'
import re, sys
from strace_calls import calls, string
trace, ids = sys.argv[1], sys.argv[2:]
fds, owner, ev = {}, {}, {}   # fd -> path; tmp path -> ID; ID -> {event: (start, end)}
synced_new = []               # (start, end) of each fsync of new/
stdout = []                   # (where the write began, its bytes)
for start, end, line in calls(trace):
    m = re.match(r'openat\((\w+|\d+), "([^"]*)", ([^)]*)\) = (\d+)', line)
    if m:
        fds[m.group(4)] = m.group(2)
        continue
    m = re.match(r'write\((\d+), ', line)
    if m and m.group(1) != "1":
        data = string(line)
        for cid in ids:
            if b"|" + cid.encode() + b"|" in data:
                owner[fds.get(m.group(1), "?")] = cid
        continue
    if m:
        stdout.append((start, string(line)))
        continue
    m = re.match(r'(fsync|fdatasync)\((\d+)\) = 0', line)
    if m:
        path = fds.get(m.group(2), "")
        if path in owner:
            ev.setdefault(owner[path], {})["sync"] = (start, end)
        elif path.rstrip("/").endswith("new"):
            synced_new.append((start, end))
        continue
    m = re.match(r'renameat2?\(\w+, "([^"]*)", \w+, "([^"]*)".* = 0', line)
    if m:
        for path, cid in owner.items():
            if path.endswith("/" + m.group(1)) or path == m.group(1):
                ev.setdefault(cid, {})["rename"] = (start, end)
# An ACK was sent when the write holding its first byte began (an ACK may span writes).
sent, at = b"", []
for start, data in stdout:
    sent += data
    at += [start] * len(data)
for frame in re.finditer(rb"\x0b[^\x1c]*\x1c\r", sent):
    m = re.search(rb"MSA\|AA\|([^|\r]*)\r", frame.group(0))
    if m and m.group(1).decode() in ids:
        ev.setdefault(m.group(1).decode(), {})["ack"] = (at[frame.start()],)
ok = True
for cid in ids:
    e = ev.get(cid, {})
    good = "sync" in e and "rename" in e and "ack" in e
    if good:
        covering = [n for n in synced_new if n[0] > e["rename"][1] and n[1] < e["ack"][0]]
        good = e["sync"][1] < e["rename"][0] and covering
    if not good:
        print(cid, e, "BAD")
    ok = ok and bool(good)
acks = [ev.get(cid, {}).get("ack", (-1, -1))[0] for cid in ids]
in_order = acks == sorted(acks)
print(len(ids), "messages; ACKs in order:", in_order)
# A group: some message's ACK came after the flush of another's file too.
first_ack = min(acks)
grouped = sum(1 for e in ev.values() if "sync" in e and e["sync"][1] < first_ack)
print("flushed before the first ACK:", grouped)
sys.exit(0 if ok and in_order and grouped > 1 else 1)
PY
}

@test "spool: a pipelined burst is made durable as a group: no ACK before the flush that covers its message" {
	strace_usable || skip "strace not usable here"
	local i ids=() files=()
	for i in 1 2 3 4 5 6 7 8; do
		sample_msg "BURST$i" >"$T/b$i.hl7"
		ids+=("BURST$i")
		files+=(-f "$T/b$i.hl7")
	done
	frame "${files[@]}" >"$T/in"
	local real=$MLLPD
	# LeakSanitizer cannot run under ptrace: no leak check for this one run
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" MLLPD=strace mllpd_send "$T/in" -f -s 4096 -o "$T/trace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,write "$real" --spool "$SPOOL"
	assert_ack_count 8
	for i in 1 2 3 4 5 6 7 8; do assert_ack_code AA "$i"; done
	assert_spool_count new 8
	run group_order "$T/trace" "${ids[@]}"
	echo "$output" >&2
	assert_success
}

@test "spool: 300 pipelined messages, several groups in flight at once: each ACK after the flush that covers it, in order" {
	strace_usable || skip "strace not usable here"
	local i ids=()
	for ((i = 1; i <= 300; i++)); do
		printf -v id 'PIPE%03d' "$i"
		ids+=("$id")
		sample_frame "$id"
	done >"$T/in"
	local real=$MLLPD
	# LeakSanitizer cannot run under ptrace: no leak check for this one run
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" MLLPD=strace mllpd_send "$T/in" -f -s 65536 -o "$T/trace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,write "$real" --spool "$SPOOL"
	assert_ack_count 300
	assert_spool_count new 300
	run group_order "$T/trace" "${ids[@]}"
	echo "$output" | tail -3 >&2
	assert_success
}

@test "spool: large pipelined messages, some too big to share a group, are each stored exactly and answered in order" {
	# Sizes around a group's limits: a frame over 64 KiB is made durable alone, between groups.
	local small=(1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000)
	local sizes=(60000 60000 70000 "${small[@]}" 200000 "${small[@]}" 300000 1000 65000 "${small[@]}" 65600 2000 60000 "${small[@]}" 60000) i
	for ((i = 0; i < ${#sizes[@]}; i++)); do
		{
			hl7 "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|BIG$i|P|2.5.1"
			head -c $((sizes[i] * 3 / 4)) /dev/urandom | base64 -w 76 | sed 's/^/OBX|1|ED|||/' | tr '\n' '\r'
		} >"$T/m$i.hl7"
		frame -f "$T/m$i.hl7"
	done >"$T/in"
	mllpd_send "$T/in" --spool "$SPOOL"
	assert_ack_count ${#sizes[@]}
	for ((i = 0; i < ${#sizes[@]}; i++)); do
		assert_ack_code AA $((i + 1))
		[[ $(ack_field MSA 2 $((i + 1))) == "BIG$i" ]] || fail "ACK $((i + 1)) answers $(ack_field MSA 2 $((i + 1))), not BIG$i"
		assert_spooled $((i + 1)) "$T/m$i.hl7"
	done
	assert_spool_count ${#sizes[@]}
}

@test "spool: --no-fsync skips the fsyncs but still renames before the ACK" {
	strace_usable || skip "strace not usable here"
	sample_msg DUR2 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/in"
	local real=$MLLPD
	# LeakSanitizer cannot run under ptrace: no leak check for this one run
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" MLLPD=strace mllpd_send "$T/in" -f -o "$T/trace" -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,write "$real" --no-fsync --spool "$SPOOL"
	assert_ack_code AA
	local name
	name=$(spool_files new)
	run durable_order "$T/trace" "$name" nofsync
	assert_success
}

@test "spool: once a message is answered, the next one's file is opened while waiting, not after it arrives" {
	strace_usable || skip "strace not usable here"
	sample_msg AHEAD1 >"$T/m1.hl7"
	sample_msg AHEAD2 >"$T/m2.hl7"
	# A synchronous sender: the second message goes only after the first ACK came back.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run "$PYTHON" - "$T" "$MLLPD" "$SPOOL" <<'PY'
import subprocess, sys
t, mllpd, spool = sys.argv[1:4]
p = subprocess.Popen(["strace", "-f", "-o", t + "/trace", "-e", "trace=openat,read,write,renameat,renameat2",
                      mllpd, "--no-fsync", "--spool", spool], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
for f in ("m1.hl7", "m2.hl7"):
    p.stdin.write(b"\x0b" + open(t + "/" + f, "rb").read() + b"\x1c\r")
    p.stdin.flush()
    ack = b""
    while not ack.endswith(b"\x1c\r"):
        chunk = p.stdout.read1(4096)
        if not chunk:
            sys.exit("no ACK for " + f)
        ack += chunk
    if b"MSA|AA|" not in ack:
        sys.exit("not AA for " + f)
p.stdin.close()
sys.exit(p.wait())
PY
	assert_success
	[[ $(spool_files new | wc -l) -eq 2 ]] || fail "not 2 files in new/"
	run find "$SPOOL/tmp" -mindepth 1
	assert_output ''
	# From the read of the second message to its ACK: a rename, and no file created.
	run awk '/^[0-9]+ +read\(0, "\\vMSH/ { n++ } n == 2 && /^[0-9]+ +openat\(.*O_CREAT/ { print "created" }
		n == 2 && /^[0-9]+ +renameat/ { print "renamed" } n == 2 && /^[0-9]+ +write\(1,/ { print "ack"; exit }' "$T/trace"
	assert_output "renamed
ack"
}
