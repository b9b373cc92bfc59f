/* SPDX-License-Identifier: MIT */
/* drain.c: mllp-nats --drain: publish a spool's new/ with several publishes in flight, each file
 * to cur/ after its PubAck, to failed/ when refused, left in new/ on a temporary failure. */
#include "mllp-nats.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "cli.h"
#include "spool.h"

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_BUSY };

struct slot {
	enum slot_state state;
	char name[256];
};

struct drain {
	const struct config *cfg;
	struct pub pub;
	struct spool sp;
	int curfd, ino;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct slot *slots;
	int quit;	       /* workers end */
	int paused;	       /* a temporary failure: dispatch no more files this pass */
	unsigned long ok, dup; /* counts, under mu */
	unsigned long refused, left;
	int fatal; /* an exit status for a spool error, 0: none */
};

static volatile sig_atomic_t stop_requested;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int e = errno;

	(void)sig;
	stop_requested = 1;
	if (write(wake_pipe[1], "x", 1) < 0) {
		/* the pipe is full: a wake-up is pending already */
	}
	errno = e;
}

/* The file's bytes, malloc()ed; NULL with errno (ENOENT: another consumer took it, EFBIG). */
static char *read_file(struct drain *d, const char *name, size_t *len)
{
	int fd = openat(d->sp.newfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > NATS_MAX_MESSAGE))
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
	else if ((buf = malloc((size_t)st.st_size + 1)) != NULL) {
		size_t n = 0;
		ssize_t r = 1;

		while (n < (size_t)st.st_size &&
		       (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
			n += (size_t)r;
		if (r < 0)
			free(buf), buf = NULL;
		*len = n;
	}
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

/* new/NAME to cur/NAME, then both directories made durable (cur/ first). */
static int move_to_cur(struct drain *d, const char *name)
{
	if (renameat(d->sp.newfd, name, d->curfd, name) < 0)
		return errno == ENOENT ? 0 : -1;
	if (fsync(d->curfd) < 0 || fsync(d->sp.newfd) < 0)
		return -1;
	return 0;
}

static void settle(struct drain *d, const char *name, enum pub_result r, int dup, const char *why)
{
	int rc = 0, e = 0;

	if (r == PUB_OK)
		rc = move_to_cur(d, name);
	else if (r == PUB_REFUSED)
		rc = spool_fail(&d->sp, name);
	if (rc < 0 && (e = errno) != ENOENT)
		cli_error("%s/new/%s: cannot move to %s: %s", d->cfg->drain_dir, name,
			  r == PUB_OK ? "cur/" : "failed/", strerror(e));
	if (r != PUB_OK)
		cli_error("%s/new/%s: %s", d->cfg->drain_dir, name, why);
	pthread_mutex_lock(&d->mu);
	if (rc < 0 && e != ENOENT)
		d->fatal = EX_IOERR;
	if (r == PUB_OK)
		d->ok++, d->dup += dup != 0;
	else if (r == PUB_REFUSED)
		d->refused++;
	else
		d->left++, d->paused = 1;
	pthread_mutex_unlock(&d->mu);
}

static void publish_file(struct drain *d, const char *name)
{
	char why[512];
	size_t len = 0;
	int dup = 0;
	char *data = read_file(d, name, &len);
	enum pub_result r;

	if (!data && errno == ENOENT)
		return;
	if (!data) {
		snprintf(why, sizeof why, "refused: %s", strerror(errno));
		r = errno == ENOMEM ? PUB_TEMPFAIL : PUB_REFUSED;
	} else {
		r = pub_message(&d->pub, data, len, &dup, why, sizeof why);
	}
	free(data);
	settle(d, name, r, dup, why);
}

struct worker {
	struct drain *d;
	struct slot *slot;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct drain *d = w->d;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->quit && w->slot->state != SLOT_READY)
			pthread_cond_wait(&d->work, &d->mu);
		if (w->slot->state != SLOT_READY)
			break;
		w->slot->state = SLOT_BUSY;
		pthread_mutex_unlock(&d->mu);
		publish_file(d, w->slot->name);
		pthread_mutex_lock(&d->mu);
		w->slot->state = SLOT_FREE;
		pthread_cond_broadcast(&d->done);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* The names in new/, sorted: spool names sort by arrival.  NULL with errno on failure. */
static char **list_new(struct drain *d, size_t *n)
{
	struct spool_list l;
	size_t k = 0;

	*n = 0;
	if (spool_list(d->sp.newfd, &l) < 0)
		return NULL;
	for (size_t i = 0; i < l.count; i++) /* a name too long for a slot is not ours */
		if (strlen(l.names[i]) < sizeof d->slots[0].name)
			l.names[k++] = l.names[i];
		else
			free(l.names[i]);
	*n = k;
	return l.names ? l.names : calloc(1, sizeof *l.names);
}

static void wait_done(struct drain *d)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200 * 1000000L;
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	pthread_cond_timedwait(&d->done, &d->mu, &ts);
}

/* Give NAME to a free worker, waiting for one; not when it is in flight already. */
static void dispatch(struct drain *d, const char *name)
{
	int n = d->cfg->inflight, free_slot = -1;

	pthread_mutex_lock(&d->mu);
	for (int i = 0; i < n; i++)
		if (d->slots[i].state != SLOT_FREE && strcmp(d->slots[i].name, name) == 0)
			goto out;
	while (!stop_requested && !d->paused && !d->fatal) {
		for (int i = 0; i < n && free_slot < 0; i++)
			if (d->slots[i].state == SLOT_FREE)
				free_slot = i;
		if (free_slot >= 0)
			break;
		wait_done(d);
	}
	if (free_slot >= 0 && !stop_requested && !d->paused && !d->fatal) {
		snprintf(d->slots[free_slot].name, sizeof d->slots[free_slot].name, "%s", name);
		d->slots[free_slot].state = SLOT_READY;
		pthread_cond_broadcast(&d->work);
	}
out:
	pthread_mutex_unlock(&d->mu);
}

static void wait_idle(struct drain *d)
{
	pthread_mutex_lock(&d->mu);
	for (int i = 0; i < d->cfg->inflight; i++)
		while (d->slots[i].state != SLOT_FREE)
			wait_done(d);
	pthread_mutex_unlock(&d->mu);
}

/* One pass over new/: every file not in flight, oldest first, until a temporary failure. */
static void pass(struct drain *d)
{
	size_t n;
	char **names = list_new(d, &n);

	if (!names) {
		cli_error("%s/new: %s", d->cfg->drain_dir, strerror(errno));
		d->fatal = EX_IOERR;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!stop_requested && !d->paused && !d->fatal)
			dispatch(d, names[i]);
		free(names[i]);
	}
	free(names);
}

/* --watch: sleep until new/ changes, a signal, or a second (a poll for what inotify misses). */
static void wait_event(struct drain *d)
{
	struct pollfd p[2] = {{wake_pipe[0], POLLIN, 0}, {d->ino, POLLIN, 0}};
	char buf[4096];

	if (stop_requested || poll(p, d->ino >= 0 ? 2 : 1, 1000) <= 0)
		return;
	for (int i = 0; i < 2; i++)
		if (p[i].revents && read(p[i].fd, buf, sizeof buf) < 0) {
			/* nothing to read after all */
		}
}

static void on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* The spool, its lock, the inotify watch and the connection; 0 or an exit status. */
static int setup(struct drain *d, const struct config *cfg)
{
	const char *what = cfg->drain_dir;
	char path[4096];

	memset(d, 0, sizeof *d);
	d->cfg = cfg;
	d->curfd = d->ino = -1;
	if (spool_open(&d->sp, cfg->drain_dir, 0, &what) < 0) {
		cli_error("--drain %s%s%s: %s", cfg->drain_dir, what == cfg->drain_dir ? "" : "/",
			  what == cfg->drain_dir ? "" : what, strerror(errno));
		return EX_IOERR;
	}
	if ((d->curfd = openat(d->sp.dirfd, "cur", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cli_error("--drain %s/cur: %s", cfg->drain_dir, strerror(errno));
		return EX_IOERR;
	}
	/* One drainer per spool (mllp-send --drain takes the same lock). */
	if (flock(d->sp.dirfd, LOCK_EX | LOCK_NB) < 0) {
		cli_error("--drain %s: %s", cfg->drain_dir,
			  errno == EWOULDBLOCK ? "another process is draining it"
					       : strerror(errno));
		return EX_TEMPFAIL;
	}
#ifdef __linux__
	snprintf(path, sizeof path, "%s/new", cfg->drain_dir);
	if (cfg->watch && (d->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0 &&
	    inotify_add_watch(d->ino, path, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		close(d->ino);
		d->ino = -1;
	}
#endif
	if (pipe(wake_pipe) < 0 || fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK) < 0 ||
	    !(d->slots = calloc((size_t)cfg->inflight, sizeof *d->slots))) {
		cli_error("%s", strerror(errno));
		return EX_OSERR;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->work, NULL);
	pthread_cond_init(&d->done, NULL);
	on_signals();
	return 0;
}

/* Connected, or -1: without --watch after one --timeout, with it when a signal came first. */
static int connect_nats(struct drain *d)
{
	char why[512];

	while (pub_connect(&d->pub, d->cfg, 1, why, sizeof why) < 0) {
		pub_close(&d->pub);
		cli_error("%s: %s", d->cfg->servers[0], why);
		if (!d->cfg->watch || stop_requested)
			return -1;
		wait_event(d);
	}
	return 0;
}

static size_t count_new(struct drain *d)
{
	size_t n;
	char **names = list_new(d, &n);

	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return names ? n : 0;
}

static int finish(struct drain *d)
{
	size_t left = count_new(d);

	cli_error(
	    "--drain %s: %lu published (%lu duplicates), %lu refused (to failed/), %zu in new/",
	    d->cfg->drain_dir, d->ok, d->dup, d->refused, left);
	if (d->fatal)
		return d->fatal;
	if (d->cfg->watch)
		return EX_OK;
	if (d->left > 0 && left > 0)
		return EX_TEMPFAIL;
	return d->refused ? EX_DATAERR : EX_OK;
}

int drain_spool(const struct config *cfg)
{
	struct drain d;
	int rc = setup(&d, cfg), n = cfg->inflight;
	pthread_t *th = calloc((size_t)n, sizeof *th);
	struct worker *w = calloc((size_t)n, sizeof *w);
	sigset_t block, old;

	if (rc || !th || !w)
		return rc ? rc : EX_OSERR;
	if (connect_nats(&d) < 0) {
		d.left = 1;
		n = 0;
	}
	/* The workers never take a signal: the main thread's poll() does. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){&d, &d.slots[i]};
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			cli_fatal(EX_OSERR, "cannot start a thread");
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	while (n > 0) {
		pthread_mutex_lock(&d.mu);
		d.paused = 0;
		pthread_mutex_unlock(&d.mu);
		pass(&d);
		if (!cfg->watch || stop_requested || d.fatal)
			break;
		wait_event(&d);
	}
	wait_idle(&d);
	pthread_mutex_lock(&d.mu);
	d.quit = 1;
	pthread_cond_broadcast(&d.work);
	pthread_mutex_unlock(&d.mu);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	rc = finish(&d);
	pub_close(&d.pub);
	spool_close(&d.sp);
	close(d.curfd);
	free(th), free(w), free(d.slots);
	return rc;
}
