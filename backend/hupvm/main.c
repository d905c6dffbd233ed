// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupvm: boot a Linux guest on KVM.  main() is the only place that turns
 * errors into an exit status (documented in cli__usage and docs/hupvm.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>

#include "autoreclaim.h"
#include "cli.h"
#include "control.h"
#include "hyperupcall/backend.h"
#include "log.h"
#include "vcpu.h"
#include "vm.h"
#include "vsched.h"

enum {
	EXIT_POWEROFF = 0,
	EXIT_HUPVM_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_REBOOT = 3,
	EXIT_PANIC = 4,
	EXIT_VM_FAULT = 5,
	EXIT_TIMEOUT = 124,
	EXIT_SIGNAL = 130,
};

static volatile int interrupted;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_signal(int sig)
{
	interrupted = sig;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int stop_status(struct vm *vm, enum vm_stop_reason why,
		       unsigned int timeout)
{
	unsigned long exits = 0;

	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		exits += atomic_load(&vm->vcpus[i].exits);
	pr_info("%lu exits handled; %lu port and %lu MMIO accesses unclaimed",
		exits, atomic_load(&vm->pio.unclaimed),
		atomic_load(&vm->mmio.unclaimed));
	if (vm->hup) {
		uint64_t rej = 0;

		for (int i = 0; i < HREQ_NR_REASONS; i++)
			rej += atomic_load(&vm->hup->st.rejected[i]);
		pr_info("hyperupcalls: %llu registrations, %llu requests "
			"refused, %llu trace dispatches",
			(unsigned long long)atomic_load(
			    &vm->hup->st.requests[HUP_OP_REGISTER]),
			(unsigned long long)rej,
			(unsigned long long)atomic_load(
			    &vm->hup->st.dispatches[HUP_EVENT_TRACE]));
	}
	switch (why) {
	case VM_STOP_POWEROFF:
		pr_info("guest powered off");
		return EXIT_POWEROFF;
	case VM_STOP_REBOOT:
		if (vm__panic_seen(vm)) {
			log__printf(
			    LOG_ERR,
			    "guest kernel panicked (rebooted after \"%s\")",
			    CONSOLE_PANIC_BANNER);
			return EXIT_PANIC;
		}
		pr_info("guest rebooted");
		return EXIT_REBOOT;
	case VM_STOP_FAULT:
		return vm__panic_seen(vm) ? EXIT_PANIC : EXIT_VM_FAULT;
	case VM_STOP_TIMEOUT:
		pr_err("timeout: guest still running after %u s, killed it%s",
		       timeout, vm__panic_seen(vm) ? " (it had panicked)" : "");
		return EXIT_TIMEOUT;
	case VM_STOP_SIGNAL:
		pr_err("interrupted by signal %d, guest killed", interrupted);
		return EXIT_SIGNAL;
	default:
		return EXIT_HUPVM_ERROR;
	}
}

int main(int argc, char **argv)
{
	struct control control = {.fd = -1};
	struct autoreclaim ar = {0};
	struct vsched sched = {0};
	struct vm_config cfg;
	struct cli_opts o;
	enum vm_stop_reason why;
	char err[256];
	struct vm vm;
	int fd = STDOUT_FILENO, status, r;
	double t0 = now_ms();

	if (cli__parse(argc, argv, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "hupvm: %s\n", err);
		return EXIT_USAGE;
	}
	if (o.help) {
		cli__usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("hupvm 0.1 (hyperupcall ABI %u.%u, doorbell port %#x)\n",
		       HUP_ABI_MAJOR, HUP_ABI_MINOR, HUP_DB_PORT_DEFAULT);
		return 0;
	}
	log__set_level(o.verbose >= 2 ? LOG_DEBUG
		       : o.verbose    ? LOG_INFO
				      : LOG_WARN);
	if (o.log) {
		fd =
		    open(o.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "hupvm: --log %s: %s\n", o.log,
				strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (install_signals() < 0)
		return EXIT_HUPVM_ERROR;
	cfg = (struct vm_config){
	    .mem_size = o.mem,
	    .nr_cpus = o.cpus,
	    .kernel = o.kernel,
	    .initrd = o.initrd,
	    .cmdline = o.cmdline,
	    .console_fd = fd,
	    .console_input = true,
	    .pv_tlb_flush = o.pv_tlb_flush,
	};
	pr_info("booting %s with %u vCPU(s), %llu MiB, cmdline \"%s\"",
		o.kernel, o.cpus, (unsigned long long)(o.mem >> 20), o.cmdline);
	r = vm__create(&vm, &cfg);
	if (r < 0) {
		pr_err("could not create the VM: %s", strerror(-r));
		return EXIT_HUPVM_ERROR;
	}
	pr_info("VM set up in %.1f ms (kernel and initrd loaded, %u vCPU(s) "
		"created)",
		now_ms() - t0, vm.nr_vcpus);
	if (vm.hup) {
		vm.hup->no_jit = o.no_jit;
		vm.hup->run_budget_us = o.run_budget_us;
		hup_set_run_timing(!o.no_run_timing);
		pr_info("hyperupcalls: %s, run clock %s%s",
			o.no_jit ? "interpreter" : "JIT", hup_clock_name(),
			o.no_run_timing ? ", runs not timed" : "");
	}
	r = vm__start(&vm);
	if (!r && o.pcpus) {
		struct vsched_config sc = {
		    .pcpus = o.pcpus,
		    .slice_ms = o.timeslice_ms,
		    .period_us = o.desched_period_us,
		    .pv_preempt = o.pv_tlb_flush,
		    .fifo = o.sched_fifo,
		};

		r = vsched__start(&sched, &vm, &sc);
		if (r == -EPERM) {
			pr_err("--sched-fifo: SCHED_FIFO not allowed (needs "
			       "CAP_SYS_NICE or an RLIMIT_RTPRIO of 1)");
			vm__stop(&vm, VM_STOP_ERROR, -1);
		} else if (r < 0) {
			pr_err("--pcpus: %s", strerror(-r));
			vm__stop(&vm, VM_STOP_ERROR, -1);
		} else {
			pr_info("scheduler: %u of %u vCPUs at a time, %u ms "
				"slices%s%s",
				o.pcpus, o.cpus, o.timeslice_ms,
				o.pv_tlb_flush ? ", preempted ones marked"
					       : "",
				o.sched_fifo ? ", SCHED_FIFO" : "");
		}
	}
	if (!r && o.control) {
		r = control__start(&control, &vm, o.control);
		if (r < 0) {
			pr_err("--control %s: %s", o.control, strerror(-r));
			vm__stop(&vm, VM_STOP_ERROR, -1);
		}
	}
	if (!r && o.auto_reclaim_mib) {
		r = autoreclaim__start(&ar, &vm, o.auto_reclaim_mib,
				       o.auto_reclaim_max,
				       o.auto_reclaim_interval);
		if (r < 0) {
			pr_err("--auto-reclaim: %s", strerror(-r));
			vm__stop(&vm, VM_STOP_ERROR, -1);
		}
	}
	why = r < 0 ? VM_STOP_ERROR : vm__wait(&vm, o.timeout, &interrupted);
	autoreclaim__stop(&ar);
	control__stop(&control);
	vsched__stop(&sched);
	status = stop_status(&vm, why, o.timeout);
	vm__destroy(&vm);
	if (fd != STDOUT_FILENO)
		close(fd);
	return status;
}
