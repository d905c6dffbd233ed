// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupvm logging.  Messages go to stderr as whole lines prefixed "hupvm: ",
 * so they stay distinguishable from the guest console on stdout even when
 * several vCPU threads report at once.  At debug level each line carries
 * the milliseconds since log__set_level, which profiles VM setup.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level log_max = LOG_WARN;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec log_t0;

static double log_elapsed_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - log_t0.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - log_t0.tv_nsec) / 1e6;
}

void log__set_level(enum log_level level)
{
	log_max = level;
	clock_gettime(CLOCK_MONOTONIC, &log_t0);
}

enum log_level log__level(void)
{
	return log_max;
}

void log__printf(enum log_level level, const char *fmt, ...)
{
	static const char *const tag[] = {"error: ", "warning: ", "",
					  "debug: "};
	va_list ap;

	if (level > log_max)
		return;
	pthread_mutex_lock(&log_lock);
	if (log_max >= LOG_DEBUG) /* timestamps for bring-up and profiling */
		fprintf(stderr, "hupvm: [%9.3f ms] %s", log_elapsed_ms(),
			tag[level]);
	else
		fprintf(stderr, "hupvm: %s", tag[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

int log__errf(char *buf, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return err;
}
