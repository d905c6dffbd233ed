// SPDX-License-Identifier: BSD-2-Clause
/*
 * vCPU threads and the run loop (see vcpu.h).  The loop treats the guest
 * as hostile: every exit goes through the validating decoder, port and
 * MMIO accesses reach devices only through the bus (which bounds them),
 * and anything unexpected stops the VM with a report, never a hang and
 * never an abort of the host process.
 */
#include "vcpu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <errno.h>
#include <time.h>

#include <hyperupcall/abi.h>

#include "arch.h"
#include "clock.h"
#include "hyperupcall/backend.h"
#include "log.h"
#include "vm.h"

#define VCPU_UNCLAIMED_LOG_MAX 32u

static __thread struct kvm_run *tls_run;
static __thread struct vcpu *tls_vcpu;

struct vcpu *vcpu__current(void)
{
	return tls_vcpu;
}

static void kick_handler(int sig)
{
	(void)sig;
	if (tls_run)
		tls_run->immediate_exit = 1;
}

int vcpu__signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int vcpu__create(struct vm *vm, struct vcpu *v, uint32_t id)
{
	void *run;
	int err;

	memset(v, 0, sizeof(*v));
	v->kvm_exits.fd = -1;
	v->vm = vm;
	v->id = id;
	atomic_init(&v->exits, 0);
	pthread_mutex_init(&v->pause_lock, NULL);
	pthread_cond_init(&v->pause_cond, NULL);
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return -errno;
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   v->fd, 0);
	if (run == MAP_FAILED) {
		err = -errno;
		goto close_fd;
	}
	v->run = run;
	/* Only statistics: a kernel without binary stats (before 5.14)
	 * runs the guest all the same (kvm_exits stays closed, fd -1). */
	(void)kvmstats__open_vcpu(&v->kvm_exits, v->fd, "exits");
	return 0;

close_fd:
	close(v->fd);
	v->fd = -1;
	return err;
}

static void report(struct vcpu *v, const char *what)
{
	pr_err("vCPU %u: %s; registers:", v->id, what);
	arch__dump_vcpu(v, stderr);
	fflush(stderr);
}

/* Unclaimed accesses are normal (probes of absent hardware); the first
 * few are logged at debug level to help bring up new guests. */
static void note_unclaimed(struct vcpu *v, const char *bus, bool write,
			   uint64_t addr, uint32_t size)
{
	static atomic_uint logged;

	if (log__level() < LOG_DEBUG ||
	    atomic_fetch_add(&logged, 1) >= VCPU_UNCLAIMED_LOG_MAX)
		return;
	pr_debug("vCPU %u: unclaimed %s %s of %u byte(s) at %#llx", v->id, bus,
		 write ? "write" : "read", size, (unsigned long long)addr);
}

static void io_access(struct vcpu *v, const struct exit_action *act)
{
	uint8_t *data = (uint8_t *)v->run + act->io.data_off;
	bool write = act->kind == EXIT_IO_OUT, ok;

	/* rep ins/outs: count elements, all at the same port. */
	for (uint32_t i = 0; i < act->io.count; i++, data += act->io.size) {
		if (write)
			ok = bus__write(&v->vm->pio, (int)v->id, act->io.port,
					data, act->io.size);
		else
			ok = bus__read(&v->vm->pio, (int)v->id, act->io.port,
				       data, act->io.size);
		if (!ok)
			note_unclaimed(v, "port", write, act->io.port,
				       act->io.size);
	}
}

static int system_event(struct vcpu *v, const struct exit_action *act)
{
	switch (act->sys.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm__stop(v->vm, VM_STOP_POWEROFF, (int)v->id);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm__stop(v->vm, VM_STOP_REBOOT, (int)v->id);
		break;
	default:
		pr_err("vCPU %u: system event %u", v->id, act->sys.type);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		break;
	}
	return -1;
}

static int internal_error(struct vcpu *v, const struct exit_action *act)
{
	char what[160];
	int n;

	n = snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR suberror %u",
		     act->internal.suberror);
	for (uint32_t i = 0;
	     i < act->internal.ndata && n > 0 && (size_t)n < sizeof(what); i++)
		n += snprintf(what + n, sizeof(what) - (size_t)n,
			      " data[%u]=%#llx", i,
			      (unsigned long long)act->internal.data[i]);
	report(v, what);
	vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
	return -1;
}

int vcpu__handle(struct vcpu *v, const struct exit_action *act)
{
	char what[128];

	switch (act->kind) {
	case EXIT_IO_IN:
	case EXIT_IO_OUT:
		io_access(v, act);
		return 0;
	case EXIT_MMIO_READ:
		if (!bus__read(&v->vm->mmio, (int)v->id, act->mmio.gpa,
			       v->run->mmio.data, act->mmio.len))
			note_unclaimed(v, "MMIO", false, act->mmio.gpa,
				       act->mmio.len);
		return 0;
	case EXIT_MMIO_WRITE:
		if (!bus__write(&v->vm->mmio, (int)v->id, act->mmio.gpa,
				act->mmio.data, act->mmio.len))
			note_unclaimed(v, "MMIO", true, act->mmio.gpa,
				       act->mmio.len);
		return 0;
	case EXIT_RESUME:
		return 0;
	case EXIT_SHUTDOWN:
		/* On AMD, KVM re-INITs the vCPU before reporting a shutdown,
		 * so the registers shown are the post-INIT ones there. */
		report(v, "triple fault (KVM_EXIT_SHUTDOWN; on AMD, KVM has "
			  "re-INITed the vCPU)");
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	case EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what),
			 "VM entry failed (KVM_EXIT_FAIL_ENTRY), hardware "
			 "reason %#llx on cpu %u",
			 (unsigned long long)act->fail.hw_reason,
			 act->fail.cpu);
		report(v, what);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	case EXIT_INTERNAL_ERROR:
		return internal_error(v, act);
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		return arch__msr_exit(v, act);
	case EXIT_SYSTEM_EVENT:
		return system_event(v, act);
	case EXIT_BAD:
		snprintf(what, sizeof(what), "malformed %s exit: %s",
			 exit__reason_name(act->reason), act->why);
		report(v, what);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	case EXIT_HLT:
	case EXIT_UNKNOWN:
	default:
		snprintf(what, sizeof(what), "unexpected exit %u (KVM_EXIT_%s)",
			 act->reason, exit__reason_name(act->reason));
		report(v, what);
		vm__stop(v->vm, VM_STOP_FAULT, (int)v->id);
		return -1;
	}
}

/* The hyperupcall trace reason and arguments of a handled exit. */
static uint32_t trace_args(const struct vcpu *v, const struct exit_action *act,
			   uint64_t arg[4])
{
	const uint8_t *data;

	arg[0] = arg[1] = arg[2] = arg[3] = 0;
	switch (act->kind) {
	case EXIT_IO_IN:
	case EXIT_IO_OUT:
		/* the first element: after handling, also for reads */
		data = (const uint8_t *)v->run + act->io.data_off;
		arg[0] = act->io.port;
		arg[1] = act->io.size;
		arg[2] = bus__get_le(data, act->io.size);
		arg[3] = act->kind == EXIT_IO_OUT;
		return HUP_EXIT_IO;
	case EXIT_MMIO_READ:
	case EXIT_MMIO_WRITE:
		arg[0] = act->mmio.gpa;
		arg[1] = act->mmio.len;
		arg[2] = bus__get_le(act->kind == EXIT_MMIO_READ
					 ? v->run->mmio.data
					 : act->mmio.data,
				     act->mmio.len);
		arg[3] = act->kind == EXIT_MMIO_WRITE;
		return HUP_EXIT_MMIO;
	case EXIT_MSR_READ:
		arg[0] = act->msr.index;
		arg[2] = v->run->msr.data;
		return HUP_EXIT_MSR_READ;
	case EXIT_MSR_WRITE:
		arg[0] = act->msr.index;
		arg[2] = act->msr.data;
		return HUP_EXIT_MSR_WRITE;
	case EXIT_HLT:
		return HUP_EXIT_HLT;
	default:
		arg[0] = act->reason;
		return HUP_EXIT_OTHER;
	}
}

static void trace(struct vcpu *v, uint32_t kind, uint32_t reason,
		  const uint64_t arg[4])
{
	if (backend__tracing(v->vm->hup))
		backend__trace(v->vm->hup, v->id, kind, reason, arg);
}

/*
 * Parked between two KVM_RUNs until vcpu__resume (or the VM stops):
 * trace PAUSE, wait, trace RESUME (arg0 = ns paused), run the resume
 * programs and do what they ask before the next entry.
 */
static void park(struct vcpu *v)
{
	uint64_t arg[4] = {0, 0, 0, 0}, t0, paused_ns;
	uint32_t actions = 0;

	trace(v, HUP_TRACE_PAUSE, 0, arg);
	arch__parking(v);
	t0 = hupvm_now_ns();
	pthread_mutex_lock(&v->pause_lock);
	v->paused = true;
	pthread_cond_broadcast(&v->pause_cond);
	while (v->pause_req && !vm__stopping(v->vm))
		pthread_cond_wait(&v->pause_cond, &v->pause_lock);
	v->paused = false;
	v->pause_req = false;
	pthread_cond_broadcast(&v->pause_cond);
	pthread_mutex_unlock(&v->pause_lock);
	if (vm__stopping(v->vm))
		return;
	paused_ns = hupvm_now_ns() - t0;
	arg[0] = paused_ns;
	trace(v, HUP_TRACE_RESUME, 0, arg);
	if (v->vm->hup)
		actions = backend__resume(v->vm->hup, v->id, paused_ns);
	actions |= atomic_exchange(&v->entry_actions, 0);
	if (actions & HUP_ENTRY_FLUSH_TLB) {
		int err = arch__flush_tlb(v);

		if (err)
			pr_warn("vCPU %u: TLB flush on entry: %s", v->id,
				strerror(-err));
		else
			atomic_fetch_add(&v->tlb_flushes, 1);
	}
}

static bool pause_requested(struct vcpu *v)
{
	return __atomic_load_n(&v->pause_req, __ATOMIC_ACQUIRE);
}

static void *vcpu_loop(void *arg)
{
	struct vcpu *v = arg;
	struct exit_action act;
	uint64_t targ[4];
	uint32_t reason;
	sigset_t set;

	tls_run = v->run;
	tls_vcpu = v;
	atomic_store(&v->tid, (int)gettid());
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!vm__stopping(v->vm)) {
		if (pause_requested(v)) {
			park(v);
			continue;
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			pr_err("vCPU %u: KVM_RUN: %s", v->id, strerror(errno));
			report(v, "KVM_RUN failed");
			vm__stop(v->vm, VM_STOP_ERROR, (int)v->id);
			break;
		}
		atomic_fetch_add_explicit(&v->exits, 1, memory_order_relaxed);
		if (exit__decode(v->run, v->vm->run_size, &act) < 0 ||
		    vcpu__handle(v, &act) < 0)
			break;
		reason = trace_args(v, &act, targ);
		atomic_fetch_add_explicit(&v->by_reason[reason], 1,
					  memory_order_relaxed);
		trace(v, HUP_TRACE_EXIT, reason, targ);
	}
	return NULL;
}

/*
 * A vCPU that did not park in time: say where its thread is, so the log
 * tells a guest spinning inside KVM_RUN that the host kernel did not
 * interrupt (state R) from a thread blocked elsewhere (S or D, wchan).
 */
int vcpu__parse_stat(const char *line, char *state, int *cpu)
{
	/* after the last ')' (the name may hold spaces and parentheses):
	 * the state (field 3), then the processor 36 fields later (39) */
	const char *p = strrchr(line, ')');
	int field = 3;

	*state = '?';
	*cpu = -1;
	if (!p || sscanf(p + 1, " %c", state) != 1)
		return -EINVAL;
	for (p += 2; *p && field < 39; p++)
		if (*p == ' ')
			field++;
	if (field == 39 && *p >= '0' && *p <= '9')
		*cpu = atoi(p);
	return 0;
}

static void report_stuck(struct vcpu *v)
{
	char path[64], buf[512], wchan[64] = "?";
	int tid = atomic_load(&v->tid), cpu = -1;
	char state = '?';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			vcpu__parse_stat(buf, &state, &cpu);
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(wchan, sizeof(wchan), f))
			strcpy(wchan, "?");
		fclose(f);
	}
	pr_err("vCPU %u did not park within %d s of its kick: thread %d "
	       "state %c on CPU %d, wchan %s%s",
	       v->id, VCPU_PAUSE_TIMEOUT_S, tid, state, cpu, wchan,
	       state == 'R' ? " (running guest code: KVM_RUN was not "
			      "interrupted)"
			    : "");
}

int vcpu__pause(struct vcpu *v)
{
	struct timespec dl;
	int err = 0;

	if (!v->started)
		return -ESRCH;
	pthread_mutex_lock(&v->pause_lock);
	if (v->pause_req) {
		pthread_mutex_unlock(&v->pause_lock);
		return -EALREADY;
	}
	__atomic_store_n(&v->pause_req, true, __ATOMIC_RELEASE);
	if (v->paused) {
		/* Resumed, but its thread has not woken up yet: it never
		 * leaves park() now.  Without this a pause soon after a
		 * resume (the scheduler's next slice, when waking a thread
		 * is slow) failed with EALREADY and the vCPU ran anyway. */
		pthread_mutex_unlock(&v->pause_lock);
		atomic_fetch_add(&v->pauses, 1);
		return 0;
	}
	pthread_mutex_unlock(&v->pause_lock);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += VCPU_PAUSE_TIMEOUT_S;
	pthread_mutex_lock(&v->pause_lock);
	while (!v->paused && !err) {
		if (vm__stopping(v->vm))
			err = -ESHUTDOWN;
		else if (pthread_cond_timedwait(&v->pause_cond, &v->pause_lock,
						&dl) == ETIMEDOUT)
			err = -ETIMEDOUT;
	}
	if (err)
		v->pause_req = false;
	pthread_mutex_unlock(&v->pause_lock);
	if (!err)
		atomic_fetch_add(&v->pauses, 1);
	else if (err == -ETIMEDOUT)
		report_stuck(v);
	return err;
}

int vcpu__resume(struct vcpu *v)
{
	int err = 0;

	pthread_mutex_lock(&v->pause_lock);
	if (!v->paused && !v->pause_req)
		err = -EALREADY;
	__atomic_store_n(&v->pause_req, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&v->pause_cond);
	pthread_mutex_unlock(&v->pause_lock);
	return err;
}

bool vcpu__paused(struct vcpu *v)
{
	bool p;

	pthread_mutex_lock(&v->pause_lock);
	p = v->paused;
	pthread_mutex_unlock(&v->pause_lock);
	return p;
}

int vcpu__start(struct vcpu *v)
{
	char name[16];
	int err = pthread_create(&v->thread, NULL, vcpu_loop, v);

	if (err)
		return -err;
	/* "vcpu N" in ps/top and /proc/PID/task/TID/comm, where tools (and
	 * the reclaim benchmark) find the guest's CPU time. */
	snprintf(name, sizeof(name), "vcpu %u", v->id);
	pthread_setname_np(v->thread, name);
	v->started = true;
	return 0;
}

void vcpu__kick(struct vcpu *v)
{
	if (!v->started)
		return;
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	/* a parked vCPU waits on its condition, not in KVM_RUN */
	pthread_mutex_lock(&v->pause_lock);
	pthread_cond_broadcast(&v->pause_cond);
	pthread_mutex_unlock(&v->pause_lock);
}

int vcpu__join(struct vcpu *v, unsigned int timeout_s)
{
	struct timespec t;
	int e;

	if (!v->started)
		return 0;
	clock_gettime(CLOCK_REALTIME, &t); /* pthread_timedjoin_np's clock */
	t.tv_sec += timeout_s;
	e = pthread_timedjoin_np(v->thread, NULL, &t);
	if (e)
		return -e;
	v->started = false;
	return 0;
}

int vcpu__kvm_exits(struct vcpu *v, uint64_t *n)
{
	return v->kvm_exits.fd < 0 ? -EOPNOTSUPP
				   : kvmstats__read(&v->kvm_exits, n);
}

void vcpu__destroy(struct vcpu *v)
{
	kvmstats__close(&v->kvm_exits);
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
	pthread_mutex_destroy(&v->pause_lock);
	pthread_cond_destroy(&v->pause_cond);
}
