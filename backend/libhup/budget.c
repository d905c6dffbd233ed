/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run-time budget's watchdog and signal handler (budget.h): a registry
 * of the threads that run budgeted programs, one detached thread that
 * signals those whose run is past its deadline, and the handler that
 * turns that signal into an abandoned run (-ETIMEDOUT) when, and only
 * when, the thread's current run really is overdue and not inside a VMM
 * callback.  The handler and watchdog are set up lazily (first load of a
 * budgeted program, first budgeted run), so a process that never runs
 * programs pays nothing.
 */
#define _GNU_SOURCE
#include "budget.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <hup/libhup.h>

#include "clock.h"
#include "view.h"

__thread struct hup_budget_thread *hup_budget_tls
	__attribute__((tls_model("initial-exec")));

uint32_t hup_budget_idle;

static struct {
	pthread_mutex_t lock;           /* everything below but min_ns */
	struct hup_budget_thread *head; /* registered threads */
	struct hup_budget_thread *orphan; /* the forking thread's, in a child */
	bool frozen;                    /* signal chosen, handler installed */
	bool signo_set;                 /* by hup_set_budget_signal */
	bool running;                   /* the watchdog exists (this process) */
	int signo;                      /* 0: budgets off */
	uint64_t min_ns;                /* smallest budget noted (atomic) */
} wd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.min_ns = UINT64_MAX,
};

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static int setup_err;
static pthread_key_t thread_key;
static struct sigaction old_action;

/* Deadlines are on the run clock (clock.h), like the runs that set them. */
static uint64_t now_ns(void)
{
	return hup_clock__ns();
}

int hup_set_budget_signal(int signo)
{
	int err = 0;

	if (signo && (signo < SIGRTMIN || signo > SIGRTMAX))
		return -EINVAL;
	pthread_mutex_lock(&wd.lock);
	if (wd.frozen) {
		err = -EBUSY;
	} else {
		wd.signo = signo;
		wd.signo_set = true;
	}
	pthread_mutex_unlock(&wd.lock);
	return err;
}

/* ------------------------------------------------------------ the handler */

/*
 * Asynchronous, on the thread the watchdog chose.  Everything it reads is
 * this thread's own (initial-exec TLS, the record only its owner writes)
 * and clock_gettime is async-signal-safe.
 */
static void budget_signal(int sig, siginfo_t *si, void *uctx)
{
	struct hup_budget_thread *b = hup_budget_tls;
	int saved_errno = errno;
	uint64_t d;

	/* Not from our watchdog (tgkill from this process): not ours. */
	if (si->si_code != SI_TKILL || si->si_pid != getpid()) {
		if (old_action.sa_flags & SA_SIGINFO)
			old_action.sa_sigaction(sig, si, uctx);
		else if (old_action.sa_handler != SIG_DFL &&
			 old_action.sa_handler != SIG_IGN)
			old_action.sa_handler(sig);
		goto out;
	}
	if (!b)
		goto out;
	/* Late: the overdue run ended, maybe another began since. */
	d = b->deadline;
	if (!d || now_ns() < d)
		goto out;
	if (b->hold) {
		b->pending = 1; /* hup_budget__release aborts */
		goto out;
	}
	/* Does not return if a guarded run is active. */
	hup_view__abandon(uctx);
out:
	errno = saved_errno;
}

void hup_budget__expire(void)
{
	struct hup_budget_thread *b = hup_budget_tls;

	if (!b)
		return;
	b->pending = 0;
	hup_view__abandon(NULL);
}

/* ------------------------------------------------------------ the registry */

static void registry_unlink(struct hup_budget_thread *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else if (wd.head == b)
		wd.head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	b->prev = b->next = NULL;
}

/* Thread exit (the key's destructor): the watchdog must forget its tid
 * before the thread is gone, so a tgkill never reaches a reused tid. */
static void thread_gone(void *arg)
{
	struct hup_budget_thread *b = arg;

	pthread_mutex_lock(&wd.lock);
	registry_unlink(b);
	pthread_mutex_unlock(&wd.lock);
	if (hup_budget_tls == b)
		hup_budget_tls = NULL;
	free(b);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&wd.lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&wd.lock);
}

/*
 * In a child only the forking thread exists and no watchdog runs.  Its
 * record stays allocated (a run may be in progress up the stack) but is
 * dropped from the registry, so its next run registers afresh (new tid)
 * and starts a watchdog for the child.
 */
static void atfork_child(void)
{
	struct hup_budget_thread *b = wd.head, *next;

	for (; b; b = next) {
		next = b->next;
		if (b == hup_budget_tls)
			continue;
		free(b);
	}
	wd.head = NULL;
	if (hup_budget_tls) {
		hup_budget_tls->prev = hup_budget_tls->next = NULL;
		free(wd.orphan);
		wd.orphan = hup_budget_tls;
		hup_budget_tls = NULL;
		pthread_setspecific(thread_key, NULL);
	}
	wd.running = false;
	pthread_mutex_init(&wd.lock, NULL);
}

static void budget_setup(void)
{
	struct sigaction sa;
	int signo;

	pthread_mutex_lock(&wd.lock);
	wd.frozen = true;
	if (!wd.signo_set)
		wd.signo = SIGRTMIN + HUP_BUDGET_SIGNAL_OFFSET;
	signo = wd.signo;
	pthread_mutex_unlock(&wd.lock);
	if (!signo)
		return;
	setup_err = -pthread_key_create(&thread_key, thread_gone);
	if (setup_err)
		return;
	setup_err = -pthread_atfork(atfork_prepare, atfork_parent,
				    atfork_child);
	if (setup_err)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = budget_signal;
	/*
	 * SA_RESTART: a signal that races into VMM code (after a run, or into
	 * an env callback) restarts the interrupted system call rather than
	 * failing it with EINTR.  All signals blocked while it runs: none
	 * may nest into it and be abandoned with it.
	 */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(signo, &sa, &old_action))
		setup_err = -errno;
}

int hup_budget__setup(bool *enabled)
{
	pthread_once(&setup_once, budget_setup);
	*enabled = !setup_err && wd.signo;
	return setup_err;
}

void hup_budget__note(uint64_t budget_ns)
{
	uint64_t cur = __atomic_load_n(&wd.min_ns, __ATOMIC_RELAXED);

	while (budget_ns < cur &&
	       !__atomic_compare_exchange_n(&wd.min_ns, &cur, budget_ns, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

/* ------------------------------------------------------------ the watchdog */

/* Runs started by all registered threads; wd.lock held. */
static uint64_t runs_started_locked(void)
{
	struct hup_budget_thread *b;
	uint64_t runs = 0;

	for (b = wd.head; b; b = b->next)
		runs += __atomic_load_n(&b->runs, __ATOMIC_RELAXED);
	return runs;
}

/*
 * One scan: signal every thread whose run is overdue, still on CPU (see
 * HUP_BUDGET_CPU_NS) and not in a VMM callback, and return when to scan
 * next: the earliest deadline seen, soon again while a run is overdue, or,
 * for runs that start after this scan, now plus the smallest budget in use
 * (none of those can expire sooner), stretched while no run starts at all
 * (HUP_BUDGET_TICK_IDLE_MAX_NS).
 */
static uint64_t watchdog_scan(pid_t pid, bool *stretched, uint64_t *runs_seen)
{
	/* The watchdog's own state across scans (one watchdog thread). */
	static uint64_t last_runs;
	static unsigned int idle_scans;
	uint64_t now = now_ns(), next, min_ns, runs, tick;
	struct hup_budget_thread *b;

	min_ns = __atomic_load_n(&wd.min_ns, __ATOMIC_RELAXED);
	if (min_ns < HUP_BUDGET_TICK_MIN_NS)
		min_ns = HUP_BUDGET_TICK_MIN_NS;
	if (min_ns > 1000000000u)
		min_ns = 1000000000u; /* none noted yet: no overflow below */
	pthread_mutex_lock(&wd.lock);
	runs = runs_started_locked();
	if (runs != last_runs)
		idle_scans = 0;
	else if (idle_scans < 32)
		idle_scans++;
	last_runs = runs;
	*runs_seen = runs;
	tick = min_ns;
	for (unsigned int i = 0;
	     i < idle_scans && tick < HUP_BUDGET_TICK_IDLE_MAX_NS; i++)
		tick *= 2;
	next = now + tick;
	*stretched = tick > min_ns;
	for (b = wd.head; b; b = b->next) {
		uint64_t d = __atomic_load_n(&b->deadline, __ATOMIC_RELAXED);
		uint64_t cpu;

		if (!d)
			continue;
		if (now < d) {
			if (d < next)
				next = d;
			continue;
		}
		if (now + HUP_BUDGET_RESEND_NS < next)
			next = now + HUP_BUDGET_RESEND_NS;
		/* Overdue on the wall clock; abandon it only once it has also
		 * burnt CPU since we first noticed (not merely preempted). */
		cpu = hup_clock__read_ns(b->cpu_clock);
		if (b->seen_deadline != d) {
			b->seen_deadline = d;
			b->seen_cpu_ns = cpu;
			continue;
		}
		if (cpu - b->seen_cpu_ns < HUP_BUDGET_CPU_NS)
			continue;
		/* Under the lock: the thread cannot have exited (thread_gone
		 * unlinks it first), so the tid is still its own. */
		if (!__atomic_load_n(&b->hold, __ATOMIC_RELAXED))
			syscall(SYS_tgkill, pid, b->tid, wd.signo);
	}
	pthread_mutex_unlock(&wd.lock);
	return next;
}

static uint64_t runs_started(void)
{
	uint64_t runs;

	pthread_mutex_lock(&wd.lock);
	runs = runs_started_locked();
	pthread_mutex_unlock(&wd.lock);
	return runs;
}

/*
 * Sleep until next (run clock).  A stretched (idle) sleep raises
 * hup_budget_idle and waits on it as a futex, so the first run to start
 * wakes the watchdog at once (hup_budget__kick) and is watched at its
 * deadline, not up to HUP_BUDGET_TICK_IDLE_MAX_NS later.
 */
static void watchdog_sleep(uint64_t next, bool stretched, uint64_t runs)
{
	uint64_t now = now_ns(), rel = next > now ? next - now : 0;
	struct timespec ts = {
		.tv_sec = (time_t)(rel / 1000000000u),
		.tv_nsec = (long)(rel % 1000000000u),
	};

	if (!rel)
		return;
	if (!stretched) {
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		return;
	}
	__atomic_store_n(&hup_budget_idle, 1, __ATOMIC_SEQ_CST);
	/* A run that started since the scan, before it could see the flag,
	 * is watched now.  (One whose runs store is still in its CPU's
	 * store buffer at this instant can slip through: the window is
	 * tens of ns per idle sleep, and closing it would cost every run
	 * a fence.) */
	if (runs_started() == runs)
		syscall(SYS_futex, &hup_budget_idle, FUTEX_WAIT_PRIVATE, 1, &ts,
			NULL, 0);
	__atomic_store_n(&hup_budget_idle, 0, __ATOMIC_RELAXED);
}

void hup_budget__kick(void)
{
	if (__atomic_exchange_n(&hup_budget_idle, 0, __ATOMIC_RELAXED))
		syscall(SYS_futex, &hup_budget_idle, FUTEX_WAKE_PRIVATE, 1,
			NULL, NULL, 0);
}

static void *watchdog(void *arg)
{
	pid_t pid = getpid();

	(void)arg;
	for (;;) {
		bool stretched;
		uint64_t runs;
		uint64_t next = watchdog_scan(pid, &stretched, &runs);

		watchdog_sleep(next, stretched, runs);
	}
	return NULL;
}

/* Called with wd.lock held. */
static int watchdog_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;
	int err;

	if (wd.running)
		return 0;
	/* The watchdog must take none of the VMM's process-directed
	 * signals: it inherits a full mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64u * 1024u);
	err = -pthread_create(&th, &attr, watchdog, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return err;
#ifdef __GLIBC__
	pthread_setname_np(th, "hup-budget");
#endif
	wd.running = true;
	return 0;
}

int hup_budget__register(struct hup_budget_thread **out)
{
	struct hup_budget_thread *b;
	sigset_t set;
	bool enabled;
	int err;

	*out = NULL;
	err = hup_budget__setup(&enabled);
	if (err)
		return err;
	if (!enabled)
		return -EOPNOTSUPP;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->tid = (pid_t)syscall(SYS_gettid);
	err = -pthread_getcpuclockid(pthread_self(), &b->cpu_clock);
	if (err)
		goto fail;
	/* A vCPU thread may block most signals; ours must get through. */
	sigemptyset(&set);
	sigaddset(&set, wd.signo);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	pthread_mutex_lock(&wd.lock);
	err = watchdog_start();
	if (!err) {
		b->next = wd.head;
		if (wd.head)
			wd.head->prev = b;
		wd.head = b;
	}
	pthread_mutex_unlock(&wd.lock);
	if (err)
		goto fail;
	err = -pthread_setspecific(thread_key, b);
	if (err) {
		pthread_mutex_lock(&wd.lock);
		registry_unlink(b);
		pthread_mutex_unlock(&wd.lock);
		goto fail;
	}
	hup_budget_tls = b;
	*out = b;
	return 0;
fail:
	free(b);
	return err;
}
