/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupvm logging: one place that decides what reaches stderr and how it is
 * prefixed.  Components report errors as -errno and log the detail here;
 * only main() decides to exit.
 */
#ifndef HUPVM_LOG_H
#define HUPVM_LOG_H

#include <stddef.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log__set_level(enum log_level level);
enum log_level log__level(void);
void log__printf(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For code that hands its caller one line of reason with the errno
 * (snapshot.c, hupreplay): fmt into buf (len bytes); returns err. */
int log__errf(char *buf, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define pr_err(...)   log__printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  log__printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log__printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log__printf(LOG_DEBUG, __VA_ARGS__)

#endif
