/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tests of the guest-memory view and its fault recovery: creation limits,
 * map/unmap argument checks and collisions modulo the view size, data
 * through a mapped window, a hole or a guard page ending a guarded run with
 * -EFAULT and a counted fault, read-only windows, nested runs, recovery
 * with a broken stack and from two threads, and (in forked children) that
 * faults which are not the view's are never swallowed: they reach the
 * previously installed handler or kill the process with SIGSEGV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "view.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define BITS 30
#define PAGE 4096u
#define VIEW_SIZE (1ull << BITS)

/* A memfd of n pages, page i filled with the byte 0x10 + i. */
static int make_memfd(unsigned int pages)
{
	int fd = memfd_create("hup-test-view", MFD_CLOEXEC);
	unsigned char buf[PAGE];
	unsigned int i;

	if (fd < 0 || ftruncate(fd, (off_t)pages * PAGE)) {
		perror("memfd");
		exit(2);
	}
	for (i = 0; i < pages; i++) {
		memset(buf, 0x10 + i, sizeof(buf));
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * PAGE) != PAGE)
			exit(2);
	}
	return fd;
}

struct access {
	volatile uint8_t *p;
	uint64_t val;
	int write;
};

static uint64_t fn_access(void *arg)
{
	struct access *a = arg;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)a->p;

	if (a->write) {
		*p = a->val;
		return 1;
	}
	return *p;
}

static int guarded(struct hup_view *view, void *p, int write, uint64_t val,
		   uint64_t *out)
{
	struct access a = {p, val, write};
	uint64_t r = 0xdead;
	int err = hup_view__run_guarded(view, fn_access, &a, &r);

	if (out)
		*out = r;
	return err;
}

static void test_create(void)
{
	struct hup_view *view = (void *)1;
	int err;

	CHECK_EQ(hup_view__create(19, &view), -EINVAL);
	CHECK(view == NULL);
	CHECK_EQ(hup_view__create(47, &view), -EINVAL);
	CHECK_EQ(hup_view__create(BITS, NULL), -EINVAL);
	CHECK_EQ(hup_view__create(20, &view), 0);
	CHECK_EQ(hup_view__mask(view), (1u << 20) - 1);
	hup_view__free(view);
	/* the default is 2^44, unless this process cannot reserve it (a
	 * sanitizer's shadow memory), which must say -ENOMEM */
	err = hup_view__create(0, &view);
	CHECK(err == 0 || err == -ENOMEM);
	if (!err) {
		CHECK_EQ(hup_view__mask(view), (1ull << 44) - 1);
		CHECK(hup_view__base(view) != NULL);
		CHECK_EQ(hup_view__faults(view), 0);
	}
	hup_view__free(view);
	hup_view__free(NULL);
}

static void test_map_args(void)
{
	struct hup_view *view;
	int fd = make_memfd(4);

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	CHECK_EQ(hup_view__map(view, 0x1001, fd, 0, PAGE, HUP_WIN_READ),
		 -EINVAL);
	CHECK_EQ(hup_view__map(view, 0x1000, fd, 1, PAGE, HUP_WIN_READ),
		 -EINVAL);
	CHECK_EQ(hup_view__map(view, 0x1000, fd, 0, PAGE + 1, HUP_WIN_READ),
		 -EINVAL);
	CHECK_EQ(hup_view__map(view, 0x1000, fd, 0, 0, HUP_WIN_READ), -EINVAL);
	CHECK_EQ(hup_view__map(view, 0x1000, fd, 0, PAGE, 0), -EINVAL);
	CHECK_EQ(hup_view__map(view, 0x1000, fd, 0, PAGE, 4), -EINVAL);
	CHECK_EQ(hup_view__map(view, 0x1000, -1, 0, PAGE, HUP_WIN_READ),
		 -EBADF);
	CHECK_EQ(hup_view__map(NULL, 0x1000, fd, 0, PAGE, HUP_WIN_READ),
		 -EINVAL);
	/* crossing the top of the view does not wrap to offset 0 */
	CHECK_EQ(hup_view__map(view, VIEW_SIZE - PAGE, fd, 0, 2 * PAGE,
			       HUP_WIN_READ), -EINVAL);
	CHECK_EQ(hup_view__map(view, 0, fd, 0, VIEW_SIZE + PAGE,
			       HUP_WIN_READ), -EINVAL);
	CHECK_EQ(hup_view__map(view, 0, fd, UINT64_MAX & ~(uint64_t)0xfff,
			       PAGE, HUP_WIN_READ), -EINVAL);
	/* the last page of the view is fine, as is a gva far above it */
	CHECK_EQ(hup_view__map(view, 0xffff800000000000ull + VIEW_SIZE - PAGE,
			       fd, 0, PAGE, HUP_WIN_READ), 0);
	/* nothing mapped there: no record was added by the failures */
	CHECK_EQ(hup_view__unmap(view, 0x1000, PAGE), -ENOENT);
	CHECK_EQ(hup_view__unmap(view, 0x1000, 0), -EINVAL);
	CHECK_EQ(hup_view__unmap(view, 0x1800, PAGE), -EINVAL);
	/* a mapping past the end of the file maps but faults (SIGBUS) */
	CHECK_EQ(hup_view__map(view, 0x100000, fd, 64 * PAGE, PAGE,
			       HUP_WIN_READ), 0);
	CHECK_EQ(guarded(view, hup_view__base(view) + 0x100000, 0, 0, NULL),
		 -EFAULT);
	hup_view__free(view);
	close(fd);
}

static void test_collisions(void)
{
	struct hup_view *view;
	int fd = make_memfd(4);
	const uint64_t g = 0x40000000ull * 5 + 0x10000; /* offset 0x10000 */

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	CHECK_EQ(hup_view__map(view, g, fd, 0, 3 * PAGE, HUP_WIN_READ), 0);
	/* the same view offset through another gva (same modulo 2^30) */
	CHECK_EQ(hup_view__map(view, 0x10000, fd, 0, PAGE, HUP_WIN_READ),
		 -EADDRNOTAVAIL);
	/* partial overlaps at both ends */
	CHECK_EQ(hup_view__map(view, 0x10000 - PAGE, fd, 0, 2 * PAGE,
			       HUP_WIN_READ), -EADDRNOTAVAIL);
	CHECK_EQ(hup_view__map(view, 0x10000 + 2 * PAGE, fd, 0, 2 * PAGE,
			       HUP_WIN_READ), -EADDRNOTAVAIL);
	/* one covering it */
	CHECK_EQ(hup_view__map(view, 0, fd, 0, 0x20000, HUP_WIN_READ),
		 -EADDRNOTAVAIL);
	/* adjacent ranges on both sides are fine */
	CHECK_EQ(hup_view__map(view, 0x10000 - PAGE, fd, 0, PAGE,
			       HUP_WIN_READ), 0);
	CHECK_EQ(hup_view__map(view, 0x10000 + 3 * PAGE, fd, 0, PAGE,
			       HUP_WIN_READ), 0);
	/* punch the middle page out of the merged run, then remap it */
	CHECK_EQ(hup_view__unmap(view, 0x11000, PAGE), 0);
	CHECK_EQ(guarded(view, hup_view__base(view) + 0x11000, 0, 0, NULL),
		 -EFAULT);
	CHECK_EQ(hup_view__map(view, 0x10000, fd, 0, PAGE, HUP_WIN_READ),
		 -EADDRNOTAVAIL);
	CHECK_EQ(hup_view__map(view, 0x12000, fd, 0, PAGE, HUP_WIN_READ),
		 -EADDRNOTAVAIL);
	CHECK_EQ(hup_view__map(view, 0x11000, fd, 3 * PAGE, PAGE,
			       HUP_WIN_READ), 0);
	/* unmapping a range with holes in it is fine; all of it goes */
	CHECK_EQ(hup_view__unmap(view, 0xe000, 0x10000), 0);
	CHECK_EQ(hup_view__map(view, 0, fd, 0, 0x20000, HUP_WIN_READ), 0);
	hup_view__free(view);
	close(fd);
}

/* Many windows, mapped page by page out of order, then checked. */
static void test_many_ranges(void)
{
	struct hup_view *view;
	int fd = make_memfd(1);
	unsigned int i, n = 300;

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	for (i = 0; i < n; i++) {
		/* a permutation of 0..n-1 */
		uint64_t page = (i * 7u) % n;

		CHECK_EQ(hup_view__map(view, page * 2 * PAGE, fd, 0, PAGE,
				       HUP_WIN_READ), 0);
	}
	for (i = 0; i < n; i++) {
		CHECK_EQ(hup_view__map(view, i * 2 * PAGE, fd, 0, PAGE,
				       HUP_WIN_READ), -EADDRNOTAVAIL);
		CHECK_EQ(hup_view__map(view, i * 2 * PAGE + PAGE, fd, 0, PAGE,
				       HUP_WIN_READ), 0);
	}
	/* everything is now one run; a covering map collides */
	CHECK_EQ(hup_view__map(view, 2 * n * PAGE - PAGE, fd, 0, 2 * PAGE,
			       HUP_WIN_READ), -EADDRNOTAVAIL);
	CHECK_EQ(hup_view__unmap(view, 0, 2 * n * PAGE), 0);
	CHECK_EQ(hup_view__unmap(view, 0, 2 * n * PAGE), -ENOENT);
	hup_view__free(view);
	close(fd);
}

static void test_guarded_access(void)
{
	struct hup_view *view;
	int fd = make_memfd(3);
	uint8_t *base;
	uint64_t r, faults;
	unsigned char byte;
	sigset_t mask;

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	base = hup_view__base(view);
	CHECK_EQ(hup_view__map(view, 0x200000, fd, PAGE, PAGE, HUP_WIN_READ), 0);
	CHECK_EQ(hup_view__map(view, 0x201000, fd, 2 * PAGE, PAGE,
			       HUP_WIN_READ | HUP_WIN_WRITE), 0);

	CHECK_EQ(guarded(view, base + 0x200008, 0, 0, &r), 0);
	CHECK_EQ(r, 0x1111111111111111ull);
	CHECK_EQ(hup_view__faults(view), 0);
	/* a hole: -EFAULT and one fault counted */
	CHECK_EQ(guarded(view, base + 0x300000, 0, 0, &r), -EFAULT);
	CHECK_EQ(r, 0xdead); /* ret untouched */
	CHECK_EQ(hup_view__faults(view), 1);
	/* both guards, at their far ends */
	CHECK_EQ(guarded(view, base - HUP_VIEW_GUARD, 0, 0, NULL), -EFAULT);
	CHECK_EQ(guarded(view, base + VIEW_SIZE + HUP_VIEW_GUARD - 8, 0, 0,
			 NULL), -EFAULT);
	CHECK_EQ(hup_view__faults(view), 3);
	/* the window's protection: read-only refuses the write */
	CHECK_EQ(guarded(view, base + 0x200000, 1, 0x4242, NULL), -EFAULT);
	CHECK_EQ(pread(fd, &byte, 1, PAGE), 1);
	CHECK_EQ(byte, 0x11);
	/* a writable window writes through to the memfd */
	CHECK_EQ(guarded(view, base + 0x201010, 1, 0x4242, &r), 0);
	CHECK_EQ(r, 1);
	CHECK_EQ(pread(fd, &byte, 1, 2 * PAGE + 0x10), 1);
	CHECK_EQ(byte, 0x42);
	CHECK_EQ(hup_view__faults(view), 4);
	/* recovery leaves the signal mask as it was */
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	CHECK(!sigismember(&mask, SIGSEGV) && !sigismember(&mask, SIGBUS));
	/* and works any number of times */
	faults = hup_view__faults(view);
	for (r = 0; r < 1000; r++)
		if (guarded(view, base + 0x400000 + r * 8, 0, 0, NULL) != -EFAULT)
			break;
	CHECK_EQ(r, 1000);
	CHECK_EQ(hup_view__faults(view), faults + 1000);
	/* after unmap the window is a hole again */
	CHECK_EQ(hup_view__unmap(view, 0x200000, PAGE), 0);
	CHECK_EQ(guarded(view, base + 0x200008, 0, 0, NULL), -EFAULT);
	/* runs without a view run fn, recovering nothing */
	CHECK_EQ(guarded(NULL, &r, 0, 0, &faults), 0);
	CHECK_EQ(faults, r);
	/* the thread got an alternate signal stack */
	{
		stack_t ss;

		CHECK_EQ(sigaltstack(NULL, &ss), 0);
		CHECK(!(ss.ss_flags & SS_DISABLE));
	}
	CHECK_EQ(hup_view__run_guarded(view, NULL, NULL, NULL), -EINVAL);
	hup_view__free(view);
	close(fd);
}

/* The guards mirror the view's ends (view.h): a window at offset 0 is
 * read again just past the top, one at the top just below offset 0, and
 * an unmap takes both copies away; a window away from the ends has none. */
static void test_mirrors(void)
{
	struct hup_view *view;
	int fd = make_memfd(4);
	uint8_t *base;
	uint64_t r;

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	base = hup_view__base(view);
	/* page 1 at offset 0 (a gva aliasing there), page 2 at the top,
	 * page 3 in the middle */
	CHECK_EQ(hup_view__map(view, 7 * VIEW_SIZE, fd, PAGE, PAGE,
			       HUP_WIN_READ), 0);
	CHECK_EQ(hup_view__map(view, VIEW_SIZE - PAGE, fd, 2 * PAGE, PAGE,
			       HUP_WIN_READ | HUP_WIN_WRITE), 0);
	CHECK_EQ(hup_view__map(view, 0x200000, fd, 3 * PAGE, PAGE,
			       HUP_WIN_READ), 0);
	CHECK_EQ(guarded(view, base + VIEW_SIZE + 8, 0, 0, &r), 0);
	CHECK_EQ(r, 0x1111111111111111ull);
	CHECK_EQ(guarded(view, base - 8, 0, 0, &r), 0);
	CHECK_EQ(r, 0x1212121212121212ull);
	/* across the top: the last 4 bytes of page 2, the first of page 1 */
	CHECK_EQ(guarded(view, base + VIEW_SIZE - 4, 0, 0, &r), 0);
	CHECK_EQ(r, 0x1111111112121212ull);
	/* the same protection: a write through the lower copy lands in page
	 * 2, one through the upper copy of the read-only page 1 faults */
	CHECK_EQ(guarded(view, base - 16, 1, 0x4242, NULL), 0);
	CHECK_EQ(guarded(view, base + VIEW_SIZE - 16, 0, 0, &r), 0);
	CHECK_EQ(r, 0x4242);
	CHECK_EQ(guarded(view, base + VIEW_SIZE, 1, 1, NULL), -EFAULT);
	/* beyond the copied page: still a hole, as offset PAGE is */
	CHECK_EQ(guarded(view, base + VIEW_SIZE + PAGE, 0, 0, NULL), -EFAULT);
	CHECK_EQ(guarded(view, base - PAGE - 8, 0, 0, NULL), -EFAULT);
	/* unmapped: both copies go */
	CHECK_EQ(hup_view__unmap(view, 0, PAGE), 0);
	CHECK_EQ(hup_view__unmap(view, VIEW_SIZE - PAGE, PAGE), 0);
	CHECK_EQ(guarded(view, base + VIEW_SIZE + 8, 0, 0, NULL), -EFAULT);
	CHECK_EQ(guarded(view, base - 8, 0, 0, NULL), -EFAULT);
	CHECK_EQ(guarded(view, base + 0x200000, 0, 0, &r), 0);
	CHECK_EQ(r, 0x1313131313131313ull);
	/* a window that covers the whole first mirrored stretch and more */
	CHECK_EQ(hup_view__map(view, 0, fd, 0, 4 * PAGE, HUP_WIN_READ), 0);
	CHECK_EQ(guarded(view, base + VIEW_SIZE + 3 * PAGE, 0, 0, &r), 0);
	CHECK_EQ(r, 0x1313131313131313ull);
	hup_view__free(view);
	close(fd);
}

/* A run inside a run (a VMM callback running a program) is refused. */
struct nest {
	struct hup_view *view;
	int inner;
};

static uint64_t fn_nest(void *arg)
{
	struct nest *n = arg;
	uint64_t r;

	n->inner = hup_view__run_guarded(n->view, fn_nest, arg, &r);
	/* the refused inner run left the outer one intact */
	CHECK(hup_view__current() == n->view);
	return 7;
}

static void test_nested(void)
{
	struct nest n = {0};
	uint64_t r = 0;

	CHECK_EQ(hup_view__create(BITS, &n.view), 0);
	CHECK(hup_view__current() == NULL);
	CHECK_EQ(hup_view__run_guarded(n.view, fn_nest, &n, &r), 0);
	CHECK_EQ(n.inner, -EBUSY);
	CHECK_EQ(r, 7);
	CHECK(hup_view__current() == NULL);
	hup_view__free(n.view);
}

/* Guarded copies inside a run: a hole is a result, the run goes on. */
struct copy {
	struct hup_view *view;
	int err[4];
};

static uint64_t fn_copy(void *arg)
{
	struct copy *c = arg;
	uint8_t *base = hup_view__base(c->view);
	uint8_t buf[64];

	c->err[0] = hup_view__copy(c->view, buf, base + 0x1000, sizeof(buf));
	c->err[1] = hup_view__copy(c->view, buf, base + 0x5000, sizeof(buf));
	c->err[2] = hup_view__set(c->view, base + 0x1000, 0, 8); /* RO */
	c->err[3] = hup_view__copy(NULL, buf, base, 8);
	return buf[0];
}

/* Every length from 0 to 600 (the 8-byte, 16-byte and string paths and
 * their tails), from every offset of a 16-byte line, copies exactly its
 * bytes and no more; a copy whose last byte lies in a hole is -EFAULT. */
struct sweep {
	struct hup_view *view;
	int bad, faults_seen;
};

static uint64_t fn_sweep(void *arg)
{
	struct sweep *w = arg;
	uint8_t *base = hup_view__base(w->view), *src;
	uint8_t buf[640];

	for (size_t len = 0; len <= 600; len++)
		for (size_t at = 0; at < 16; at++) {
			src = base + 0x1000 + at;
			memset(buf, 0x5a, sizeof(buf));
			if (hup_view__copy(w->view, buf + 8, src, len) ||
			    memcmp(buf + 8, src, len) || buf[7] != 0x5a ||
			    buf[8 + len] != 0x5a)
				w->bad++;
		}
	/* the window is one page: its last byte, then one more */
	for (size_t len = 1; len <= 600; len += 7) {
		src = base + 0x2000 - len;
		if (hup_view__copy(w->view, buf, src, len))
			w->bad++;
		if (hup_view__copy(w->view, buf, src + 1, len) == -EFAULT)
			w->faults_seen++;
	}
	return 0;
}

static void test_copy_lengths(void)
{
	struct sweep w = {0};
	uint64_t r = 0;
	int fd = make_memfd(1);
	uint8_t page[PAGE];

	for (unsigned int i = 0; i < PAGE; i++)
		page[i] = (uint8_t)(i * 7 + i / 256);
	CHECK_EQ(pwrite(fd, page, PAGE, 0), PAGE);
	CHECK_EQ(hup_view__create(BITS, &w.view), 0);
	CHECK_EQ(hup_view__map(w.view, 0x1000, fd, 0, PAGE, HUP_WIN_READ), 0);
	CHECK_EQ(hup_view__run_guarded(w.view, fn_sweep, &w, &r), 0);
	CHECK_EQ(w.bad, 0);
	CHECK_EQ(w.faults_seen, 86);
	hup_view__free(w.view);
	close(fd);
}

static void test_copy(void)
{
	struct copy c = {0};
	uint8_t buf[8];
	uint64_t r = 0;
	int fd = make_memfd(1);

	CHECK_EQ(hup_view__create(BITS, &c.view), 0);
	CHECK_EQ(hup_view__map(c.view, 0x1000, fd, 0, PAGE, HUP_WIN_READ), 0);
	CHECK_EQ(hup_view__run_guarded(c.view, fn_copy, &c, &r), 0);
	CHECK_EQ(r, 0x10);
	CHECK_EQ(c.err[0], 0);
	CHECK_EQ(c.err[1], -EFAULT);
	CHECK_EQ(c.err[2], -EFAULT);
	CHECK_EQ(c.err[3], -EPERM);
	CHECK_EQ(hup_view__faults(c.view), 2);
	/* outside a run, copies refuse to touch the view */
	CHECK_EQ(hup_view__copy(c.view, buf, hup_view__base(c.view) + 0x1000,
				8), -EPERM);
	hup_view__free(c.view);
	close(fd);
}

#if defined(__x86_64__)
/* Fault with a stack pointer inside a hole: only the alt stack can run
 * the handler. */
static uint64_t fn_bad_stack(void *arg)
{
	__asm__ volatile("mov %0, %%rsp\n\tpushq $0" : : "r"(arg) : "memory");
	__builtin_unreachable();
}

static void test_broken_stack(void)
{
	struct hup_view *view;
	uint64_t r;

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	CHECK_EQ(hup_view__run_guarded(view, fn_bad_stack,
				       hup_view__base(view) + 0x800000, &r),
		 -EFAULT);
	CHECK_EQ(hup_view__faults(view), 1);
	hup_view__free(view);
}
#endif

static void *thread_faults(void *arg)
{
	struct hup_view *view = arg;
	int i;

	for (i = 0; i < 500; i++)
		if (guarded(view, hup_view__base(view) + (uint64_t)i * PAGE, 0,
			    0, NULL) != -EFAULT)
			return arg;
	return NULL;
}

static void test_threads(void)
{
	struct hup_view *view;
	pthread_t t[2];
	void *ret[2] = {0};
	int i;

	CHECK_EQ(hup_view__create(BITS, &view), 0);
	for (i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, thread_faults, view), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], &ret[i]);
	CHECK(!ret[0] && !ret[1]);
	CHECK_EQ(hup_view__faults(view), 1000);
	hup_view__free(view);
}

/* ------------------------------------------------ faults that are not ours */

static void exit_42(int sig)
{
	(void)sig;
	_exit(42);
}

/* Run child() in a fork; returns its wait status. */
static int in_child(void (*child)(void))
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		int null = open("/dev/null", O_WRONLY);

		setrlimit(RLIMIT_CORE, &no_core);
		/* a sanitizer's crash report is expected noise here */
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		child();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int died_of_segv(int status)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		return 1;
	/* a sanitizer's handler reports the crash and exits instead */
	return UNDER_ASAN && WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

static void *outside_page;

static uint64_t fn_touch_outside(void *arg)
{
	(void)arg;
	return *(volatile uint64_t *)outside_page;
}

static uint64_t fn_raise(void *arg)
{
	(void)arg;
	raise(SIGSEGV);
	return 0;
}

/* The process's own handler, installed before libhup's, still gets the
 * faults that are not the view's. */
static void child_chain(void)
{
	struct hup_view *view;
	uint64_t r;

	signal(SIGSEGV, exit_42);
	if (hup_view__create(BITS, &view))
		_exit(3);
	/* libhup's handler is in place now and recovers its own faults */
	if (guarded(view, hup_view__base(view), 0, 0, NULL) != -EFAULT)
		_exit(4);
	hup_view__run_guarded(view, fn_touch_outside, NULL, &r);
	_exit(5);
}

static void child_outside_run(void)
{
	struct hup_view *view;
	uint64_t r;

	if (hup_view__create(BITS, &view))
		_exit(3);
	hup_view__run_guarded(view, fn_touch_outside, NULL, &r);
	_exit(5);
}

static void child_not_running(void)
{
	struct hup_view *view;

	if (hup_view__create(BITS, &view))
		_exit(3);
	if (guarded(view, hup_view__base(view), 0, 0, NULL) != -EFAULT)
		_exit(4);
	/* the view itself, but no guarded run: a host bug */
	(void)*(volatile uint64_t *)(uintptr_t)hup_view__base(view);
	_exit(5);
}

static void child_raise(void)
{
	struct hup_view *view;
	uint64_t r;

	if (hup_view__create(BITS, &view))
		_exit(3);
	hup_view__run_guarded(view, fn_raise, NULL, &r);
	_exit(5);
}

static void test_not_swallowed_chain(void)
{
	int status = in_child(child_chain);

	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 42);
}

static void test_not_swallowed(void)
{
	int status;

	status = in_child(child_outside_run);
	CHECK(died_of_segv(status));
	status = in_child(child_not_running);
	CHECK(died_of_segv(status));
	status = in_child(child_raise);
	CHECK(died_of_segv(status));
}

int main(void)
{
	outside_page = mmap(NULL, PAGE, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (outside_page == MAP_FAILED)
		return 2;
	/* first, while this process has no libhup handler yet */
	RUN(test_not_swallowed_chain);
	RUN(test_create);
	RUN(test_map_args);
	RUN(test_collisions);
	RUN(test_many_ranges);
	RUN(test_guarded_access);
	RUN(test_mirrors);
	RUN(test_nested);
	RUN(test_copy);
	RUN(test_copy_lengths);
#if defined(__x86_64__)
	RUN(test_broken_stack);
#endif
	RUN(test_threads);
	RUN(test_not_swallowed);
	return check_exit();
}
