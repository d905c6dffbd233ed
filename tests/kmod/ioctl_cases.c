/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Argument validation of /dev/hyperupcall, run inside a guest (static
 * binary in the e2e initramfs): every malformed ioctl must return its
 * documented errno (hyperupcall/ioctl.h) and leave the kernel healthy (the
 * e2e checks dmesg for BUG/Oops/WARNING afterwards).
 *
 *	hup-ioctl-cases nobackend|backend
 *
 * Prints "CASE <name>: ok|FAIL ..." per case and "CASES <n> passed <m>
 * failed"; exits 1 if any failed.  With "backend", well-formed programs
 * are registered and unregistered again; with "nobackend" they get ENODEV.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hyperupcall/ioctl.h>
#include <hyperupcall/trace_ring.h>

static int fd, passed, failed;
static int want_ok; /* backend present: valid registrations succeed */

static void expect(const char *name, int rc, int want)
{
	int got = rc < 0 ? errno : 0;

	if (got == want) {
		passed++;
		printf("CASE %s: ok (%s)\n", name, want ? strerror(want) : "0");
	} else {
		failed++;
		printf("CASE %s: FAIL got %d (%s), want %d (%s)\n", name, got,
		       strerror(got), want, strerror(want));
	}
}

/* A minimal trace program: r0 = &hup_trace_ring (a ksym); r0 = 0; exit. */
static struct bpf_insn prog[] = {
	{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1 },
	{ 0 },
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static struct hup_ioc_ksym ksym;
static struct hup_ioc_window win;
static char logbuf[4096];

static struct hup_ioc_register good(void)
{
	struct hup_ioc_register r;

	memset(&r, 0, sizeof(r));
	memset(&ksym, 0, sizeof(ksym));
	ksym.insn_idx = 0;
	strcpy(ksym.name, HUP_TRACE_RING_KSYM);
	win.kind = HUP_IOC_WIN_TRACE_RING;
	win.prot = HUP_WIN_READ | HUP_WIN_WRITE;
	r.size = sizeof(r);
	r.event = HUP_EVENT_TRACE;
	r.insn_cnt = 4;
	r.insns = (unsigned long)prog;
	r.ksyms = (unsigned long)&ksym;
	r.nr_ksyms = 1;
	r.windows = (unsigned long)&win;
	r.nr_windows = 1;
	r.log_buf = (unsigned long)logbuf;
	r.log_size = sizeof(logbuf);
	strcpy(r.name, "ioctl-case");
	return r;
}

static int reg(struct hup_ioc_register *r)
{
	int rc = ioctl(fd, HUP_IOC_REGISTER, r);

	if (rc == 0) {
		struct hup_ioc_unregister u = { .prog_id = r->prog_id };
		int e = ioctl(fd, HUP_IOC_UNREGISTER, &u);

		if (e)
			printf("note: unregister %u: %s\n", r->prog_id,
			       strerror(errno));
	}
	return rc;
}

#define CASE(name, setup, want)						\
	do {								\
		struct hup_ioc_register r = good();			\
		setup;							\
		expect(name, reg(&r), want);				\
	} while (0)

int main(int argc, char **argv)
{
	int valid = ENODEV, rc;
	unsigned int registered;
	struct hup_ioc_list l;
	struct hup_ioc_unregister u;
	char *pages;
	pid_t pid;

	if (argc != 2 || (strcmp(argv[1], "backend") &&
			  strcmp(argv[1], "nobackend"))) {
		fprintf(stderr, "usage: hup-ioctl-cases nobackend|backend\n");
		return 2;
	}
	want_ok = !strcmp(argv[1], "backend");
	if (want_ok)
		valid = 0;
	fd = open("/dev/" HUP_DEV_NAME, O_RDWR);
	if (fd < 0) {
		perror("/dev/" HUP_DEV_NAME);
		return 1;
	}
	/* A page followed by an unmapped one: buffers that run off a map. */
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + 4096, 4096);

	expect("unknown-cmd", ioctl(fd, _IO(HUP_IOC_MAGIC, 99), 0), ENOTTY);
	expect("null-arg", ioctl(fd, HUP_IOC_REGISTER, NULL), EFAULT);
	expect("wild-arg", ioctl(fd, HUP_IOC_REGISTER, (void *)0x1000), EFAULT);
	expect("arg-off-map", ioctl(fd, HUP_IOC_REGISTER, pages + 4096 - 16),
	       EFAULT);
	CASE("valid", , valid);
	CASE("size-small", r.size = sizeof(r) - 8, EINVAL);
	CASE("size-big", r.size = sizeof(r) + 8, EINVAL);
	CASE("flags", r.flags = 1, EINVAL);
	CASE("out-field-set", r.result = -1, EINVAL);
	CASE("event-0", r.event = 0, EINVAL);
	CASE("event-max", r.event = HUP_EVENT_MAX + 1, EINVAL);
	CASE("insn-cnt-0", r.insn_cnt = 0, EINVAL);
	CASE("insn-cnt-big", r.insn_cnt = HUP_MAX_INSNS + 1, E2BIG);
	CASE("insn-cnt-huge", r.insn_cnt = 0xffffffff, E2BIG);
	CASE("insns-null", r.insns = 0, EINVAL);
	CASE("insns-wild", r.insns = 0x10, EFAULT);
	CASE("insns-kernel", r.insns = 0xffffffff81000000ull, EFAULT);
	CASE("insns-off-map", (r.insns = (unsigned long)(pages + 4096 - 16),
			       r.insn_cnt = 4), EFAULT);
	CASE("nr-ksyms-big", r.nr_ksyms = HUP_MAX_KSYM_RELOCS + 1, E2BIG);
	CASE("ksyms-null", r.ksyms = 0, EINVAL);
	CASE("ksyms-wild", r.ksyms = 0x10, EFAULT);
	CASE("ksym-idx-range", ksym.insn_idx = 3, EINVAL);
	CASE("ksym-idx-last", ksym.insn_idx = 100, EINVAL);
	CASE("ksym-not-ldimm", ksym.insn_idx = 2, EINVAL);
	CASE("ksym-unknown-flag", ksym.flags = 2, EINVAL);
	CASE("ksym-unterminated", memset(ksym.name, 'a', sizeof(ksym.name)),
	     EINVAL);
	CASE("ksym-empty", ksym.name[0] = 0, EINVAL);
	CASE("ksym-unknown", strcpy(ksym.name, "no_such_symbol_hup"), ENOENT);
	/* A weak symbol the kernel lacks resolves to 0 (HUP_KSYM_WEAK). */
	CASE("ksym-weak-unknown", (strcpy(ksym.name, "no_such_symbol_hup"),
				   ksym.flags = HUP_KSYM_WEAK), valid);
	CASE("ksym-kernel", (strcpy(ksym.name, "init_task"),
			     win.kind = HUP_IOC_WIN_KERNEL, win.prot = HUP_WIN_READ),
	     valid);
	CASE("ksym-unknown-badlog", (strcpy(ksym.name, "no_such_symbol_hup"),
				     r.log_buf = 0x10), ENOENT);
	CASE("nr-windows-big", r.nr_windows = HUP_MAX_WINDOWS + 1, E2BIG);
	CASE("windows-null", r.windows = 0, EINVAL);
	CASE("windows-wild", r.windows = 0x10, EFAULT);
	CASE("window-kind-0", win.kind = 0, EINVAL);
	CASE("window-kind-big", win.kind = HUP_IOC_WIN_MAX + 1, EINVAL);
	CASE("window-prot-0", win.prot = 0, EINVAL);
	CASE("window-prot-bad", win.prot = 4 | HUP_WIN_READ, EINVAL);
	{
		struct hup_ioc_window two[2] = { win, win };
		struct hup_ioc_register r = good();

		two[0] = two[1] = (struct hup_ioc_window){
			HUP_IOC_WIN_TRACE_RING, HUP_WIN_READ | HUP_WIN_WRITE };
		r.windows = (unsigned long)two;
		r.nr_windows = 2;
		expect("window-duplicate", reg(&r), EINVAL);
	}
	CASE("windows-all", ({
		static struct hup_ioc_window all[4] = {
			{ HUP_IOC_WIN_DIRECT_MAP, HUP_WIN_READ },
			{ HUP_IOC_WIN_VMEMMAP, HUP_WIN_READ },
			{ HUP_IOC_WIN_KERNEL, HUP_WIN_READ },
			{ HUP_IOC_WIN_TRACE_RING, HUP_WIN_READ | HUP_WIN_WRITE },
		};
		r.windows = (unsigned long)all;
		r.nr_windows = 4;
	}), valid);
	CASE("log-big", r.log_size = HUP_LOG_MAX + 1, E2BIG);
	CASE("log-size-0", r.log_size = 0, EINVAL);
	CASE("log-null", r.log_buf = 0, EINVAL);
	CASE("no-log", (r.log_buf = 0, r.log_size = 0), valid);
	CASE("name-empty", r.name[0] = 0, EINVAL);
	CASE("name-unterminated", memset(r.name, 'n', sizeof(r.name)), EINVAL);
	CASE("name-control", r.name[1] = '\n', EINVAL);

	/*
	 * LIST.  A successful call writes count back, and count must be 0 on
	 * input: reset it before each call.  Programs registered before this
	 * runs (the e2e registers tracing.o under a backend) are listed too.
	 */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	expect("list-count-only", ioctl(fd, HUP_IOC_LIST, &l), 0);
	registered = l.count;
	l.count = 0;
	l.size = 8;
	expect("list-size", ioctl(fd, HUP_IOC_LIST, &l), EINVAL);
	l.size = sizeof(l);
	l.capacity = HUP_MAX_PROGS + 1;
	l.progs = (unsigned long)logbuf;
	expect("list-capacity", ioctl(fd, HUP_IOC_LIST, &l), E2BIG);
	l.capacity = 1;
	l.progs = 0;
	expect("list-progs-null", ioctl(fd, HUP_IOC_LIST, &l), EINVAL);
	l.progs = 0x10;
	rc = ioctl(fd, HUP_IOC_LIST, &l);
	l.count = 0;
	/* Nothing to copy when nothing is registered; else the copy faults. */
	expect("list-progs-wild", rc, registered ? EFAULT : 0);
	l.count = 3;
	expect("list-count-set", ioctl(fd, HUP_IOC_LIST, &l), EINVAL);
	expect("list-null", ioctl(fd, HUP_IOC_LIST, NULL), EFAULT);

	/* UNREGISTER */
	u = (struct hup_ioc_unregister){ .prog_id = 12345 };
	expect("unregister-unknown", ioctl(fd, HUP_IOC_UNREGISTER, &u), ENOENT);
	u.flags = 1;
	expect("unregister-flags", ioctl(fd, HUP_IOC_UNREGISTER, &u), EINVAL);
	expect("unregister-null", ioctl(fd, HUP_IOC_UNREGISTER, NULL), EFAULT);

	/* Without CAP_SYS_ADMIN. */
	pid = fork();
	if (pid == 0) {
		struct hup_ioc_register r = good();

		if (setuid(65534))
			_exit(3);
		_exit(ioctl(fd, HUP_IOC_REGISTER, &r) < 0 && errno == EPERM ?
		      0 : 1);
	}
	waitpid(pid, &rc, 0);
	errno = EPERM;
	expect("not-admin", WIFEXITED(rc) && !WEXITSTATUS(rc) ? -1 : 0, EPERM);

	/* Many registrations in a row: no leak shows as an allocation
	 * failure, and the module's state stays consistent. */
	for (int i = 0; i < 500; i++) {
		struct hup_ioc_register r = good();

		r.insn_cnt = HUP_MAX_INSNS + 1;
		reg(&r);
		r = good();
		strcpy(ksym.name, "no_such_symbol_hup");
		reg(&r);
	}
	CASE("after-500", , valid);

	printf("CASES %d passed %d failed\n", passed, failed);
	close(fd);
	return failed ? 1 : 0;
}
