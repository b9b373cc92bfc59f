/* SPDX-License-Identifier: MIT */
/* test_optfile.c: name = value lines to --name=value arguments: good files, every error, line
 * numbers. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "optfile.h"
#include "tap.h"

static const struct option table[] = {
    {"spool", required_argument, NULL, 1}, {"spool-mode", required_argument, NULL, 2},
    {"no-fsync", no_argument, NULL, 3},	   {"exec", required_argument, NULL, 4},
    {"level", optional_argument, NULL, 5}, {"config", required_argument, NULL, 6},
    {"help", no_argument, NULL, 7},	   {NULL, 0, NULL, 0},
};

static const char *const refused[] = {"config", "help", NULL};

struct parse_case {
	const char *name;
	const char *in;
	size_t len;	   /* 0: strlen(in) */
	const char *args;  /* the arguments after argv[0], each followed by '\n'; NULL: an error */
	const char *lines; /* their line numbers, each followed by ' ' */
	size_t err_line;
	const char *reason;
};

static const struct parse_case cases[] = {
    {"empty file", "", 0, "", "", 0, NULL},
    {"comments and blank lines only", "# c\n\n  \t\n   # indented\r\n", 0, "", "", 0, NULL},
    {"one value", "spool = /var/spool/hl7\n", 0, "--spool=/var/spool/hl7\n", "1 ", 0, NULL},
    {"no blanks, no final newline", "spool=/s", 0, "--spool=/s\n", "1 ", 0, NULL},
    {"blanks, tabs and CRLF trimmed", "\t spool \t=\t /a b \t\r\n", 0, "--spool=/a b\n", "1 ", 0,
     NULL},
    {"a flag alone", "no-fsync\n", 0, "--no-fsync\n", "1 ", 0, NULL},
    {"a flag with an empty value", "no-fsync =  \n", 0, "--no-fsync\n", "1 ", 0, NULL},
    {"value literal: #, quotes, =, backslash", "exec = case \"$X\" in a=b) exit 0;; esac # \\n\n",
     0, "--exec=case \"$X\" in a=b) exit 0;; esac # \\n\n", "1 ", 0, NULL},
    {"line numbers skip comments", "# top\n\nspool = a\n# mid\nno-fsync\nexec=x\n", 0,
     "--spool=a\n--no-fsync\n--exec=x\n", "3 5 6 ", 0, NULL},
    {"file order kept, repeats kept", "spool=a\nspool=b\n", 0, "--spool=a\n--spool=b\n", "1 2 ", 0,
     NULL},
    {"exact names, longer name", "spool-mode = 7\n", 0, "--spool-mode=7\n", "1 ", 0, NULL},
    {"optional argument with and without", "level\nlevel = 3\n", 0, "--level\n--level=3\n", "1 2 ",
     0, NULL},
    {"8-bit bytes in a value", "exec = caf\xc3\xa9\n", 0, "--exec=caf\xc3\xa9\n", "1 ", 0, NULL},
    {"unknown name", "spool = a\nspol = b\n", 0, NULL, NULL, 2, "unknown option: spol"},
    {"no abbreviations", "spo = a\n", 0, NULL, NULL, 1, "unknown option: spo"},
    {"names are case-sensitive", "Spool = a\n", 0, NULL, NULL, 1, "unknown option: Spool"},
    {"dashes are part of the name", "--spool = a\n", 0, NULL, NULL, 1, "unknown option: --spool"},
    {"value on a flag", "\nno-fsync = yes\n", 0, NULL, NULL, 2, "no-fsync: takes no value"},
    {"missing value", "spool\n", 0, NULL, NULL, 1, "spool: requires a value"},
    {"empty value", "spool =\n", 0, NULL, NULL, 1, "spool: requires a value"},
    {"refused name", "config = /x\n", 0, NULL, NULL, 1,
     "config: not allowed in a configuration file"},
    {"refused flag", "help\n", 0, NULL, NULL, 1, "help: not allowed in a configuration file"},
    {"no '='", "spool /tmp\n", 0, NULL, NULL, 1, "not a NAME = VALUE line"},
    {"no name", "= /tmp\n", 0, NULL, NULL, 1, "not a NAME = VALUE line"},
    {"odd byte in the name", "sp.ol = a\n", 0, NULL, NULL, 1, "not a NAME = VALUE line"},
    {"NUL byte", "spool = a\nexec = b\0c\n", 21, NULL, NULL, 2, "a NUL byte"},
    {"NUL in a comment", "#\0\n", 3, NULL, NULL, 1, "a NUL byte"},
    {"a long name",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1\n", 0,
     NULL, NULL, 1, "not a NAME = VALUE line"},
};

/* The arguments (after argv[0]) and their line numbers, joined as in struct parse_case. */
static void join(const struct optfile *f, char *args, size_t acap, char *lines, size_t lcap)
{
	size_t a = 0, l = 0;
	args[0] = lines[0] = '\0';
	for (int i = 1; i < f->argc; i++) {
		a += (size_t)snprintf(args + a, acap - a, "%s\n", f->argv[i]);
		l += (size_t)snprintf(lines + l, lcap - l, "%zu ", f->line[i]);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct parse_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		/* An exact-size copy: ASan catches a read past the end. */
		char *buf = malloc(len ? len : 1);
		memcpy(buf, c->in, len);
		struct optfile f;
		struct optfile_error err = {0, ""};
		int rc = optfile_parse(buf, len, table, refused, "prog", &f, &err);
		if (c->args) {
			char args[512], lines[64];
			TAP_OK(rc == 0, "%s: parses (%s)", c->name, rc == 0 ? "" : err.reason);
			if (rc == 0) {
				join(&f, args, sizeof args, lines, sizeof lines);
				TAP_OK(strcmp(args, c->args) == 0, "%s: arguments", c->name);
				TAP_OK(strcmp(lines, c->lines) == 0, "%s: line numbers (%s)",
				       c->name, lines);
				TAP_OK(strcmp(f.argv[0], "prog") == 0 && f.argv[f.argc] == NULL &&
					   f.line[0] == 0,
				       "%s: argv[0] and the final NULL", c->name);
			}
		} else {
			TAP_OK(rc == -1, "%s: refused", c->name);
			TAP_OK(err.line == c->err_line, "%s: line %zu (got %zu)", c->name,
			       c->err_line, err.line);
			TAP_OK(strcmp(err.reason, c->reason) == 0, "%s: reason '%s' (got '%s')",
			       c->name, c->reason, err.reason);
			TAP_OK(f.argv == NULL && f.store == NULL, "%s: nothing left allocated",
			       c->name);
		}
		optfile_free(&f);
		free(buf);
	}
	struct optfile zero = {0, NULL, NULL, NULL};
	optfile_free(&zero);
	TAP_OK(zero.argc == 0, "optfile_free of a zeroed struct");
	return tap_done();
}
