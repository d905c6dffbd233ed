/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest-memory view and its fault recovery (view.h, libhup.h,
 * docs/abi.md section 5).  A view is one PROT_NONE host reservation into
 * which guest windows are mapped page-granularly at base + (gva & mask); a
 * sorted list of mapped view ranges refuses windows that collide modulo the
 * view size.  A process-wide SIGSEGV/SIGBUS handler turns a fault inside
 * the view of the thread's active guarded run into an -EFAULT result, and
 * passes every other fault on untouched.
 */
#define _GNU_SOURCE
#include "view.h"

#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* A mapped run of view offsets, [start, end), page aligned. */
struct view_range {
	uint64_t start;
	uint64_t end;
};

struct hup_view {
	uint8_t *res;          /* the reservation, guards included */
	size_t res_len;
	uint8_t *base;         /* res + HUP_VIEW_GUARD: view offset 0 */
	uint64_t size;         /* 2^bits */
	uint64_t mask;         /* size - 1 */
	uint64_t faults;       /* atomic: faults recovered in this view */
	pthread_mutex_t lock;  /* map/unmap against each other */
	/* Sorted, disjoint and coalesced (no two ranges touch), so the list
	 * stays short when a VMM maps a window page by page. */
	struct view_range *ranges;
	size_t nr_ranges;
	size_t cap_ranges;
};

static uint64_t page_size(void)
{
	static uint64_t size;

	if (!size) {
		long ps = sysconf(_SC_PAGESIZE);

		size = ps > 0 ? (uint64_t)ps : 4096;
	}
	return size;
}

/* ------------------------------------------------------------ the view */

int hup_view__create(unsigned int mask_bits, struct hup_view **out)
{
	struct hup_view *view;
	void *res;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!mask_bits)
		mask_bits = HUP_VIEW_BITS_DEFAULT;
	if (mask_bits < HUP_VIEW_BITS_MIN || mask_bits > HUP_VIEW_BITS_MAX)
		return -EINVAL;
	view = calloc(1, sizeof(*view));
	if (!view)
		return -ENOMEM;
	view->size = (uint64_t)1 << mask_bits;
	view->mask = view->size - 1;
	view->res_len = view->size + 2 * (size_t)HUP_VIEW_GUARD;
	/*
	 * Address space only: no access, no commit charge.  The kernel may
	 * refuse a reservation this large (a sanitizer's shadow, a small
	 * vm.max_map_count or RLIMIT_AS): report -ENOMEM, the caller picks
	 * fewer bits.
	 */
	res = mmap(NULL, view->res_len, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		free(view);
		return -ENOMEM;
	}
	view->res = res;
	view->base = view->res + HUP_VIEW_GUARD;
	pthread_mutex_init(&view->lock, NULL);
	*out = view;
	return 0;
}

void hup_view__free(struct hup_view *view)
{
	if (!view)
		return;
	munmap(view->res, view->res_len);
	pthread_mutex_destroy(&view->lock);
	free(view->ranges);
	free(view);
}

uint64_t hup_view__mask(const struct hup_view *view)
{
	return view ? view->mask : 0;
}

uint64_t hup_view__faults(const struct hup_view *view)
{
	return view ? __atomic_load_n(&view->faults, __ATOMIC_RELAXED) : 0;
}

uint8_t *hup_view__base(const struct hup_view *view)
{
	return view ? view->base : NULL;
}

/* First range whose end is above start (the first that could overlap). */
static size_t ranges_find(const struct hup_view *view, uint64_t start)
{
	size_t lo = 0, hi = view->nr_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (view->ranges[mid].end > start)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool ranges_overlap(const struct hup_view *view, uint64_t start,
			   uint64_t end)
{
	size_t i = ranges_find(view, start);

	return i < view->nr_ranges && view->ranges[i].start < end;
}

/* Room for one more range (an insertion or a split). */
static int ranges_reserve(struct hup_view *view)
{
	struct view_range *grown;
	size_t cap;

	if (view->nr_ranges < view->cap_ranges)
		return 0;
	cap = view->cap_ranges ? 2 * view->cap_ranges : 16;
	grown = realloc(view->ranges, cap * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	view->ranges = grown;
	view->cap_ranges = cap;
	return 0;
}

/* Add [start, end), known not to overlap, merging with touching ranges. */
static void ranges_insert(struct hup_view *view, uint64_t start, uint64_t end)
{
	struct view_range *r = view->ranges;
	size_t lo, hi;

	/* lo: first range ending at or after start; hi: first starting
	 * after end.  r[lo, hi) touch the new range (at most two). */
	for (lo = ranges_find(view, start); lo > 0 && r[lo - 1].end == start;)
		lo--;
	for (hi = lo; hi < view->nr_ranges && r[hi].start <= end; hi++)
		;
	if (lo < hi) {
		if (r[lo].start < start)
			start = r[lo].start;
		if (r[hi - 1].end > end)
			end = r[hi - 1].end;
	}
	/* Replace r[lo, hi) by the one merged range. */
	memmove(&r[lo + 1], &r[hi], (view->nr_ranges - hi) * sizeof(*r));
	view->nr_ranges = view->nr_ranges - (hi - lo) + 1;
	r[lo].start = start;
	r[lo].end = end;
}

/* Remove [start, end) from the list; returns whether anything was mapped. */
static bool ranges_remove(struct hup_view *view, uint64_t start, uint64_t end)
{
	struct view_range *r = view->ranges;
	size_t i = ranges_find(view, start);
	bool found = false;

	while (i < view->nr_ranges && r[i].start < end) {
		found = true;
		if (r[i].start < start && r[i].end > end) {
			/* split; ranges_reserve() made room */
			memmove(&r[i + 2], &r[i + 1],
				(view->nr_ranges - i - 1) * sizeof(*r));
			view->nr_ranges++;
			r[i + 1].start = end;
			r[i + 1].end = r[i].end;
			r[i].end = start;
			break;
		}
		if (r[i].start < start) {
			r[i].end = start;
			i++;
		} else if (r[i].end > end) {
			r[i].start = end;
			break;
		} else {
			memmove(&r[i], &r[i + 1],
				(view->nr_ranges - i - 1) * sizeof(*r));
			view->nr_ranges--;
		}
	}
	return found;
}

/*
 * Checks shared by map and unmap: page alignment, a non-empty range, and a
 * range that ends inside the view (it does not wrap to offset 0: a window
 * crossing the top of the view would be split in two far-apart pieces).
 */
static int view_range_check(const struct hup_view *view, uint64_t gva,
			    uint64_t len, uint64_t *voff)
{
	uint64_t ps = page_size();

	if (!view || !len || (gva | len) & (ps - 1))
		return -EINVAL;
	*voff = gva & view->mask;
	if (len > view->size || *voff > view->size - len)
		return -EINVAL;
	return 0;
}

/* Put the reservation back over [at, at + len): a hole again. */
static int punch_at(uint8_t *at, uint64_t len)
{
	void *p = mmap(at, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/*
 * The guards mirror the view's ends (view.h): view offsets [0, GUARD) are
 * mapped again at [size, size + GUARD), and [size - GUARD, size) again at
 * [-GUARD, 0).  The parts of [voff, voff + len) that lie in those ends,
 * each as the view offsets [lo, hi) and where their copy starts; returns
 * how many (0..2).  The view has at least 2^HUP_VIEW_BITS_MIN bytes, so
 * the two ends never overlap.
 */
struct view_mirror {
	uint64_t lo, hi;
	uint8_t *at;
};

_Static_assert(2ull * HUP_VIEW_GUARD <= 1ull << HUP_VIEW_BITS_MIN,
	       "a view's two mirrored ends must not overlap");

static int view_mirrors(const struct hup_view *view, uint64_t voff,
			uint64_t len, struct view_mirror m[2])
{
	uint64_t end = voff + len, top = view->size - HUP_VIEW_GUARD;
	int n = 0;

	if (voff < HUP_VIEW_GUARD) {
		m[n].lo = voff;
		m[n].hi = end < HUP_VIEW_GUARD ? end : HUP_VIEW_GUARD;
		m[n].at = view->base + view->size + m[n].lo;
		n++;
	}
	if (end > top) {
		m[n].lo = voff > top ? voff : top;
		m[n].hi = end;
		m[n].at = view->res + (m[n].lo - top);
		n++;
	}
	return n;
}

/* [voff, voff + len) and its mirrors: holes again. */
static int view_punch(struct hup_view *view, uint64_t voff, uint64_t len)
{
	struct view_mirror m[2];
	int n = view_mirrors(view, voff, len, m), err;

	err = punch_at(view->base + voff, len);
	for (int k = 0; k < n; k++) {
		int e = punch_at(m[k].at, m[k].hi - m[k].lo);

		if (!err)
			err = e;
	}
	return err;
}

int hup_view__map(struct hup_view *view, uint64_t gva, int fd,
		  uint64_t offset, uint64_t len, unsigned int prot)
{
	unsigned int mprot = 0;
	uint64_t voff;
	void *p;
	int err;

	err = view_range_check(view, gva, len, &voff);
	if (err)
		return err;
	if (offset & (page_size() - 1) || offset > (uint64_t)INT64_MAX - len)
		return -EINVAL;
	if (!prot || prot & ~(HUP_WIN_READ | HUP_WIN_WRITE))
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (prot & HUP_WIN_READ)
		mprot |= PROT_READ;
	if (prot & HUP_WIN_WRITE)
		mprot |= PROT_WRITE;

	pthread_mutex_lock(&view->lock);
	if (ranges_overlap(view, voff, voff + len)) {
		err = -EADDRNOTAVAIL;
		goto out;
	}
	err = ranges_reserve(view);
	if (err)
		goto out;
	p = mmap(view->base + voff, len, (int)mprot, MAP_SHARED | MAP_FIXED,
		 fd, (off_t)offset);
	if (p != MAP_FAILED) {
		struct view_mirror m[2];
		int n = view_mirrors(view, voff, len, m);

		for (int k = 0; k < n && p != MAP_FAILED; k++)
			p = mmap(m[k].at, m[k].hi - m[k].lo, (int)mprot,
				 MAP_SHARED | MAP_FIXED, fd,
				 (off_t)(offset + (m[k].lo - voff)));
	}
	if (p == MAP_FAILED) {
		err = -errno;
		/*
		 * A failed MAP_FIXED may already have unmapped the target:
		 * re-reserve it, or something else could later be mapped
		 * inside the view.  If even that fails we are out of
		 * options; the range is then at least not ours to map.
		 */
		view_punch(view, voff, len);
		goto out;
	}
	ranges_insert(view, voff, voff + len);
out:
	pthread_mutex_unlock(&view->lock);
	return err;
}

int hup_view__unmap(struct hup_view *view, uint64_t gva, uint64_t len)
{
	uint64_t voff;
	int err;

	err = view_range_check(view, gva, len, &voff);
	if (err)
		return err;
	pthread_mutex_lock(&view->lock);
	if (!ranges_overlap(view, voff, voff + len)) {
		err = -ENOENT;
		goto out;
	}
	err = ranges_reserve(view); /* a split may need one more range */
	if (err)
		goto out;
	err = view_punch(view, voff, len);
	if (!err)
		ranges_remove(view, voff, voff + len);
out:
	pthread_mutex_unlock(&view->lock);
	return err;
}

/* ------------------------------------------------------- fault recovery */

/*
 * Per-thread run state.  initial-exec TLS lives in the static TLS block,
 * so reading it from the signal handler needs no lazy allocation and is
 * async-signal-safe even when libhup ends up in a shared object.  The
 * fields the handler reads are volatile: it runs asynchronously on this
 * same thread, between any two instructions of the run.
 */
struct view_thread {
	struct hup_view *volatile view; /* run's view, NULL if none */
	sigjmp_buf *volatile jb;        /* where a recovered fault resumes */
	sigjmp_buf *volatile run_jb;    /* the run's own: where it is abandoned */
	volatile sig_atomic_t active;   /* a guarded run is in progress */
	/* the run's code fixups (hup_view__code_fixups), nr 0: none */
	const uint8_t *volatile fx_base;
	const struct hup_code_fixup *volatile fx;
	volatile uint32_t fx_nr;
	sigset_t fault_mask;            /* signal mask when the fault hit */
	bool altstack_done;             /* this thread has an alt stack */
};

static __thread struct view_thread view_tls
	__attribute__((tls_model("initial-exec")));

/* sigsetjmp results of a guarded run: a recovered fault, an abandon. */
#define VIEW_JMP_FAULT 1
#define VIEW_JMP_ABANDON 2

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_err;
static struct sigaction old_segv, old_bus;
static pthread_key_t altstack_key;

/* Hand a fault that is not ours to whoever handled it before us. */
static void view_chain(int sig, siginfo_t *si, void *uctx)
{
	const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
	struct sigaction dfl;

	if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uctx);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	if (old->sa_handler == SIG_IGN && si->si_code <= 0)
		return; /* sent by kill() and ignored before we came */
	/*
	 * Default action.  A hardware fault repeats when we return and now
	 * kills the process with the right signal and core; one sent by
	 * kill() does not repeat, so send it again (it stays pending until
	 * the handler returns).
	 */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

#if defined(__x86_64__)
/*
 * A helper's copy into or out of the view (view_access), without a
 * recovery point of its own: a fault on one of its loads or stores (its
 * code lies between fx_begin and fx_end) resumes at fx_fixup, which
 * returns -EFAULT, and the run goes on.  This is the kernel's exception
 * table for copy_from_user, for one routine: a sigsetjmp per access (its
 * register save and pointer mangling) was a fifth of a query's helper
 * time.  Copies of 16 to 511 bytes move 16 at a time and end with the
 * last 16 (overlapping: every byte read or written lies in the range, so
 * a fault means what it meant), shorter ones 8 then 1 at a time, longer
 * ones `rep movsb` (fast strings, whose start-up costs more than a
 * log line's copy: dmesg's texts); memset is `rep stosb`.
 *
 *   int fx_copy(void *dst, const void *src, size_t len);   0 or -EFAULT
 *   int fx_set(void *dst, int byte, size_t len);
 */
int hup_view_fx_copy(void *dst, const void *src, size_t len);
int hup_view_fx_set(void *dst, int byte, size_t len);
extern const char hup_view_fx_begin[], hup_view_fx_end[], hup_view_fx_fixup[];
__asm__(".text\n"
	".p2align 4\n"
	".hidden hup_view_fx_copy\n"
	".hidden hup_view_fx_set\n"
	".hidden hup_view_fx_begin\n"
	".hidden hup_view_fx_end\n"
	".hidden hup_view_fx_fixup\n"
	".globl hup_view_fx_copy\n"
	".globl hup_view_fx_set\n"
	".globl hup_view_fx_begin\n"
	".globl hup_view_fx_end\n"
	".globl hup_view_fx_fixup\n"
	".type hup_view_fx_copy, @function\n"
	".type hup_view_fx_set, @function\n"
	"hup_view_fx_begin:\n"
	"hup_view_fx_copy:\n"
	"	cmp $16, %rdx\n"
	"	jb 2f\n"
	"	cmp $512, %rdx\n"
	"	jae 3f\n"
	/* 16 to 511 bytes: 16 at a time, then the last 16 (overlapping) */
	"	movups -16(%rsi,%rdx), %xmm1\n"
	"	lea -16(%rdi,%rdx), %r8\n"
	"1:	movups (%rsi), %xmm0\n"
	"	movups %xmm0, (%rdi)\n"
	"	add $16, %rsi\n"
	"	add $16, %rdi\n"
	"	sub $16, %rdx\n"
	"	cmp $16, %rdx\n"
	"	ja 1b\n"
	"	movups %xmm1, (%r8)\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	/* under 16: 8 at a time, then bytes */
	"2:	mov %rdx, %rcx\n"
	"	shr $3, %rcx\n"
	"	jz 6f\n"
	"	mov (%rsi), %rax\n"
	"	mov %rax, (%rdi)\n"
	"	add $8, %rsi\n"
	"	add $8, %rdi\n"
	"6:	and $7, %edx\n"
	"	jz 4f\n"
	"5:	movzbl (%rsi), %eax\n"
	"	mov %al, (%rdi)\n"
	"	inc %rsi\n"
	"	inc %rdi\n"
	"	dec %edx\n"
	"	jnz 5b\n"
	"4:	xor %eax, %eax\n"
	"	ret\n"
	/* 512 and more: the string move's start-up is then worth it */
	"3:	mov %rdx, %rcx\n"
	"	rep movsb\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	"hup_view_fx_set:\n"
	"	mov %esi, %eax\n"
	"	mov %rdx, %rcx\n"
	"	rep stosb\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	"hup_view_fx_end:\n"
	"hup_view_fx_fixup:\n"
	"	mov $-14, %eax\n" /* -EFAULT */
	"	ret\n"
	".size hup_view_fx_copy, hup_view_fx_set - hup_view_fx_copy\n"
	".size hup_view_fx_set, hup_view_fx_end - hup_view_fx_set\n");
_Static_assert(EFAULT == 14, "hup_view_fx_fixup returns -EFAULT");

/* Whether uctx's fault hit inside fx_copy/fx_set; if so, resume it at
 * fx_fixup. */
static bool view_fixup(void *uctx)
{
	ucontext_t *uc = uctx;
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];

	if (ip < (uintptr_t)hup_view_fx_begin ||
	    ip >= (uintptr_t)hup_view_fx_end)
		return false;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)hup_view_fx_fixup;
	return true;
}
#endif

#if defined(__x86_64__)
/* Whether uctx's fault hit a range of the run's generated code that has a
 * landing pad (hup_view__code_fixups); if so, resume there. */
static bool code_fixup(const struct view_thread *t, void *uctx)
{
	ucontext_t *uc = uctx;
	uintptr_t ip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	const struct hup_code_fixup *ent = t->fx;
	uintptr_t base = (uintptr_t)t->fx_base;
	uint32_t lo = 0, hi = t->fx_nr;

	if (!hi || ip < base || ip - base > UINT32_MAX)
		return false;
	ip -= base;
	while (lo < hi) { /* the last entry beginning at or before ip */
		uint32_t mid = lo + (hi - lo) / 2;

		if (ent[mid].begin <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || ip >= ent[lo - 1].end)
		return false;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(base + ent[lo - 1].pad);
	return true;
}
#endif

/* At every run's end: the handler reads nothing while fx_nr is 0. */
static void code_fixups_forget(struct view_thread *t)
{
	t->fx_nr = 0;
}

void hup_view__code_fixups(const void *base, const struct hup_code_fixup *ent,
			   uint32_t nr)
{
	struct view_thread *t = &view_tls;

	if (!t->active)
		return;
	/* nr last: the handler reads nothing while it is 0 */
	t->fx_nr = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->fx_base = base;
	t->fx = ent;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->fx_nr = ent ? nr : 0;
}

static void view_fault(int sig, siginfo_t *si, void *uctx)
{
	struct view_thread *t = &view_tls;
	struct hup_view *view = t->view;

	/*
	 * Ours only if a guarded run is active on this thread, the fault
	 * was raised by the hardware (si_code > 0; kill() cannot fake one)
	 * and the address is inside the run's reservation.
	 */
	if (t->active && view && si->si_code > 0 &&
	    (uintptr_t)si->si_addr - (uintptr_t)view->res < view->res_len) {
		const ucontext_t *uc = uctx;

#if defined(__x86_64__)
		/* A helper's copy: it returns -EFAULT; returning from here
		 * restores the mask the run had. */
		if (view_fixup(uctx) || code_fixup(t, uctx)) {
			__atomic_fetch_add(&view->faults, 1, __ATOMIC_RELAXED);
			return;
		}
#endif
		/* Our handler blocks SIGSEGV and SIGBUS; leaving by
		 * siglongjmp(jb, 0) keeps that mask, so the resume path
		 * restores the one the run had. */
		t->fault_mask = uc->uc_sigmask;
		siglongjmp(*t->jb, VIEW_JMP_FAULT);
	}
	view_chain(sig, si, uctx);
}

static void altstack_free(void *mem)
{
	uint64_t ps = page_size();
	stack_t cur, off;

	/* Called at thread exit: switch the stack off if it is still ours. */
	if (!sigaltstack(NULL, &cur) && cur.ss_sp == (uint8_t *)mem + ps) {
		memset(&off, 0, sizeof(off));
		off.ss_flags = SS_DISABLE;
		sigaltstack(&off, NULL);
	}
	munmap(mem, HUP_VIEW_ALTSTACK_SIZE + ps);
}

static void handler_install(void)
{
	struct sigaction sa;

	handler_err = -pthread_key_create(&altstack_key, altstack_free);
	if (handler_err)
		return;
	/* Read the previous handlers first so view_fault never sees them
	 * half written. */
	if (sigaction(SIGSEGV, NULL, &old_segv) ||
	    sigaction(SIGBUS, NULL, &old_bus)) {
		handler_err = -errno;
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = view_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	/* Every signal blocked while it runs: an asynchronous one (the run
	 * budget's) must not nest into it and abandon the run from there,
	 * with the handler's mask as the one to restore. */
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		handler_err = -errno;
}

/*
 * Give this thread an alternate signal stack, so a fault is handled even
 * when the faulting code's own stack is unusable.  A thread that already
 * has one (the application's, a sanitizer's) keeps it.
 */
static int altstack_setup(struct view_thread *t)
{
	uint64_t ps = page_size();
	stack_t cur, ss;
	uint8_t *mem;

	if (t->altstack_done)
		return 0;
	if (sigaltstack(NULL, &cur))
		return -errno;
	if (!(cur.ss_flags & SS_DISABLE)) {
		t->altstack_done = true;
		return 0;
	}
	mem = mmap(NULL, HUP_VIEW_ALTSTACK_SIZE + ps, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
		   -1, 0);
	if (mem == MAP_FAILED)
		return -ENOMEM;
	/* a guard page below: an overflow of the alt stack faults cleanly */
	if (mprotect(mem, ps, PROT_NONE))
		goto fail;
	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = mem + ps;
	ss.ss_size = HUP_VIEW_ALTSTACK_SIZE;
	if (sigaltstack(&ss, NULL))
		goto fail;
	if (pthread_setspecific(altstack_key, mem)) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
		goto fail;
	}
	t->altstack_done = true;
	return 0;
fail:
	munmap(mem, HUP_VIEW_ALTSTACK_SIZE + ps);
	return -ENOMEM;
}

/* The recovery path of both guarded forms: restore the run's mask, count. */
static void view_recovered(struct view_thread *t, struct hup_view *view)
{
	pthread_sigmask(SIG_SETMASK, &t->fault_mask, NULL);
	__atomic_fetch_add(&view->faults, 1, __ATOMIC_RELAXED);
}

int hup_view__run_guarded(struct hup_view *view, uint64_t (*fn)(void *arg),
			  void *arg, uint64_t *ret)
{
	struct view_thread *t = &view_tls;
	sigjmp_buf jb;
	uint64_t r;
	int err;

	if (!fn)
		return -EINVAL;
	if (t->active)
		return -EBUSY;
	pthread_once(&handler_once, handler_install);
	if (handler_err)
		return handler_err;
	err = altstack_setup(t);
	if (err)
		return err;

	t->view = view;
	t->jb = &jb;
	t->run_jb = &jb;
	/* savemask 0: no sigprocmask syscall per run; the (rare) fault and
	 * abandon paths restore the mask themselves. */
	switch (sigsetjmp(jb, 0)) {
	case 0:
		break;
	case VIEW_JMP_ABANDON:
		t->active = 0;
		code_fixups_forget(t);
		t->view = NULL;
		t->jb = NULL;
		t->run_jb = NULL;
		pthread_sigmask(SIG_SETMASK, &t->fault_mask, NULL);
		return -ETIMEDOUT;
	default: {
		struct hup_view *v = t->view;

		t->active = 0;
		code_fixups_forget(t);
		t->view = NULL;
		t->jb = NULL;
		t->run_jb = NULL;
		view_recovered(t, v);
		return -EFAULT;
	}
	}
	t->active = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	r = fn(arg);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->active = 0;
	code_fixups_forget(t);
	t->view = NULL;
	t->jb = NULL;
	t->run_jb = NULL;
	if (ret)
		*ret = r;
	return 0;
}

void hup_view__abandon(const void *uctx)
{
	struct view_thread *t = &view_tls;

	if (!t->active || !t->run_jb)
		return;
	/* The mask the run had: from the signal's context, or the current
	 * one when called from the run's own code. */
	if (uctx)
		t->fault_mask = ((const ucontext_t *)uctx)->uc_sigmask;
	else
		pthread_sigmask(SIG_SETMASK, NULL, &t->fault_mask);
	siglongjmp(*t->run_jb, VIEW_JMP_ABANDON);
}

struct hup_view *hup_view__current(void)
{
	return view_tls.active ? view_tls.view : NULL;
}

/*
 * One helper access (memcpy from src, or memset with byte when src is
 * NULL): a fault inside the view makes it return -EFAULT instead of ending
 * the run (x86-64: the fixup of fx_copy/fx_set; elsewhere a nested
 * recovery point).
 */
static int view_access(struct hup_view *view, void *dst, const void *src,
		       int byte, size_t len)
{
	struct view_thread *t = &view_tls;
#if !defined(__x86_64__)
	sigjmp_buf jb, *outer;
#endif

	if (!view || !t->active || t->view != view)
		return -EPERM;
#if defined(__x86_64__)
	return src ? hup_view_fx_copy(dst, src, len)
		   : hup_view_fx_set(dst, byte, len);
#else
	outer = t->jb;
	if (sigsetjmp(jb, 0)) {
		t->jb = outer;
		view_recovered(t, view);
		return -EFAULT;
	}
	t->jb = &jb;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (src)
		memcpy(dst, src, len);
	else
		memset(dst, byte, len);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->jb = outer;
	return 0;
#endif
}

int hup_view__copy(struct hup_view *view, void *dst, const void *src,
		   size_t len)
{
	if (!src)
		return -EINVAL;
	return view_access(view, dst, src, 0, len);
}

int hup_view__set(struct hup_view *view, void *dst, int byte, size_t len)
{
	return view_access(view, dst, NULL, byte, len);
}
