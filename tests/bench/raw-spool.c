/* SPDX-License-Identifier: MIT */
/* raw-spool.c: the file ceiling: create, write, (fsync), rename N files with no protocol at all. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: raw-spool DIR COUNT fsync|nofsync < message\n");
		return 64;
	}
	static char msg[1 << 20];
	size_t len = fread(msg, 1, sizeof msg, stdin);
	int count = atoi(argv[2]), sync = strcmp(argv[3], "fsync") == 0;
	char tmp[4096], new[4096];
	snprintf(tmp, sizeof tmp, "%s/tmp", argv[1]);
	snprintf(new, sizeof new, "%s/new", argv[1]);
	mkdir(argv[1], 0750);
	mkdir(tmp, 0750);
	mkdir(new, 0750);
	int tfd = open(tmp, O_RDONLY | O_DIRECTORY), nfd = open(new, O_RDONLY | O_DIRECTORY);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < count; i++) {
		char name[64];
		snprintf(name, sizeof name, "%d.hl7", i);
		int fd = openat(tfd, name, O_WRONLY | O_CREAT | O_EXCL, 0640);
		if (fd < 0 || write(fd, msg, len) != (ssize_t)len || (sync && fsync(fd) < 0) ||
		    close(fd) < 0 || renameat(tfd, name, nfd, name) < 0 ||
		    (sync && fsync(nfd) < 0)) {
			perror("raw-spool");
			return 74;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%.0f\n", count / secs);
	return 0;
}
