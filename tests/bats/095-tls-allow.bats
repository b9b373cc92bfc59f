#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 095-tls-allow: --tls-allow: each client certificate (subject CN) may send only as its MSH-3/MSH-4.

load helpers
load net
load tls

# A throwaway PKI (as 090-tls: EC keys, fast), made once per file: a CA, the
# server, and two client certificates with different rules.
setup_file() {
	export PKI="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$PKI"
	(
		set -e
		cd "$PKI"
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
		sign() { # sign CSR OUT [EXT]
			openssl x509 -req -in "$1" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
				${3:+-extfile "$3"} -out "$2" 2>/dev/null
		}
		key ca.key
		openssl req -x509 -new -key ca.key -subj "/CN=Test CA" -days 3650 -out ca.crt 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
		key server.key
		openssl req -new -key server.key -subj "/CN=localhost/O=mllpd test" -out server.csr 2>/dev/null
		sign server.csr server.crt san.ext
		key lab.key
		openssl req -new -key lab.key -subj "/CN=lab-sender/O=Hospital" -out lab.csr 2>/dev/null
		sign lab.csr lab.crt
		key ris.key
		openssl req -new -key ris.key -subj "/CN=ris-gw/O=Radiology" -out ris.csr 2>/dev/null
		sign ris.csr ris.crt
	) || return 1
	cat >"$PKI/allow" <<-'RULES'
		# IDENTITY   APPLICATION FACILITY
		lab-sender   LAB         HOSP      # the lab system
		lab-sender   *           WARD
		ris-gw       RIS         *
	RULES
}

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	SRV_TLS=(--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key" --tls-ca "$PKI/ca.crt" --tls-verify-client)
	LAB=(-cert "$PKI/lab.crt" -key "$PKI/lab.key")
	RIS=(-cert "$PKI/ris.crt" -key "$PKI/ris.key")
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

# msg APP FAC ID: $T/m.hl7 and $T/m.framed: sample_msg ID with MSH-3 APP and MSH-4 FAC.
msg() {
	sample_msg "$3" | sed "1s/^MSH|^~\\\\&|SND|SFAC|/MSH|^~\\\\\\&|$1|$2|/" >"$T/m.hl7"
	grep -aq "^MSH|^~\\\\&|$1|$2|RCV|" "$T/m.hl7" || fail "msg: MSH-3/4 not set: $(visible <"$T/m.hl7")"
	frame -f "$T/m.hl7" >"$T/m.framed"
}

# send_as NAME CODE ID CERT...: send $T/m.framed with the certificate, expect one ACK CODE for ID.
send_as() {
	local name=$1 code=$2 id=$3
	shift 3
	tls_client "$name" "$@"
	ack_split "$T/$name.out" || fail "not MLLP frames: $(visible <"$T/$name.out") ($(cat "$T/$name.cerr"))"
	[[ ${#ACKS[@]} -eq 1 ]] || fail "expected 1 ACK, got ${#ACKS[@]}: $(cat "$T/$name.cerr")"
	assert_ack_code "$code"
	run ack_field MSA 2
	assert_output "$id"
}

# assert_refused: the ACK (in ACKS) is the sender refusal: ERR-3 207, ERR-8 the text.
assert_refused() {
	run ack_field ERR 3
	assert_output '207^Application internal error^HL70357'
	run ack_field ERR 8
	assert_output 'not authorised for this sender'
}

serve() {
	server_start server "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL" "$@"
	wait_listen "$PORT"
}

server_line() {
	wait_until 10 grep -qE -- "$1" "$T/server.err"
}

@test "tls-allow: the allowed sender gets AA and is spooled; another MSH-3 gets AR, is not delivered, and is logged with the certificate" {
	serve "${SRV_TLS[@]}" --tls-allow "$PKI/allow" --exec "cat >>'$T/exec.log'"
	msg LAB HOSP OK1
	send_as a AA OK1 "${LAB[@]}"
	assert_spooled_only "$T/m.hl7"
	msg RIS HOSP BAD1
	send_as b AR BAD1 "${LAB[@]}"
	assert_refused
	# nothing delivered: new/ still holds the first message only, the command ran once
	assert_spool_count 1
	! cmp -s "$(spool_file 1)" "$T/m.hl7" || fail "the refused message was spooled"
	run grep -c '^MSH' "$T/exec.log"
	assert_output 1
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: not authorised for this sender: tls_peer="O=Hospital,CN=lab-sender" sending_application=RIS sending_facility=HOSP$'
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: message id=BAD1 .* ack=AR sink=none .* error="not authorised for this sender"$'
	# the wrong facility is refused too
	msg LAB OTHER BAD2
	send_as c AR BAD2 "${LAB[@]}"
	assert_refused
	server_line 'not authorised for this sender: tls_peer="O=Hospital,CN=lab-sender" sending_application=LAB sending_facility=OTHER$'
	assert_spool_count 1
	assert_no_phi "$T/server.err"
}

@test "tls-allow: '*' matches any application; a second certificate has its own rules" {
	serve "${SRV_TLS[@]}" --tls-allow "$PKI/allow"
	# lab-sender: * WARD
	msg ANYTHING WARD W1
	send_as a AA W1 "${LAB[@]}"
	# ris-gw: RIS *, and nothing of lab-sender's
	msg RIS SOMEWHERE R1
	send_as b AA R1 "${RIS[@]}"
	msg RIS '' R2
	send_as c AA R2 "${RIS[@]}"
	msg LAB HOSP R3
	send_as d AR R3 "${RIS[@]}"
	assert_refused
	server_line 'not authorised for this sender: tls_peer="O=Radiology,CN=ris-gw" sending_application=LAB sending_facility=HOSP$'
	msg OTHER WARD R4
	send_as e AR R4 "${RIS[@]}"
	assert_spool_count 3
	# without --tls-allow any verified certificate may send anything
	bg_stop "$SERVER_PID"
	PORT=$(free_port)
	SPOOL="$T/spool2"
	serve "${SRV_TLS[@]}"
	send_as f AA R4 "${RIS[@]}"
	assert_spooled_only "$T/m.hl7"
}

# start_error STATUS LINE ARGS...: mllpd exits STATUS at start with exactly LINE on stderr.
start_error() {
	local want=$1 line=$2 st=0 err
	shift 2
	err=$(timeout -k 5 "$MLLPD_TIMEOUT" "$MLLPD" --spool "$SPOOL" "$@" </dev/null 2>&1 >"$T/start.out") || st=$?
	((st == want)) || fail "mllpd exited $st, expected $want: $err"
	[[ $err == "$line" ]] || fail "stderr is '$err', expected '$line'"
	[[ ! -s $T/start.out ]] || fail "output on stdout: $(visible <"$T/start.out")"
}

@test "tls-allow: a malformed or unreadable file, or no --tls-verify-client: exit 78 with one line" {
	printf '# ok\nlab-sender LAB HOSP\n\nlab-sender LAB\n' >"$T/two-words"
	start_error 78 "mllpd: --tls-allow $T/two-words:4: expected IDENTITY APPLICATION FACILITY" \
		"${SRV_TLS[@]}" --tls-allow "$T/two-words"
	printf 'a b c d\n' >"$T/four-words"
	start_error 78 "mllpd: --tls-allow $T/four-words:1: expected IDENTITY APPLICATION FACILITY" \
		"${SRV_TLS[@]}" --tls-allow "$T/four-words"
	printf 'x y z\n* LAB HOSP\n' >"$T/star"
	start_error 78 "mllpd: --tls-allow $T/star:2: IDENTITY cannot be *" "${SRV_TLS[@]}" --tls-allow "$T/star"
	printf 'a b\001 c\n' >"$T/ctrl"
	start_error 78 "mllpd: --tls-allow $T/ctrl:1: control character" "${SRV_TLS[@]}" --tls-allow "$T/ctrl"
	start_error 78 "mllpd: --tls-allow $T/nope: No such file or directory" "${SRV_TLS[@]}" --tls-allow "$T/nope"
	start_error 78 "mllpd: --tls-allow $T: Is a directory" "${SRV_TLS[@]}" --tls-allow "$T"
	start_error 78 "mllpd: --tls-allow: needs --tls-verify-client" \
		--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key" --tls-ca "$PKI/ca.crt" --tls-allow "$PKI/allow"
	start_error 78 "mllpd: --tls-allow: needs --tls-verify-client" --tls-allow "$PKI/allow"
	# --listen too ends before it listens
	start_error 78 "mllpd: --tls-allow $T/star:2: IDENTITY cannot be *" --listen "127.0.0.1:$PORT" \
		"${SRV_TLS[@]}" --tls-allow "$T/star"
	! port_listening "$PORT" || fail "port $PORT listens"
}
