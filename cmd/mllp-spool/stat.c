/* SPDX-License-Identifier: MIT */
/* stat.c: mllp-spool stat: mllpd's --stats counters and spool gauges, Prometheus text format. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mllp-spool.h"
#include "stats.h"

static const char usage_text[] = "usage: mllp-spool stat [--stats FILE] [-o FILE] [DIR...]\n";

/* The spool states counted, in output order. */
static const char *const states[] = {"new", "cur", "failed"};
#define NSTATES (sizeof states / sizeof states[0])

struct dir_stat {
	const char *dir; /* as given */
	unsigned long long files[NSTATES];
	long long oldest_age[NSTATES]; /* seconds; 0 when empty */
};

/* The answer counters, as labels and the lib/stats counter of each. */
static const struct {
	const char *ack;
	enum stats_counter c;
} ack_counters[] = {
    {"AA", STATS_ACK_AA}, {"AE", STATS_ACK_AE}, {"AR", STATS_ACK_AR},	  {"CA", STATS_ACK_CA},
    {"CE", STATS_ACK_CE}, {"CR", STATS_ACK_CR}, {"none", STATS_ACK_NONE},
};

/* The plain counters: name, counter, help. */
static const struct {
	const char *name;
	enum stats_counter c;
	const char *help;
} plain_counters[] = {
    {"mllpd_bytes_total", STATS_BYTES, "Bytes of the messages mllpd received (frame contents)."},
    {"mllpd_connections_total", STATS_CONNECTIONS, "Connections mllpd served."},
    {"mllpd_duplicates_total", STATS_DUPLICATES,
     "Resends mllpd --dedupe answered from its record without delivering them again."},
    {"mllpd_tls_refused_total", STATS_TLS_REFUSED,
     "TLS handshakes that failed: peers refused before any message."},
};

static void family(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the text format says: backslash, double quote, line feed. */
static void label_value(FILE *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", o);
		else if (*v == '"')
			fputs("\\\"", o);
		else if (*v == '\n')
			fputs("\\n", o);
		else
			fputc(*v, o);
	}
}

static void print_counters(FILE *o, const struct stats *s)
{
	family(o, "mllpd_messages_total", "counter",
	       "Messages mllpd received (each of a batch too), by the answer it sent (none: no "
	       "answer).");
	for (size_t i = 0; i < sizeof ack_counters / sizeof ack_counters[0]; i++)
		fprintf(o, "mllpd_messages_total{ack=\"%s\"} %llu\n", ack_counters[i].ack,
			(unsigned long long)stats_get(s, ack_counters[i].c));
	for (size_t i = 0; i < sizeof plain_counters / sizeof plain_counters[0]; i++) {
		family(o, plain_counters[i].name, "counter", plain_counters[i].help);
		fprintf(o, "%s %llu\n", plain_counters[i].name,
			(unsigned long long)stats_get(s, plain_counters[i].c));
	}
}

static void print_gauge(FILE *o, const struct dir_stat *ds, size_t n, int age)
{
	const char *name = age ? "mllp_spool_oldest_age_seconds" : "mllp_spool_files";
	family(o, name, "gauge",
	       age ? "Age of the oldest file in the spool directory's state (0: none there)."
		   : "Files in the spool directory, by state (new: waiting, cur: handled, failed: "
		     "not accepted).");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < NSTATES; k++) {
			fprintf(o, "%s{dir=\"", name);
			label_value(o, ds[i].dir);
			if (age)
				fprintf(o, "\",state=\"%s\"} %lld\n", states[k],
					ds[i].oldest_age[k]);
			else
				fprintf(o, "\",state=\"%s\"} %llu\n", states[k], ds[i].files[k]);
		}
}

/* Count the files of DIR/STATE (dot files left out) and find the oldest; exits on an error. */
static void scan_state(struct dir_stat *ds, size_t k, time_t now)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", ds->dir, states[k]);
	DIR *d = opendir(path);
	if (!d)
		cli_fatal(errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_IOERR,
			  "stat: %s: %s%s", path, strerror(errno),
			  errno == ENOENT ? " (not an mllpd spool?)" : "");
	time_t oldest = 0;
	int any = 0;
	struct dirent *e;
	struct stat st;
	while ((e = readdir(d))) {
		/* A file moved or removed meanwhile is simply not counted. */
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		ds->files[k]++;
		if (!any || st.st_mtime < oldest)
			oldest = st.st_mtime;
		any = 1;
	}
	closedir(d);
	ds->oldest_age[k] = any && now > oldest ? (long long)(now - oldest) : 0;
}

/* Write text[0..len) to path atomically: a temporary file beside it, fsync, rename. */
static void write_atomic(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		cli_fatal(EX_USAGE, "stat: -o %s: name too long", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		cli_fatal(EX_CANTCREAT, "stat: -o %s: %s", path, strerror(errno));
	/* Readable by node_exporter, which runs as another user. */
	int ok = fchmod(fd, 0644) == 0;
	for (size_t off = 0; ok && off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += ok ? (size_t)w : 0;
	}
	ok = ok && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		int e = errno;
		unlink(tmp);
		cli_fatal(EX_IOERR, "stat: -o %s: %s", path, strerror(e));
	}
	char *dcopy = strdup(path);
	int dfd = dcopy ? open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dcopy);
}

/* The whole output, in memory: nothing is written before every input was read. */
static char *render(const char *stats_file, char **dirs, size_t ndirs, size_t *len)
{
	struct stats s;
	char *text = NULL;
	FILE *o = open_memstream(&text, len);
	if (!o)
		cli_fatal(EX_OSERR, "stat: %s", strerror(errno));
	if (stats_file) {
		enum stats_error e = stats_open(&s, stats_file, STATS_READONLY);
		if (e == STATS_ERR_SYSTEM)
			cli_fatal(errno == ENOENT ? EX_NOINPUT : EX_IOERR, "stat: --stats %s: %s",
				  stats_file, strerror(errno));
		if (e != STATS_OK)
			cli_fatal(EX_DATAERR, "stat: --stats %s: %s", stats_file,
				  stats_error_text(e));
		print_counters(o, &s);
		stats_close(&s);
	}
	struct dir_stat *ds = calloc(ndirs ? ndirs : 1, sizeof *ds);
	if (!ds)
		cli_fatal(EX_OSERR, "stat: out of memory");
	time_t now = time(NULL);
	size_t n = 0;
	for (size_t i = 0; i < ndirs; i++) {
		/* A directory named twice once: a series twice is an error to Prometheus. */
		size_t seen = 0;
		while (seen < n && strcmp(ds[seen].dir, dirs[i]) != 0)
			seen++;
		if (seen < n)
			continue;
		ds[n].dir = dirs[i];
		for (size_t k = 0; k < NSTATES; k++)
			scan_state(&ds[n], k, now);
		n++;
	}
	if (n) {
		print_gauge(o, ds, n, 0);
		print_gauge(o, ds, n, 1);
	}
	free(ds);
	if (fclose(o) != 0)
		cli_fatal(EX_OSERR, "stat: %s", strerror(errno));
	return text;
}

int cmd_stat(int argc, char **argv)
{
	static const struct option options[] = {
	    {"stats", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *stats_file = NULL, *out = NULL;
	int c;
	cli_init("mllp-spool", usage_text);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
		switch (c) {
		case 's': stats_file = optarg; break;
		case 'o': out = optarg; break;
		case 'h': printf("%s", usage_text); return EX_OK;
		case ':': cli_usage_error("stat: %s: requires a value", argv[optind - 1]);
		default: cli_usage_error("stat: unknown option: %s", argv[optind - 1]);
		}
	}
	if (!stats_file && optind >= argc)
		cli_usage_error("stat: nothing to report: give --stats FILE and/or a spool DIR");
	size_t len = 0;
	char *text = render(stats_file, argv + optind, (size_t)(argc - optind), &len);
	if (out) {
		write_atomic(out, text, len);
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		free(text);
		cli_fatal(EX_IOERR, "stat: standard output: %s", strerror(errno));
	}
	free(text);
	return EX_OK;
}
