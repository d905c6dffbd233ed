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

/* fork + exec argv with stdout on out_fd and stderr on err_fd (if >= 0);
 * the child's pid, or -errno. */
static pid_t spawn(char *const argv[], int out_fd, int err_fd, bool verbose)
{
	pid_t pid;

	if (verbose)
		print_cmd(argv);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if ((out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
		    (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0))
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "hupcc: error: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/* The exit status of pid, 128 + signal, or -errno. */
static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int hupcc__run(char *const argv[], const char *out_path, bool verbose)
{
	int fd = -1;
	pid_t pid;

	if (out_path) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0)
			return -errno;
	}
	pid = spawn(argv, fd, -1, verbose);
	if (fd >= 0)
		close(fd);
	return pid < 0 ? (int)pid : reap(pid);
}

/*
 * clang's advice for a program over the BPF stack is the kernel's: "move
 * large on stack variables into BPF per-cpu array map", or raise the limit
 * with -mllvm -bpf-stack-size.  A hyperupcall has neither maps nor a
 * bigger stack (the host's verifier allows HUP_STACK_SIZE bytes), so the
 * line gets advice that applies.
 */
static const char stack_advice[] =
	"Please move large on stack variables into BPF per-cpu array map.";

static void print_diag_line(const char *line)
{
	const char *p = strstr(line, stack_advice);

	if (!p) {
		fputs(line, stderr);
		return;
	}
	fprintf(stderr, "%.*sA hyperupcall has a %u-byte stack and no maps: "
		"use smaller buffers, or hup_output() the data in pieces.\n",
		(int)(p - line), line, HUP_STACK_SIZE);
}

int hupcc__run_clang(char *const argv[], bool verbose)
{
	char *line = NULL;
	size_t cap = 0;
	int pfd[2];
	FILE *f;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	/* The child's stderr is a dup2() of pfd[1]: neither end stays open
	 * in clang under its own number. */
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	pid = spawn(argv, -1, pfd[1], verbose);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return (int)pid;
	}
	f = fdopen(pfd[0], "r");
	if (!f) {
		close(pfd[0]); /* clang gets EPIPE; its status still counts */
	} else {
		while (getline(&line, &cap, f) > 0)
			print_diag_line(line);
		free(line);
		fclose(f);
	}
	return reap(pid);
}
