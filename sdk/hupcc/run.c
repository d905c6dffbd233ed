/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: running clang and bpftool.  fork + execvp, the child's stdout
 * optionally into a file; the exit status (or 128 + signal) comes back.
 */
#include "hupcc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void hupcc_err(const char *fmt, ...)
{
	va_list ap;

	fputs("hupcc: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void hupcc_note(const char *fmt, ...)
{
	va_list ap;

	fputs("hupcc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int hupcc__tmp_path(const char *path, char *tmp, size_t size)
{
	int n = snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void print_cmd(char *const argv[])
{
	fputs("hupcc: running:", stderr);
	for (; *argv; argv++)
		fprintf(stderr, " %s", *argv);
	fputc('\n', stderr);
}

int hupcc__run(char *const argv[], const char *out_path, bool verbose)
{
	int status, fd = -1;
	pid_t pid;

	if (verbose)
		print_cmd(argv);
	if (out_path) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0)
			return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return err;
	}
	if (pid == 0) {
		if (fd >= 0 && dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "hupcc: error: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (fd >= 0)
		close(fd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
