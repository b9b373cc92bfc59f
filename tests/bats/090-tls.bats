#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# 090-tls: built-in TLS: every way to give the key, mutual TLS, start-up errors, start modes, secrets kept out.

load helpers
load net
load tls

# A throwaway PKI, made once per file (EC keys: fast), never committed.
setup_file() {
	export PKI="$BATS_FILE_TMPDIR/pki"
	mkdir -p "$PKI"
	(
		set -e
		cd "$PKI"
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
		sign() { # sign CSR CA OUT DAYS [EXT]
			openssl x509 -req -in "$1" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days "$4" \
				${5:+-extfile "$5"} -out "$3" 2>/dev/null
		}
		key ca.key
		openssl req -x509 -new -key ca.key -subj "/CN=Test CA" -days 3650 -out ca.crt 2>/dev/null
		key ca2.key
		openssl req -x509 -new -key ca2.key -subj "/CN=Other CA" -days 3650 -out ca2.crt 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
		key server.key
		openssl req -new -key server.key -subj "/CN=localhost/O=mllpd test" -out server.csr 2>/dev/null
		sign server.csr ca server.crt 365 san.ext
		# expired yesterday (-days -1): a warning, not an error
		sign server.csr ca expired.crt -1 san.ext
		key client.key
		openssl req -new -key client.key -subj "/CN=lab-sender/O=Hospital" -out client.csr 2>/dev/null
		sign client.csr ca client.crt 365
		key rogue.key
		openssl req -new -key rogue.key -subj "/CN=rogue" -out rogue.csr 2>/dev/null
		sign rogue.csr ca2 rogue.crt 365
		key other.key
		printf 'Zz-s3cret-PW-17\n' >password
		printf 'not-the-password\n' >wrongpw
		# secrets readable by their owner only (openssl makes keys 0600 itself)
		chmod 600 password wrongpw
		openssl pkey -in server.key -aes256 -passout file:password -out server-enc.key
		openssl pkcs12 -export -in server.crt -inkey server.key -certfile ca.crt -passout file:password \
			-out server.p12
		: >empty
		chmod 600 empty
		# an RSA server key: the static-RSA suites exist only for one
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
		openssl req -new -key rsa.key -subj "/CN=localhost/O=mllpd rsa" -out rsa.csr 2>/dev/null
		sign rsa.csr ca rsa.crt 365 san.ext
		# openssl ca over the same CA: a client certificate it issues and then revokes, a CRL, a stale CRL
		: >index.txt
		echo 1000 >crlnumber
		# its own serial file: openssl x509's ca.srl holds the last serial used, openssl ca's the next
		echo 1000 >ca.serial
		cat >ca.cnf <<-CNF
			[ca]
			default_ca = own
			[own]
			database = $PKI/index.txt
			certificate = $PKI/ca.crt
			private_key = $PKI/ca.key
			new_certs_dir = $PKI
			serial = $PKI/ca.serial
			crlnumber = $PKI/crlnumber
			default_md = sha256
			default_days = 365
			default_crl_days = 30
			policy = any
			[any]
			commonName = supplied
			organizationName = optional
		CNF
		key revoked.key
		openssl req -new -key revoked.key -subj "/CN=stolen-laptop/O=Hospital" -out revoked.csr 2>/dev/null
		openssl ca -batch -config ca.cnf -in revoked.csr -out revoked.crt 2>/dev/null
		openssl ca -config ca.cnf -gencrl -out none-revoked.crl 2>/dev/null
		openssl ca -config ca.cnf -revoke revoked.crt -crl_reason keyCompromise 2>/dev/null
		openssl ca -config ca.cnf -gencrl -out ca.crl 2>/dev/null
		openssl ca -config ca.cnf -gencrl -crl_lastupdate 20200101000000Z -crl_nextupdate 20200201000000Z \
			-out stale.crl 2>/dev/null
		cat ca.crt ca.crl >ca+crl.pem
	) || return 1
}

setup() {
	mllpd_setup
	T=$BATS_TEST_TMPDIR
	PORT=$(free_port)
	sample_msg TLS1 >"$T/m.hl7"
	frame -f "$T/m.hl7" >"$T/m.framed"
	# the password stays out of the environment the tests give mllpd
	TLS_PASSWORD=$(<"$PKI/password")
	SRV_TLS=(--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key")
}

teardown() {
	mllpd_teardown
	sanitizer_check
}

# assert_tls_aa NAME ID: the client got one AA for ID.
assert_tls_aa() {
	ack_split "$T/$1.out" || fail "not MLLP frames: $(visible <"$T/$1.out") ($(cat "$T/$1.cerr"))"
	[[ ${#ACKS[@]} -eq 1 ]] || fail "expected 1 ACK, got ${#ACKS[@]}: $(cat "$T/$1.cerr")"
	assert_ack_code AA
	run ack_field MSA 2
	assert_output "$2"
}

# serve ARGS...: mllpd --listen on $PORT with --spool and ARGS, its stderr in
# $T/$SRV.err (SRV=server); waits until it listens.
serve() {
	server_start "${SRV:=server}" "$MLLPD" --listen "127.0.0.1:$PORT" --spool "$SPOOL" "$@"
	wait_listen "$PORT"
}

# next_server NAME ARGS...: stop the server, serve ARGS as NAME on a new port.
next_server() {
	bg_stop "$SERVER_PID"
	SRV=$1
	shift
	PORT=$(free_port)
	serve "$@"
}

# server_line REGEX: wait (bounded) for a line of the current server's stderr matching REGEX.
server_line() {
	wait_until 10 grep -qE -- "$1" "$T/${SRV:-server}.err"
}

# no_password_anywhere FILE...: the password is in none of the files.
no_password_anywhere() {
	local f
	for f in "$@"; do
		[[ -f $f ]] || continue
		! grep -aqF -- "$TLS_PASSWORD" "$f" || fail "the password leaked into $f"
	done
}

@test "tls: PEM certificate and key: ACK over TLS, spooled, TLS in the connection line; TLS 1.2 floor; plain still works" {
	serve "${SRV_TLS[@]}"
	tls_client c -CAfile "$PKI/ca.crt" -verify_return_error
	assert_tls_aa c TLS1
	assert_spooled_only "$T/m.hl7"
	server_line ' closed: messages=1 .* tls=TLSv1\.3$'
	tls_client d -tls1_2
	assert_tls_aa d TLS1
	server_line ' closed: messages=1 .* tls=TLSv1\.2$'
	tls_client e -tls1_1
	[[ $TLS_STATUS -ne 0 ]] || fail "TLS 1.1 accepted"
	server_line 'TLS handshake failed: (unsupported protocol|no protocols available)$'
	assert_spool_count 2
	# without TLS options nothing changes: plain MLLP on fd 0/1
	SPOOL="$T/plain"
	mllpd_run --spool "$SPOOL" < <(frame -f "$T/m.hl7")
	assert_ack_count 1
	assert_ack_code AA
	assert_spooled_only "$T/m.hl7"
}

@test "tls: encrypted PEM key, then PKCS#12, with --tls-password-file; the password in no log, not in --exec's environment" {
	serve --tls-cert "$PKI/server.crt" --tls-key "$PKI/server-enc.key" --tls-password-file "$PKI/password" \
		-v --exec "env >'$T/exec.env'"
	tls_client c
	assert_tls_aa c TLS1
	[[ -s $T/exec.env ]] || fail "the command did not run"
	server_line ' closed: '
	no_password_anywhere "$T/server.err" "$T/exec.env"
	! grep -aq '^MLLP_TLS_PEER=' "$T/exec.env" || fail "MLLP_TLS_PEER set without a client certificate"
	next_server p12 --tls-pkcs12 "$PKI/server.p12" --tls-password-file "$PKI/password" -v
	tls_client d -CAfile "$PKI/ca.crt" -verify_return_error
	assert_tls_aa d TLS1
	server_line ' closed: '
	no_password_anywhere "$T/p12.err"
	assert_spool_count 2
}

@test "tls: systemd credentials from \$CREDENTIALS_DIRECTORY: tls-pkcs12 + tls-password; tls-cert + encrypted tls-key + tls-password + tls-ca" {
	mkdir "$T/creds" "$T/creds2"
	cp "$PKI/server.p12" "$T/creds/tls-pkcs12"
	cp "$PKI/password" "$T/creds/tls-password"
	CREDENTIALS_DIRECTORY="$T/creds" serve -v --exec "env >'$T/exec.env'"
	tls_client c -CAfile "$PKI/ca.crt" -verify_return_error
	assert_tls_aa c TLS1
	server_line ' closed: '
	no_password_anywhere "$T/server.err" "$T/exec.env"
	cp "$PKI/server.crt" "$T/creds2/tls-cert"
	cp "$PKI/server-enc.key" "$T/creds2/tls-key"
	cp "$PKI/password" "$T/creds2/tls-password"
	cp "$PKI/ca.crt" "$T/creds2/tls-ca"
	CREDENTIALS_DIRECTORY="$T/creds2" next_server creds2 --tls-verify-client
	tls_client d -cert "$PKI/client.crt" -key "$PKI/client.key"
	assert_tls_aa d TLS1
	server_line 'tls_peer="O=Hospital,CN=lab-sender"$'
}

@test "tls: mutual TLS: subject logged and in MLLP_TLS_PEER; no certificate, another CA, plain MLLP refused and logged, nothing spooled" {
	serve "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client --exec "env >'$T/exec.env'"
	tls_client c
	[[ $TLS_STATUS -ne 0 ]] || fail "s_client succeeded"
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: TLS handshake failed: peer did not return a certificate$'
	assert_no_answer_in "$T/c.out"
	tls_client d -cert "$PKI/rogue.crt" -key "$PKI/rogue.key"
	[[ $TLS_STATUS -ne 0 ]] || fail "s_client succeeded"
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: TLS handshake failed: certificate verify failed \(unable to get local issuer certificate\)$'
	assert_no_answer_in "$T/d.out"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_failure
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: TLS handshake failed: (wrong version number|packet length too long|http request)$'
	# failed handshakes leave the spool (made at start) empty and run no command
	assert_spool_empty
	[[ ! -e $T/exec.env ]] || fail "the command ran"
	tls_client e -cert "$PKI/client.crt" -key "$PKI/client.key" -CAfile "$PKI/ca.crt"
	assert_tls_aa e TLS1
	run grep -a '^MLLP_TLS_PEER=' "$T/exec.env"
	assert_output 'MLLP_TLS_PEER=O=Hospital,CN=lab-sender'
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: closed: messages=1 .* reason=eof tls=TLSv1\.3 tls_peer="O=Hospital,CN=lab-sender"$'
	assert_spooled_only "$T/m.hl7"
}

@test "tls: an expired certificate is a warning and mllpd serves; --tls-min-version 1.3 refuses TLS 1.2" {
	serve --tls-cert "$PKI/expired.crt" --tls-key "$PKI/server.key" --tls-min-version 1.3
	run head -n 1 "$T/server.err"
	assert_output --regexp "^mllpd: --tls-cert $PKI/expired\\.crt: the certificate expired on [A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [0-9]{4} GMT\$"
	tls_client c -tls1_2
	[[ $TLS_STATUS -ne 0 ]] || fail "TLS 1.2 accepted"
	server_line 'TLS handshake failed: unsupported protocol$'
	tls_client d -tls1_3
	assert_tls_aa d TLS1
}

# Accept=no (listening sockets from systemd) is the accept-and-fork loop of --listen, tested above.
@test "tls: start modes: inetd style (fd 0/1) and LISTEN_FDS connected socket (fd 3)" {
	local mode
	for mode in "--accept --inetd" "--accept"; do
		PORT=$(free_port)
		# shellcheck disable=SC2086
		server_start server systemd-socket-activate -l "127.0.0.1:$PORT" $mode "$MLLPD" --spool "$SPOOL" \
			"${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client --exec "env >'$T/exec.env'"
		wait_listen "$PORT"
		rm -f "$T/exec.env"
		tls_client c -cert "$PKI/client.crt" -key "$PKI/client.key"
		assert_tls_aa c TLS1
		run grep -a '^MLLP_TLS_PEER=' "$T/exec.env"
		assert_output 'MLLP_TLS_PEER=O=Hospital,CN=lab-sender'
		bg_stop "$SERVER_PID"
	done
	assert_spool_count 2
}

# start_error STATUS LINE ARGS...: mllpd --spool ARGS exits STATUS at start with
# exactly LINE on stderr and nothing on stdout.  (Lighter than mllpd_run: many runs.)
start_error() {
	local want=$1 line=$2 st=0 err
	shift 2
	echo "# \$ mllpd $*" >&2
	err=$(timeout -k 5 "$MLLPD_TIMEOUT" "$MLLPD" --spool "$SPOOL" "$@" </dev/null 2>&1 >"$T/start.out") || st=$?
	((st == want)) || fail "mllpd exited $st, expected $want: $err"
	[[ $err == "$line" ]] || fail "stderr is '$err', expected '$line'"
	[[ ! -s $T/start.out ]] || fail "output on stdout: $(visible <"$T/start.out")"
	[[ ! -e $SPOOL/new ]] || assert_spool_empty
	printf '%s\n' "$err" >>"$T/start.err"
}

@test "tls: start-up errors: exit 78 and one line naming the file and the reason, in every mode; usage errors 64" {
	local P=$PKI
	start_error 78 "mllpd: --tls-cert $P/nope.crt: No such file or directory" --tls-cert "$P/nope.crt" --tls-key "$P/server.key"
	start_error 78 "mllpd: --tls-key $P/nope.key: No such file or directory" --tls-cert "$P/server.crt" --tls-key "$P/nope.key"
	start_error 78 "mllpd: --tls-cert $P: Is a directory" --tls-cert "$P" --tls-key "$P/server.key"
	start_error 78 "mllpd: --tls-cert $P/server.key: no PEM certificate in the file" --tls-cert "$P/server.key" --tls-key "$P/server.key"
	start_error 78 "mllpd: --tls-key $P/server.crt: no PEM private key in the file" --tls-cert "$P/server.crt" --tls-key "$P/server.crt"
	start_error 78 "mllpd: --tls-key $P/server-enc.key: the key is encrypted: a password is needed" --tls-cert "$P/server.crt" --tls-key "$P/server-enc.key"
	start_error 78 "mllpd: --tls-key $P/server-enc.key: wrong password" --tls-cert "$P/server.crt" --tls-key "$P/server-enc.key" --tls-password-file "$P/wrongpw"
	start_error 78 "mllpd: --tls-key $P/other.key: the key does not match the certificate $P/server.crt" --tls-cert "$P/server.crt" --tls-key "$P/other.key"
	start_error 78 "mllpd: --tls-pkcs12 $P/server.p12: wrong password" --tls-pkcs12 "$P/server.p12" --tls-password-file "$P/wrongpw"
	start_error 78 "mllpd: --tls-pkcs12 $P/server.p12: the file is encrypted: a password is needed" --tls-pkcs12 "$P/server.p12"
	start_error 78 "mllpd: --tls-pkcs12 $P/server.crt: not a PKCS#12 file" --tls-pkcs12 "$P/server.crt"
	start_error 78 "mllpd: --tls-password-file $P/nope: No such file or directory" --tls-pkcs12 "$P/server.p12" --tls-password-file "$P/nope"
	start_error 78 "mllpd: --tls-password-file $P/empty: empty" --tls-pkcs12 "$P/server.p12" --tls-password-file "$P/empty"
	start_error 78 "mllpd: --tls-ca $P/nope.crt: No such file or directory" "${SRV_TLS[@]}" --tls-ca "$P/nope.crt"
	start_error 78 "mllpd: --tls-ca $P/password: no PEM certificate in the file" "${SRV_TLS[@]}" --tls-ca "$P/password"
	no_password_anywhere "$T/start.err"
	# every start mode ends before it serves: --listen, and sockets from systemd
	start_error 78 "mllpd: --tls-key $P/other.key: the key does not match the certificate $P/server.crt" --listen "127.0.0.1:$PORT" --tls-cert "$P/server.crt" --tls-key "$P/other.key"
	! port_listening "$PORT" || fail "port $PORT listens"
	# Accept=no: systemd-socket-activate starts mllpd at the first connection
	server_start sa systemd-socket-activate -l "127.0.0.1:$PORT" "$MLLPD" --spool "$SPOOL" \
		--tls-pkcs12 "$P/server.p12" --tls-password-file "$P/wrongpw"
	wait_listen "$PORT"
	(exec 5<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || true
	pid_wait "$SERVER_PID" 10
	((PID_STATUS == 78)) || fail "Accept=no: exit $PID_STATUS, expected 78"
	grep -qxF "mllpd: --tls-pkcs12 $P/server.p12: wrong password" "$T/sa.err" || fail "sa.err: $(cat "$T/sa.err")"
	# options that do not fit together are usage errors
	start_error 64 "mllpd: --tls-ca: needs --tls-cert FILE or --tls-pkcs12 FILE" --tls-ca "$PKI/ca.crt"
	start_error 64 "mllpd: --tls-verify-client: needs --tls-cert FILE or --tls-pkcs12 FILE" --tls-verify-client
	start_error 64 "mllpd: --tls-verify-client: needs --tls-ca FILE" "${SRV_TLS[@]}" --tls-verify-client
	start_error 64 "mllpd: --tls-pkcs12: not with --tls-cert" --tls-cert "$PKI/server.crt" --tls-pkcs12 "$PKI/server.p12"
	start_error 64 "mllpd: --tls-min-version: must be 1.2 or 1.3: 1.1" "${SRV_TLS[@]}" --tls-min-version 1.1
}

# assert_no_answer_in FILE: no ACK bytes reached the client.
assert_no_answer_in() {
	! grep -aq $'\x1c' "$1" || fail "an answer was sent: $(visible <"$1")"
}

@test "tls: stunnel4 terminates TLS and execs mllpd per connection: AA, spooled, the peer from REMOTE_HOST/REMOTE_PORT; no client certificate, no answer" {
	local stunnel
	stunnel=$(command -v stunnel4 || command -v stunnel) || skip "stunnel4 not installed"
	# stunnel splits execArgs on blanks: the --exec command is one word
	printf '#!/bin/sh\nexec %s %s\n' "$MLLPD_ROOT/tests/tools/exec-capture.sh" "$T/cap" >"$T/cap.sh"
	chmod +x "$T/cap.sh"
	# the configuration of README and mllpd(8), on loopback, in the foreground, no pid file
	cat >"$T/stunnel.conf" <<-EOF
		foreground = yes
		pid =
		[mllps]
		accept = 127.0.0.1:$PORT
		cert = $PKI/server.crt
		key = $PKI/server.key
		CAfile = $PKI/ca.crt
		verifyChain = yes
		exec = $MLLPD
		execArgs = mllpd --spool $SPOOL --exec $T/cap.sh
	EOF
	server_start stunnel "$stunnel" "$T/stunnel.conf"
	wait_listen "$PORT"
	tls_client c -cert "$PKI/client.crt" -key "$PKI/client.key"
	assert_tls_aa c TLS1
	assert_spooled_only "$T/m.hl7"
	# mllpd saw plaintext MLLP and the peer stunnel named
	run cat "$T/cap/env.MLLP_REMOTE_ADDR"
	assert_output 127.0.0.1
	local cport
	cport=$(cat "$T/cap/env.MLLP_REMOTE_PORT")
	[[ $cport =~ ^[0-9]+$ ]] || fail "MLLP_REMOTE_PORT is '$cport'"
	# mllpd's stderr is stunnel's: the log line names that peer
	wait_until 10 grep -q ' message id=TLS1 ' "$T/stunnel.err"
	run grep ' message id=TLS1 ' "$T/stunnel.err"
	assert_output --regexp "^mllpd: 127\\.0\\.0\\.1:$cport: message id=TLS1 .* ack=AA "
	assert_no_phi "$T/stunnel.err"
	# without a client certificate stunnel ends the handshake: mllpd never runs
	tls_client n
	assert_no_answer_in "$T/n.out"
	assert_spool_count 1
}

# tls_probe NAME ARGS...: one TLS handshake with openssl s_client (no message
# sent, full report in $T/NAME.probe); status in PROBE_STATUS.
tls_probe() {
	local name=$1
	shift
	PROBE_STATUS=0
	timeout -k 2 20 openssl s_client -connect "127.0.0.1:$PORT" "$@" </dev/null >"$T/$name.probe" 2>&1 ||
		PROBE_STATUS=$?
}

# ticket_session FILE: a TLS 1.2 session with a session ticket, from a
# throwaway openssl s_server with the same certificate, into FILE.
ticket_session() {
	local port
	port=$(free_port)
	# s_server ends at the end of its input: a FIFO held open until the session is out
	mkfifo "$T/s_server.fifo"
	exec 5<>"$T/s_server.fifo"
	timeout -k 2 20 openssl s_server -accept "127.0.0.1:$port" -cert "$PKI/server.crt" -key "$PKI/server.key" \
		-naccept 1 -tls1_2 <"$T/s_server.fifo" >"$T/s_server.out" 2>&1 3>&- &
	bg_register $!
	wait_listen "$port"
	timeout -k 2 20 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -sess_out "$1" </dev/null >"$T/s_server.probe" 2>&1
	exec 5>&-
	grep -q 'TLS session ticket:' "$T/s_server.probe" || fail "no ticket from s_server: $(cat "$T/s_server.probe")"
}

@test "tls: no session resumption: no TLS 1.2 or 1.3 ticket; a client offering a ticket gets a full handshake, under mutual TLS too" {
	local CLIENT=(-cert "$PKI/client.crt" -key "$PKI/client.key" -CAfile "$PKI/ca.crt")
	serve "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client
	tls_probe first -tls1_2 "${CLIENT[@]}" -sess_out "$T/s1"
	((PROBE_STATUS == 0)) || fail "first handshake failed: $(cat "$T/first.probe")"
	grep -q '^New, TLSv1.2' "$T/first.probe" || fail "not a new session: $(cat "$T/first.probe")"
	! grep -q 'TLS session ticket' "$T/first.probe" || fail "the server issued a session ticket"
	# nothing to resume: s_client keeps no session
	[[ ! -s $T/s1 ]] || fail "the session is resumable: $(cat "$T/first.probe")"
	tls_probe t3 -tls1_3 "${CLIENT[@]}" -sess_out "$T/s3"
	! grep -q 'TLS session ticket' "$T/t3.probe" || fail "the server issued a TLS 1.3 ticket"
	# a client library that offers the ticket it holds: a full handshake and an AA
	ticket_session "$T/s2"
	tls_probe again -tls1_2 "${CLIENT[@]}" -sess_in "$T/s2"
	((PROBE_STATUS == 0)) || fail "handshake with a ticket offered failed: $(cat "$T/again.probe")"
	grep -q '^New, TLSv1.2' "$T/again.probe" || fail "not a new session: $(cat "$T/again.probe")"
	tls_client c -tls1_2 "${CLIENT[@]}" -sess_in "$T/s2"
	assert_tls_aa c TLS1
	! grep -aq 'TLS handshake failed' "$T/server.err" || fail "$(cat "$T/server.err")"
}

# refused NAME ARGS...: a handshake with s_client ARGS fails.
refused() {
	tls_probe "$@"
	((PROBE_STATUS != 0)) || fail "$1: accepted: $(grep -E '^(New|Protocol|Cipher)' "$T/$1.probe")"
}

# accepted NAME CIPHER ARGS...: a handshake with s_client ARGS succeeds with CIPHER.
accepted() {
	local name=$1 cipher=$2
	shift 2
	tls_probe "$name" "$@"
	((PROBE_STATUS == 0)) || fail "$name: refused: $(cat "$T/$name.probe")"
	grep -q "^New, TLSv1\.[23], Cipher is $cipher\$" "$T/$name.probe" ||
		fail "$name: $(grep -E '^New' "$T/$name.probe"), expected $cipher"
}

@test "tls: Mozilla intermediate by default: no static RSA, no CBC, ECDHE with AES-GCM or ChaCha20; groups X25519, P-256, P-384" {
	serve --tls-cert "$PKI/rsa.crt" --tls-key "$PKI/rsa.key"
	# static RSA key exchange (no forward secrecy), and CBC with SHA-1 or SHA-256
	refused rsa -tls1_2 -cipher AES128-GCM-SHA256
	refused rsa256 -tls1_2 -cipher AES256-SHA256
	refused cbc1 -tls1_2 -cipher ECDHE-RSA-AES128-SHA
	refused cbc2 -tls1_2 -cipher ECDHE-RSA-AES256-SHA384
	# the intermediate suites themselves
	accepted gcm ECDHE-RSA-AES128-GCM-SHA256 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	accepted gcm256 ECDHE-RSA-AES256-GCM-SHA384 -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
	accepted chacha ECDHE-RSA-CHACHA20-POLY1305 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
	accepted tls13 TLS_AES_256_GCM_SHA384 -tls1_3
	# groups: X25519, P-256, P-384, and no other
	accepted x25519 TLS_AES_256_GCM_SHA384 -tls1_3 -groups X25519
	accepted p384 TLS_AES_256_GCM_SHA384 -tls1_3 -groups P-384
	refused p521 -tls1_3 -groups P-521
	refused ffdhe -tls1_3 -groups ffdhe2048
	refused p521v12 -tls1_2 -groups P-521
	# an ECDSA certificate: the ECDHE-ECDSA suites
	next_server ec "${SRV_TLS[@]}"
	accepted ecgcm ECDHE-ECDSA-AES128-GCM-SHA256 -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
	refused eccbc -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA
}

@test "tls: --tls-ciphers and --tls-groups set a site's own policy; a list that matches nothing is exit 78" {
	serve "${SRV_TLS[@]}" --tls-ciphers ECDHE-ECDSA-AES256-GCM-SHA384 --tls-groups P-384
	accepted own ECDHE-ECDSA-AES256-GCM-SHA384 -tls1_2
	refused other -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
	refused x25519 -tls1_3 -groups X25519
	accepted p384 TLS_AES_256_GCM_SHA384 -tls1_3 -groups P-384:X25519
	start_error 78 "mllpd: --tls-ciphers NOPE: no cipher matches" "${SRV_TLS[@]}" --tls-ciphers NOPE
	start_error 78 "mllpd: --tls-groups P-999: not a list of groups" "${SRV_TLS[@]}" --tls-groups P-999
	start_error 64 "mllpd: --tls-ciphers: needs --tls-cert FILE or --tls-pkcs12 FILE" --tls-ciphers ECDHE-ECDSA-AES256-GCM-SHA384
}

@test "tls: --tls-crl: a revoked client certificate is refused and its serial logged; a CRL in the --tls-ca file counts; a stale CRL is a warning and refuses" {
	local serial CLIENT=(-cert "$PKI/client.crt" -key "$PKI/client.key") REVOKED=(-cert "$PKI/revoked.crt" -key "$PKI/revoked.key")
	serial=$(openssl x509 -in "$PKI/revoked.crt" -noout -serial)
	serial=${serial#serial=}
	serve "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client --tls-crl "$PKI/ca.crl"
	tls_client c "${CLIENT[@]}"
	assert_tls_aa c TLS1
	tls_client r "${REVOKED[@]}"
	[[ $TLS_STATUS -ne 0 ]] || fail "a revoked certificate was accepted"
	assert_no_answer_in "$T/r.out"
	server_line "^mllpd: 127\\.0\\.0\\.1:[0-9]+: TLS handshake failed: certificate verify failed \\(certificate revoked: serial $serial\\)\$"
	assert_spool_count 1
	# the CRL appended to the --tls-ca file is used, not ignored
	next_server cafile "${SRV_TLS[@]}" --tls-ca "$PKI/ca+crl.pem" --tls-verify-client
	tls_client r2 "${REVOKED[@]}"
	[[ $TLS_STATUS -ne 0 ]] || fail "a revoked certificate was accepted (CRL in the --tls-ca file)"
	server_line "TLS handshake failed: certificate verify failed \\(certificate revoked: serial $serial\\)\$"
	tls_client c2 "${CLIENT[@]}"
	assert_tls_aa c2 TLS1
	# a CRL past its next update: a warning at start, and every certificate it covers is refused
	next_server stale "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client --tls-crl "$PKI/stale.crl"
	run head -n 1 "$T/stale.err"
	assert_output --regexp "^mllpd: --tls-crl $PKI/stale\\.crl: the CRL of CN=Test CA was due for renewal on Feb  1 00:00:00 2020 GMT: the certificates it covers are refused\$"
	tls_client c3 "${CLIENT[@]}"
	[[ $TLS_STATUS -ne 0 ]] || fail "accepted under a stale CRL"
	server_line 'TLS handshake failed: certificate verify failed \(CRL has expired\)$'
	# systemd credential tls-crl
	mkdir "$T/creds"
	cp "$PKI/ca.crl" "$T/creds/tls-crl"
	CREDENTIALS_DIRECTORY="$T/creds" next_server cred "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-verify-client
	tls_client r4 "${REVOKED[@]}"
	[[ $TLS_STATUS -ne 0 ]] || fail "a revoked certificate was accepted (credential tls-crl)"
	server_line "certificate revoked: serial $serial"
	SPOOL="$T/spool-start"
	start_error 78 "mllpd: --tls-crl $PKI/nope.crl: No such file or directory" "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-crl "$PKI/nope.crl"
	start_error 78 "mllpd: --tls-crl $PKI/ca.crt: no PEM CRL in the file" "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt" --tls-crl "$PKI/ca.crt"
	start_error 64 "mllpd: --tls-crl: needs --tls-ca FILE" "${SRV_TLS[@]}" --tls-crl "$PKI/ca.crl"
}

@test "tls: the server sends the chain of its --tls-cert file, not the --tls-ca roots it trusts for clients" {
	serve "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt"
	tls_probe chain -showcerts -CAfile "$PKI/ca.crt" -verify_return_error
	((PROBE_STATUS == 0)) || fail "$(cat "$T/chain.probe")"
	run grep -c -- '-----BEGIN CERTIFICATE-----' "$T/chain.probe"
	assert_output 1
	grep -q 'Verify return code: 0 (ok)' "$T/chain.probe" || fail "$(cat "$T/chain.probe")"
	# a chain given in the certificate file is still sent
	cat "$PKI/server.crt" "$PKI/ca.crt" >"$T/fullchain.crt"
	next_server full --tls-cert "$T/fullchain.crt" --tls-key "$PKI/server.key" --tls-ca "$PKI/ca.crt"
	tls_probe full -showcerts -CAfile "$PKI/ca.crt"
	run grep -c -- '-----BEGIN CERTIFICATE-----' "$T/full.probe"
	assert_output 2
}

@test "tls: a key, PKCS#12 or password file that other users may read is named in a warning; mllpd still serves" {
	cp "$PKI/server.key" "$T/open.key"
	chmod 644 "$T/open.key"
	cp "$PKI/password" "$T/group-pw"
	chmod 640 "$T/group-pw"
	serve --tls-cert "$PKI/server.crt" --tls-key "$T/open.key"
	server_line "^mllpd: --tls-key $T/open\\.key: readable by other users \\(mode 0644\\): chmod 600 it\$"
	tls_client c
	assert_tls_aa c TLS1
	next_server p12 --tls-pkcs12 "$PKI/server.p12" --tls-password-file "$T/group-pw"
	server_line "^mllpd: --tls-password-file $T/group-pw: readable by its group \\(mode 0640\\): chmod 600 it\$"
	cp "$PKI/server.p12" "$T/open.p12"
	chmod 604 "$T/open.p12"
	next_server p12b --tls-pkcs12 "$T/open.p12" --tls-password-file "$PKI/password"
	server_line "^mllpd: --tls-pkcs12 $T/open\\.p12: readable by other users \\(mode 0604\\): chmod 600 it\$"
	# the key inside the certificate file makes that file a secret
	cat "$PKI/server.crt" "$PKI/server.key" >"$T/both.pem"
	chmod 644 "$T/both.pem"
	next_server both --tls-cert "$T/both.pem"
	server_line "^mllpd: --tls-cert $T/both\\.pem: readable by other users \\(mode 0644\\): chmod 600 it\$"
	# owner-only files: no warning
	next_server quiet "${SRV_TLS[@]}" --tls-ca "$PKI/ca.crt"
	tls_client d
	assert_tls_aa d TLS1
	! grep -q 'readable by' "$T/quiet.err" || fail "$(cat "$T/quiet.err")"
}

# served_serial: the serial of the certificate the server now sends (s_client).
served_serial() {
	timeout -k 2 20 openssl s_client -connect "127.0.0.1:$PORT" -cert "$PKI/client.crt" -key "$PKI/client.key" \
		</dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null | sed 's/^serial=//'
}

# serial_of FILE: a certificate's serial, as openssl prints it.
serial_of() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'
}

# hup_and_wait N: SIGHUP to mllpd ($MPID), then wait for the Nth reload line (done or failed).
hup_and_wait() {
	kill -HUP "$MPID"
	wait_until 10 eval "(( \$(grep -c -e 'TLS reloaded:' -e 'TLS reload failed' '$T/server.err') >= $1 ))"
	kill -0 "$MPID" || fail "the listener died on SIGHUP"
}

@test "tls: SIGHUP reloads certificate, key, CRL and allow list under --listen; a bad file keeps the old ones, logged; the new certificate logged" {
	local d=$T/tls
	mkdir "$d"
	cp "$PKI/server.crt" "$d/cert.pem"
	cp "$PKI/server.key" "$d/key.pem"
	cp "$PKI/none-revoked.crl" "$d/crl.pem"
	printf 'lab-sender SND SFAC\nstolen-laptop SND SFAC\n' >"$d/allow"
	listen_start --spool "$SPOOL" --tls-cert "$d/cert.pem" --tls-key "$d/key.pem" --tls-ca "$PKI/ca.crt" \
		--tls-verify-client --tls-crl "$d/crl.pem" --tls-allow "$d/allow"
	[[ $(served_serial) == "$(serial_of "$PKI/server.crt")" ]] || fail "not the first certificate"
	tls_client r0 -cert "$PKI/revoked.crt" -key "$PKI/revoked.key"
	assert_tls_aa r0 TLS1
	# rotation: a new certificate and key, a new CRL
	cp "$PKI/rsa.crt" "$d/cert.pem"
	cp "$PKI/rsa.key" "$d/key.pem"
	cp "$PKI/ca.crl" "$d/crl.pem"
	hup_and_wait 1
	run grep 'TLS reloaded:' "$T/server.err"
	assert_output --regexp "^mllpd: TLS reloaded: certificate subject=\"O=mllpd rsa,CN=localhost\" serial=$(serial_of "$PKI/rsa.crt") expires=\"[A-Z][a-z]{2} +[0-9]+ [0-9:]{8} [0-9]{4} GMT\"\$"
	[[ $(served_serial) == "$(serial_of "$PKI/rsa.crt")" ]] || fail "the new certificate is not served"
	tls_client r1 -cert "$PKI/revoked.crt" -key "$PKI/revoked.key"
	[[ $TLS_STATUS -ne 0 ]] || fail "the new CRL is not used"
	tls_client c1 -cert "$PKI/client.crt" -key "$PKI/client.key"
	assert_tls_aa c1 TLS1
	# a key that does not match: logged, the previous files stay in use
	cp "$PKI/other.key" "$d/key.pem"
	hup_and_wait 2
	grep -qxF "mllpd: TLS reload failed, serving with the previous files: --tls-key $d/key.pem: the key does not match the certificate $d/cert.pem" "$T/server.err" ||
		fail "$(cat "$T/server.err")"
	[[ $(served_serial) == "$(serial_of "$PKI/rsa.crt")" ]] || fail "the previous certificate is not served"
	# a malformed allow list: the same
	cp "$PKI/rsa.key" "$d/key.pem"
	printf 'lab-sender\n' >"$d/allow"
	hup_and_wait 3
	grep -q "^mllpd: TLS reload failed, serving with the previous files: --tls-allow $d/allow:1: " "$T/server.err" ||
		fail "$(cat "$T/server.err")"
	tls_client c2 -cert "$PKI/client.crt" -key "$PKI/client.key"
	assert_tls_aa c2 TLS1
	# an expired certificate is warned about at reload too
	cp "$PKI/expired.crt" "$d/cert.pem"
	cp "$PKI/server.key" "$d/key.pem"
	printf 'lab-sender SND SFAC\n' >"$d/allow"
	hup_and_wait 4
	grep -q "^mllpd: --tls-cert $d/cert\\.pem: the certificate expired on " "$T/server.err" || fail "$(cat "$T/server.err")"
	[[ $(served_serial) == "$(serial_of "$PKI/expired.crt")" ]] || fail "the expired certificate is not served"
}

@test "tls: SIGHUP without TLS leaves a --listen listener serving" {
	listen_start --spool "$SPOOL"
	kill -HUP "$MPID"
	server_line '^mllpd: SIGHUP: nothing to reload \(no TLS\)$'
	kill -0 "$MPID" || fail "the listener died on SIGHUP"
	run mllp_client --print msa 127.0.0.1 "$PORT" "$T/m.hl7"
	assert_success
	assert_output 'MSA|AA|TLS1'
}

@test "tls: a client that stalls mid-handshake is dropped after --tls-handshake-timeout, not --frame-timeout" {
	serve "${SRV_TLS[@]}" --tls-handshake-timeout 1 --frame-timeout 60
	local start=$SECONDS
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	# the start of a ClientHello record, then nothing
	printf '\x16\x03\x01\x02\x00\x01' >&5
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: TLS handshake failed: timed out$'
	((SECONDS - start <= 6)) || fail "dropped after $((SECONDS - start)) s"
	exec 5>&-
	# the default is 10 s
	run "$MLLPD" --help
	assert_output --partial '--tls-handshake-timeout SEC TLS: a handshake must end within SEC seconds (10)'
}

# send_from ADDR: send $T/m.framed from source address ADDR (loopback) to
# 127.0.0.1:$PORT and print the MSA segment of the answer (or nothing).
send_from() {
	timeout -k 2 20 "$PYTHON" - "$1" "$PORT" "$T/m.framed" <<-'PY'
		import socket, sys
		s = socket.socket()
		s.bind((sys.argv[1], 0))
		s.settimeout(10)
		s.connect(("127.0.0.1", int(sys.argv[2])))
		s.sendall(open(sys.argv[3], "rb").read())
		buf = b""
		while b"\x1c\r" not in buf:
		    d = s.recv(4096)
		    if not d:
		        break
		    buf += d
		print("".join(seg for seg in buf.decode("latin-1").split("\r") if seg.startswith("MSA")))
	PY
}

@test "listen: --max-per-source keeps stalled connections from one address off every slot; refusals and a full listener are logged, rate-limited" {
	sample_msg TLS1 >"$T/m.hl7"
	listen_start --spool "$SPOOL" --max-connections 3 --max-per-source 2 -v
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	exec 6<>"/dev/tcp/127.0.0.1/$PORT"
	wait_until 10 eval "(( \$(grep -c ': connected$' '$T/server.err') >= 2 ))"
	# a third from the same address is closed at once, and logged
	exec 7<>"/dev/tcp/127.0.0.1/$PORT"
	run timeout 5 cat <&7
	assert_success
	server_line '^mllpd: 127\.0\.0\.1:[0-9]+: refused: 2 connections from this address already \(--max-per-source 2\)$'
	exec 7>&- 8<>"/dev/tcp/127.0.0.1/$PORT"
	run timeout 5 cat <&8
	assert_success
	exec 8>&-
	# another address gets the last slot; the full listener is logged
	run send_from 127.0.0.2
	assert_output 'MSA|AA|TLS1'
	server_line '^mllpd: all 3 connection slots in use \(--max-connections 3\): new connections wait$'
	run send_from 127.0.0.3
	assert_output 'MSA|AA|TLS1'
	# each kind once a minute at most
	run grep -c 'refused: ' "$T/server.err"
	assert_output 1
	run grep -c 'connection slots in use' "$T/server.err"
	assert_output 1
	exec 5>&- 6>&-
}
