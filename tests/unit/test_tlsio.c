/* SPDX-License-Identifier: MIT */
/* test_tlsio.c: password files, credential lookup, and the file errors tlsio_ctx_new reports. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "tlsio.h"

static char root[] = "/tmp/mllpd-tlsio-XXXXXX";

/* root/name holding data; returns the path (static, overwritten by the next call). */
static const char *put(const char *name, const char *data)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", root, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
	return path;
}

static void password_case(const char *data, ssize_t want, const char *want_pw)
{
	char buf[64], why[128] = "";
	ssize_t n = tlsio_read_password(put("pw", data), buf, sizeof buf, why, sizeof why);
	if (want < 0)
		TAP_OK(n < 0 && strcmp(why, want_pw) == 0, "password file %zu bytes: error '%s' (got '%s')",
		       strlen(data), want_pw, why);
	else
		TAP_OK(n == want && strcmp(buf, want_pw) == 0, "password file %zu bytes: '%s'", strlen(data),
		       want_pw);
}

static void ctx_error(const char *what, struct tlsio_config *cfg, enum tlsio_input in, const char *reason)
{
	struct tlsio_report rep;
	struct tlsio_ctx *ctx = tlsio_ctx_new(TLSIO_SERVER, cfg, &rep);
	TAP_OK(!ctx && rep.input == in && rep.file && strcmp(rep.reason, reason) == 0, "%s: '%s' (got '%s')", what,
	       reason, rep.reason);
	tlsio_ctx_free(ctx);
}

int main(void)
{
	char path[256], why[128];
	char buf[8];

	if (!mkdtemp(root))
		return 1;

	password_case("s3cret\n", 6, "s3cret");
	password_case("s3cret\r\n", 6, "s3cret");
	password_case("s3cret", 6, "s3cret");
	password_case("one\ntwo\n", 3, "one");
	password_case("with space \n", 11, "with space ");
	password_case("", -1, "empty");
	password_case("\n", -1, "empty");
	snprintf(path, sizeof path, "%s/none", root);
	TAP_OK(tlsio_read_password(path, buf, sizeof buf, why, sizeof why) < 0 &&
		       strcmp(why, "No such file or directory") == 0,
	       "missing password file: strerror text");
	/* Longer than the buffer: cut, still NUL-terminated. */
	TAP_OK(tlsio_read_password(put("long", "0123456789abcdef\n"), buf, sizeof buf, why, sizeof why) == 7 &&
		       strcmp(buf, "0123456") == 0,
	       "a password longer than the buffer is cut to cap - 1");

	char cred[256];
	put("tls-cert", "x");
	TAP_OK(tlsio_credential(root, "tls-cert", cred, sizeof cred) == 1 && strstr(cred, "/tls-cert"),
	       "tlsio_credential finds dir/name");
	TAP_OK(tlsio_credential(root, "tls-key", cred, sizeof cred) == 0 && cred[0] == '\0',
	       "tlsio_credential: a missing credential");
	TAP_OK(tlsio_credential(NULL, "tls-cert", cred, sizeof cred) == 0, "tlsio_credential: no directory");

	struct tlsio_config cfg = {0};
	snprintf(path, sizeof path, "%s/none.crt", root);
	cfg.cert_file = path;
	ctx_error("missing certificate", &cfg, TLSIO_IN_CERT, "No such file or directory");
	cfg.cert_file = root;
	ctx_error("a directory as certificate", &cfg, TLSIO_IN_CERT, "Is a directory");
	cfg.cert_file = put("garbage.crt", "not a certificate\n");
	ctx_error("not PEM", &cfg, TLSIO_IN_CERT, "no PEM certificate in the file");
	cfg = (struct tlsio_config){.pkcs12_file = put("garbage.p12", "not pkcs12")};
	ctx_error("not PKCS#12", &cfg, TLSIO_IN_PKCS12, "not a PKCS#12 file");

	/* A client context with the system store needs no file. */
	struct tlsio_report rep;
	cfg = (struct tlsio_config){.verify_peer = 1, .min_version = 13};
	struct tlsio_ctx *ctx = tlsio_ctx_new(TLSIO_CLIENT, &cfg, &rep);
	TAP_OK(ctx && rep.input == TLSIO_IN_NONE && !rep.warning[0], "client context from the system store");
	tlsio_ctx_free(ctx);
	cfg = (struct tlsio_config){.verify_peer = 1, .ca_file = put("empty.crt", "")};
	ctx_error("a CA file without certificates", &cfg, TLSIO_IN_CA, "no PEM certificate in the file");

	const char *names[] = {"pw", "long", "tls-cert", "garbage.crt", "garbage.p12", "empty.crt"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		unlink(path);
	}
	rmdir(root);
	return tap_done();
}
