// SPDX-License-Identifier: BSD-2-Clause
/*
 * Guest console plumbing (see console.h).  Output is written byte by byte
 * as the guest sends it (interactive prompts must not wait for a newline);
 * the UART serializes calls, so no lock is needed here.  The input thread
 * polls stdin with a short timeout so that it can be stopped and joined
 * before the UART it feeds is freed.
 */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

void console__init(struct console *c, int out_fd)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = out_fd;
	atomic_init(&c->panic_seen, false);
}

bool console__scan(size_t *match, uint8_t byte)
{
	static const char banner[] = CONSOLE_PANIC_BANNER;

	/* The banner's first letter occurs nowhere else in it, so on a
	 * mismatch the only possible restart is at this very byte. */
	if (byte != (uint8_t)banner[*match])
		*match = 0;
	if (byte == (uint8_t)banner[*match])
		(*match)++;
	if (*match == sizeof(banner) - 1) {
		*match = 0;
		return true;
	}
	return false;
}

void console__putc(struct console *c, uint8_t byte)
{
	ssize_t r;

	do {
		r = write(c->out_fd, &byte, 1);
	} while (r < 0 && errno == EINTR);
	if (console__scan(&c->match, byte))
		atomic_store(&c->panic_seen, true);
}

static void *input_thread(void *arg)
{
	struct console *c = arg;
	struct timespec pause = {0, 5 * 1000 * 1000};
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	uint8_t buf[64];

	while (!atomic_load(&c->input_stop)) {
		ssize_t n;
		size_t done = 0;
		int r = poll(&pfd, 1, CONSOLE_POLL_MS);

		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* EOF: the guest simply gets no more input */
		/* The FIFO holds 16 bytes: wait for the guest to drain it. */
		while (done < (size_t)n && !atomic_load(&c->input_stop)) {
			done += serial__receive(c->input_serial, buf + done,
						(size_t)n - done);
			if (done < (size_t)n)
				nanosleep(&pause, NULL);
		}
	}
	return NULL;
}

int console__start_input(struct console *c, struct serial *s)
{
	int err;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
		struct termios raw = c->saved;

		/* Raw input, but keep ISIG so ^C still stops hupvm. */
		raw.c_iflag &= ~(unsigned)(ICRNL | IXON | INLCR | IGNCR);
		raw.c_lflag &= ~(unsigned)(ICANON | ECHO | IEXTEN);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			c->tty_saved = true;
	}
	c->input_serial = s;
	atomic_store(&c->input_stop, false);
	err = pthread_create(&c->input_tid, NULL, input_thread, c);
	if (err)
		return -err;
	c->input_started = true;
	return 0;
}

void console__stop_input(struct console *c)
{
	if (!c->input_started)
		return;
	atomic_store(&c->input_stop, true);
	pthread_join(c->input_tid, NULL);
	c->input_started = false;
}

void console__restore_tty(struct console *c)
{
	if (c->tty_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
		c->tty_saved = false;
	}
}
