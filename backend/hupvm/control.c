// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control socket server (see control.h): an accept thread, one
 * thread per connection (at most CONTROL_MAX_CLIENTS), one request per
 * connection.  The socket is created with mode
 * 0600 (the caller's umask permitting); an existing path is reused only if
 * it is a stale socket nobody listens on, never unlinked otherwise.
 */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "vm.h"

#define CONTROL_POLL_MS 200
/*
 * Connections are served concurrently, a thread each, because a reclaim
 * lasts as long as guest RAM needs (seconds on a large guest) and list,
 * stats and query must answer meanwhile.  A thread per connection keeps
 * every command on one code path (a reclaim worker would need a second
 * way back for its report); what the commands share is already locked
 * (the registry lock, the park lock, one reclaim at a time).  The bound
 * keeps a flood of clients from making a flood of threads: past it the
 * accept thread waits and the listen backlog queues.
 */
#define CONTROL_MAX_CLIENTS 4u

static int make_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memcpy(a->sun_path, path, strlen(path));
	return 0;
}

/* An existing path: reuse it only if it is a socket nobody serves. */
static int check_stale(const char *path, const struct sockaddr_un *a)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)a, sizeof(*a));
	close(fd);
	if (!r)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

static void serve(struct control *c, int fd)
{
	struct timeval tv = {CONTROL_IO_TIMEOUT_S, 0};
	char line[CONTROL_LINE_MAX + 2];
	size_t len = 0;
	char *resp = NULL;
	size_t resp_len = 0;
	FILE *out;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < sizeof(line) - 1) {
		ssize_t n = read(fd, line + len, sizeof(line) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len))
			break;
	}
	line[len] = 0;
	out = open_memstream(&resp, &resp_len);
	if (!out)
		return;
	if (!memchr(line, '\n', len))
		fprintf(out, "ERR EINVAL request is not one line of at most "
			     "%u bytes\n",
			CONTROL_LINE_MAX);
	else {
		size_t l;

		*strchr(line, '\n') = 0;
		l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[l - 1] = 0;
		control__execute(c->vm, line, out);
	}
	fclose(out);
	for (size_t off = 0; off < resp_len;) {
		ssize_t n = send(fd, resp + off, resp_len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(resp);
}

struct conn {
	struct control *c;
	int fd;
};

static void *conn_thread(void *arg)
{
	struct conn *k = arg;
	struct control *c = k->c;

	serve(c, k->fd);
	close(k->fd);
	free(k);
	pthread_mutex_lock(&c->lock);
	c->active--;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Serve fd on a thread of its own; inline if none can be had. */
static void dispatch(struct control *c, int fd)
{
	struct conn *k = malloc(sizeof(*k));
	pthread_attr_t attr;
	pthread_t t;
	int err = -1;

	if (k && !pthread_attr_init(&attr)) {
		*k = (struct conn){c, fd};
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_mutex_lock(&c->lock);
		c->active++;
		pthread_mutex_unlock(&c->lock);
		err = pthread_create(&t, &attr, conn_thread, k);
		pthread_attr_destroy(&attr);
		if (!err)
			return;
		pthread_mutex_lock(&c->lock);
		c->active--;
		pthread_mutex_unlock(&c->lock);
	}
	free(k);
	serve(c, fd);
	close(fd);
}

static void *control_loop(void *arg)
{
	struct control *c = arg;
	sigset_t set;

	/* The vCPU kick signal is not for us. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!atomic_load(&c->stop)) {
		struct pollfd p = {c->fd, POLLIN, 0};
		int fd;

		bool full;

		pthread_mutex_lock(&c->lock);
		full = c->active >= CONTROL_MAX_CLIENTS;
		pthread_mutex_unlock(&c->lock);
		if (full) { /* a short sleep: stop is polled too */
			poll(NULL, 0, CONTROL_POLL_MS / 10);
			continue;
		}
		if (poll(&p, 1, CONTROL_POLL_MS) <= 0)
			continue;
		fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		dispatch(c, fd);
	}
	return NULL;
}

int control__start(struct control *c, struct vm *vm, const char *path)
{
	struct sockaddr_un a;
	int err;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->vm = vm;
	c->fd = -1;
	err = make_addr(path, &a);
	if (!err)
		err = check_stale(path, &a);
	if (err)
		return err;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (bind(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    chmod(path, 0600) < 0 || listen(c->fd, 4) < 0) {
		err = -errno;
		goto close_fd;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	err = -pthread_create(&c->thread, NULL, control_loop, c);
	if (err) {
		unlink(path);
		goto close_fd;
	}
	c->started = true;
	return 0;

close_fd:
	close(c->fd);
	c->fd = -1;
	return err;
}

void control__stop(struct control *c)
{
	if (!c->started)
		return;
	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	/* Connections in flight end within CONTROL_IO_TIMEOUT_S, and a
	 * reclaim at its next chunk (a stopping VM's vCPUs cannot pause). */
	pthread_mutex_lock(&c->lock);
	while (c->active)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	c->started = false;
	close(c->fd);
	unlink(c->path);
	c->fd = -1;
}
