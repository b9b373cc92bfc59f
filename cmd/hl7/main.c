/* SPDX-License-Identifier: MIT */
/* main.c: the hl7 filter's entry: pick the subcommand, report errors, choose the exit status. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7cmd.h"
#include "msgsplit.h"

#define HL7_VERSION "0.1.0"

static int exit_status;

static const char usage_text[] =
    "usage: hl7 get [-H] [--raw] PATH... [--] [FILE...]\n"
    "       hl7 json [--paths] [--raw] [FILE...]\n"
    "       hl7 lint [--strict] [FILE...]\n"
    "       hl7 ack [--code AA|AE|AR] [--text TEXT] [--error-code N] [--mode auto|original]\n"
    "               [--application NAME] [--facility NAME] [--mllp] [--raw] [FILE...]\n"
    "       hl7 --version | --help\n";

static const char help_text[] =
    "\n"
    "Read HL7 v2 messages (files, or stdin; one message, several concatenated,\n"
    "or MLLP frames; CR, LF or CR LF between segments) and:\n"
    "\n"
    "  get PATH...  print the value at each path, one line per message, tab-separated\n"
    "               (MSH-9.1, PID-3[2].1, OBX[3]-5, PID-5.1.1; OBX[*]-5, PID-3[*] for all)\n"
    "  json         print one JSON object per message (--paths: flat path/value pairs)\n"
    "  lint         check what mllpd checks, and more; exit 1 when anything is found\n"
    "  ack          print the acknowledgement mllpd would send for each message\n"
    "\n"
    "See hl7(1).\n";

/* The worst status wins: 66 (no input) > 74 (I/O) > 70 > 65 (data) > 1 (findings). */
static int rank(int status)
{
	switch (status) {
	case 0: return 0;
	case EX_FINDINGS: return 1;
	case EX_DATAERR: return 2;
	case EX_SOFTWARE: return 3;
	case EX_IOERR: return 4;
	case EX_NOINPUT: return 5;
	default: return 3;
	}
}

void exit_note(int status)
{
	if (rank(status) > rank(exit_status))
		exit_status = status;
}

void report(int status, const struct input_msg *in, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "hl7: %s: message %lu: ", in->file, in->number);
	if (in->batch_message)
		fprintf(stderr, "batch message %lu: ", in->batch_message);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit_note(status);
}

void report_plain(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
	exit_note(status);
}

int message_open(const struct input_msg *in, struct hl7_msg *m)
{
	if (in->flags & MSGSPLIT_TRUNCATED) {
		report(EX_DATAERR, in, "MLLP frame not ended by 0x1C: skipped");
		return -1;
	}
	hl7_parse(m, in->p, in->len, 0);
	if (!m->has_delims) {
		report(EX_DATAERR, in, "not an HL7 message: %s", hl7_status_text(m->status));
		return -1;
	}
	return 0;
}

int batch_open(const struct input_msg *in, input_fn fn, void *ctx)
{
	struct hl7_batch b;

	if (!(in->flags & MSGSPLIT_BATCH) || (in->flags & MSGSPLIT_TRUNCATED))
		return 0;
	if (batch_each(in, &b, fn, ctx) != HL7_BATCH_OK)
		report(EX_DATAERR, in, "not an HL7 batch: %s: skipped",
		       hl7_batch_status_text(b.status));
	return 1;
}

static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("stdout: write error");
		return EX_IOERR;
	}
	if (rc == 0 || rank(exit_status) > rank(rc))
		rc = exit_status;
	return rc;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
	    {"get", cmd_get},
	    {"json", cmd_json},
	    {"lint", cmd_lint},
	    {"ack", cmd_ack},
	};
	const char *sub = argc > 1 ? argv[1] : NULL;

	cli_init("hl7", usage_text);

	if (!sub) {
		fputs(usage_text, stderr);
		return EX_USAGE;
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		printf("%s%s", usage_text, help_text);
		return finish(0);
	}
	if (strcmp(sub, "--version") == 0) {
		printf("hl7 %s\n", HL7_VERSION);
		return finish(0);
	}
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(sub, cmds[i].name) == 0)
			return finish(cmds[i].fn(argc - 1, argv + 1));
	cli_usage_error("unknown command: %s", sub);
}
