#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 095-tls-allow: --tls-allow: each client certificate (subject CN or a SAN) may send only as its MSH-3/MSH-4.

load helpers
load net
load tls

# A throwaway PKI (as 090-tls: EC keys, fast), made once per file: a CA, the
# server, two client certificates known by their CN, and client
# certificates known by their subject alternative names.
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
		client() { # client NAME SUBJECT SAN: NAME.crt/.key with the SAN extension
			key "$1.key"
			openssl req -new -key "$1.key" -subj "$2" -addext "subjectAltName=$3" -out "$1.csr" 2>/dev/null
			openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
				-copy_extensions copy -out "$1.crt" 2>/dev/null
		}
		client dns "/CN=not-in-the-rules/O=Hospital" "DNS:lab.example.org,URI:urn:example:any-kind"
		client mail "/CN=mailer" "email:lab@example.org"
		client ip "/CN=ip-sender" "IP:192.0.2.7,IP:2001:db8::7"
		# Each of its names is in a rule of another kind.
		client cross "/CN=cross-cn" \
			"email:cross.example.org,DNS:198.51.100.9,DNS:cross-dns,URI:cross-uri.example.org"
		# A dNSName "lab.example.org<NUL>.evil.example" (DER: openssl will not type a NUL).
		client nul "/CN=nul-san" "DER:301f821d6c61622e6578616d706c652e6f7267002e6576696c2e6578616d706c65"
	) || return 1
	cat >"$PKI/allow" <<-'RULES'
		# IDENTITY   APPLICATION FACILITY
		lab-sender   LAB         HOSP      # the lab system
		lab-sender   *           WARD
		ris-gw       RIS         *
		# kinds of identity (subject alternative names)
		DNS:lab.example.org       LAB    HOSP
		*:urn:example:any-kind    ANY    *
		email:lab@example.org     MAIL   HOSP
		IP:192.0.2.7              IPV4   HOSP
		IP:2001:DB8:0:0::7        IPV6   HOSP
		DNS:cross.example.org     CROSS  HOSP
		IP:198.51.100.9           CROSS  HOSP
		email:cross-cn            CROSS  HOSP
		cross-dns                 CROSS  HOSP
		DNS:cross-uri.example.org CROSS  HOSP
	RULES
}

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	SRV_TLS=(--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key" --tls-ca "$PKI/ca.crt" --tls-verify-client)
	LAB=(-cert "$PKI/lab.crt" -key "$PKI/lab.key")
	RIS=(-cert "$PKI/ris.crt" -key "$PKI/ris.key")
	DNS=(-cert "$PKI/dns.crt" -key "$PKI/dns.key")
	MAIL=(-cert "$PKI/mail.crt" -key "$PKI/mail.key")
	IP=(-cert "$PKI/ip.crt" -key "$PKI/ip.key")
	CROSS=(-cert "$PKI/cross.crt" -key "$PKI/cross.key")
	NUL=(-cert "$PKI/nul.crt" -key "$PKI/nul.key")
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

@test "tls-allow: the rules may come from the systemd credential tls-allow" {
	mkdir -p "$T/creds"
	cp "$PKI/allow" "$T/creds/tls-allow"
	CREDENTIALS_DIRECTORY="$T/creds" serve "${SRV_TLS[@]}"
	msg LAB HOSP C1
	send_as a AA C1 "${LAB[@]}"
	msg RIS HOSP C2
	send_as b AR C2 "${LAB[@]}"
	assert_refused
	assert_spool_count 1
	# a tls-allow credential without mutual TLS is a configuration error
	CREDENTIALS_DIRECTORY="$T/creds" run -78 "$MLLPD" --spool "$SPOOL" --tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key" </dev/null
	assert_output "mllpd: --tls-allow $T/creds/tls-allow (credential tls-allow): needs --tls-verify-client"
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

@test "tls-allow: a DNS SAN is an identity: its sender gets AA and is spooled, another MSH-3 gets AR and is not delivered" {
	serve "${SRV_TLS[@]}" --tls-allow "$PKI/allow"
	# the CN is in no rule; the DNS name is
	msg LAB HOSP D1
	send_as a AA D1 "${DNS[@]}"
	assert_spooled_only "$T/m.hl7"
	msg RIS HOSP D2
	send_as b AR D2 "${DNS[@]}"
	assert_refused
	assert_spool_count 1
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: not authorised for this sender: tls_peer="O=Hospital,CN=not-in-the-rules" sending_application=RIS sending_facility=HOSP$'
	# a "*:" rule: any kind of name, here the URI
	msg ANY SOMEWHERE D3
	send_as c AA D3 "${DNS[@]}"
	assert_spool_count 2
	assert_spooled 2 "$T/m.hl7"
	run grep -c 'certificate name' "$T/server.err"
	assert_output 0
}

@test "tls-allow: email and IP SANs match their rules; a name matches no rule of another kind; a NUL never matches" {
	serve "${SRV_TLS[@]}" --tls-allow "$PKI/allow"
	msg MAIL HOSP E1
	send_as a AA E1 "${MAIL[@]}"
	msg IPV4 HOSP I1
	send_as b AA I1 "${IP[@]}"
	# the rule spells the address long and upper case: addresses compare as addresses
	msg IPV6 HOSP I2
	send_as c AA I2 "${IP[@]}"
	assert_spool_count 3
	# each name has a CROSS rule, of another kind: an email SAN for a DNS rule, a
	# DNS SAN for an IP rule, the CN for an email rule, a DNS SAN for a bare (CN)
	# rule, a URI SAN for a DNS rule
	msg CROSS HOSP X1
	send_as d AR X1 "${CROSS[@]}"
	assert_refused
	# "lab.example.org<NUL>..." is left out whole, not cut into the allowed lab.example.org
	msg LAB HOSP N1
	send_as e AR N1 "${NUL[@]}"
	assert_refused
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: --tls-allow: 1 certificate name\(s\) ignored \(not text, or too many\)$'
	assert_spool_count 3
	assert_no_phi "$T/server.err"
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
	printf 'DNS:lab.example.org LAB HOSP\nIP:lab.example.org LAB HOSP\n' >"$T/ip"
	start_error 78 "mllpd: --tls-allow $T/ip:2: IDENTITY IP: not an IPv4 or IPv6 address" \
		"${SRV_TLS[@]}" --tls-allow "$T/ip"
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

# batch HDR APP FAC MSGAPP MSGFAC ID: $T/m.framed: a batch under header HDR (FHS or BHS) claiming
# APP/FAC, holding one message from MSGAPP/MSGFAC with control ID ID.
batch_as() {
	msg "$4" "$5" "$6"
	{
		hl7 "$1|^~\\&|$2|$3|RCV|RFAC|20260101120000||||B$6"
		cat "$T/m.hl7"
		hl7 "${1:0:1}TS|1"
	} >"$T/b.hl7"
	frame -f "$T/b.hl7" >"$T/m.framed"
}

@test "tls-allow: a batch is checked on every sender it claims: BHS-3/4, FHS-3/4 and each MSH-3/4" {
	serve "${SRV_TLS[@]}" --tls-allow "$PKI/allow" --exec "cat >>'$T/exec.log'"
	# allowed everywhere: delivered
	batch_as BHS LAB HOSP LAB HOSP BOK1
	tls_client a "${LAB[@]}"
	ack_split "$T/a.out" || fail "no answer: $(cat "$T/a.cerr")"
	[[ ${ACKS[0]} == BHS* && ${ACKS[0]} == *$'\rMSA|AA|BOK1\r'* ]] || fail "allowed batch: $(visible <<<"${ACKS[0]}")"
	assert_spool_count 1
	# the header claims another sender (lab-sender may not send as RIS)
	local h
	for h in BHS FHS; do
		batch_as "$h" RIS HOSP LAB HOSP "BAD$h"
		tls_client "b$h" "${LAB[@]}"
		ack_split "$T/b$h.out" || fail "no answer: $(cat "$T/b$h.cerr")"
		[[ ${ACKS[0]} != *"|AA|"* ]] || fail "$h claiming RIS was accepted: $(visible <<<"${ACKS[0]}")"
		server_line "not authorised for this sender: tls_peer=\"O=Hospital,CN=lab-sender\" sending_application=RIS sending_facility=HOSP$"
	done
	# a message inside claims another sender
	batch_as BHS LAB HOSP RIS HOSP BADM
	tls_client c "${LAB[@]}"
	ack_split "$T/c.out" || fail "no answer: $(cat "$T/c.cerr")"
	[[ ${ACKS[0]} != *"|AA|"* ]] || fail "a message claiming RIS inside was accepted: $(visible <<<"${ACKS[0]}")"
	assert_spool_count 1
	run grep -c '^BHS' "$T/exec.log"
	assert_output 1
	assert_no_phi "$T/server.err"
}

@test "tls-allow: MSH-3 and MSH-4 are compared whole, every component, not only the first" {
	serve "${SRV_TLS[@]}" --tls-allow "$PKI/allow"
	msg 'LAB^2.16.840.1.113883.99^ISO' HOSP WHOLE1
	send_as a AR WHOLE1 "${LAB[@]}"
	assert_refused
	msg LAB 'HOSP^1.2.3^ISO' WHOLE2
	send_as b AR WHOLE2 "${LAB[@]}"
	assert_refused
	assert_spool_count 0
	server_line 'not authorised for this sender: tls_peer="O=Hospital,CN=lab-sender" sending_application=LAB\^2\.16\.840\.1\.113883\.99\^ISO sending_facility=HOSP$'
}
