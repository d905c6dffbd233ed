/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest console: bytes the guest's UART sends go to an output file
 * descriptor (stdout or --log), and are scanned for the kernel's panic
 * banner; bytes read from stdin go to the UART's receive FIFO.
 *
 * Panic detection is by console text because the Debian guest, booted with
 * panic=-1, reboots at once after a panic: the reboot alone does not say
 * why, and pvpanic would need an ACPI device in the DSDT.  The matcher is
 * a pure function (console__scan) so tests feed it split and noisy input.
 */
#ifndef HUPVM_CONSOLE_H
#define HUPVM_CONSOLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <termios.h>

#include "devices/serial.h"

#define CONSOLE_PANIC_BANNER "Kernel panic - not syncing"
#define CONSOLE_POLL_MS	     100

struct console {
	int out_fd;
	size_t match; /* bytes of the banner matched so far */
	atomic_bool panic_seen;
	bool tty_saved;
	struct termios saved;
	/* stdin reader */
	struct serial *input_serial;
	pthread_t input_tid;
	bool input_started;
	atomic_bool input_stop;
};

void console__init(struct console *c, int out_fd);
/* Feed one byte; returns true when it completes the panic banner. */
bool console__scan(size_t *match, uint8_t byte);
/* A byte the guest sent: write it out, watch for the banner. */
void console__putc(struct console *c, uint8_t byte);
/* Start the stdin reader (raw mode if stdin is a terminal); it ends at
 * EOF or at console__stop_input, which joins it. */
int console__start_input(struct console *c, struct serial *s);
void console__stop_input(struct console *c);
void console__restore_tty(struct console *c);

#endif
