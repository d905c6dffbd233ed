// SPDX-License-Identifier: BSD-2-Clause
/*
 * The upcall baseline's host half (backend/hupvm/upcall.c) against a FAKE
 * guest: RAM is a memfd as hupvm's, and "raising the interrupt" wakes a
 * thread that plays the guest kernel's handler, well or badly behaved.
 * Also the two ways in: the doorbell's upcall ports, and the control
 * command (`upcall ...`) on a VM of which only that device is real.
 * The real guest handler is tested end to end (guest-upcall-e2e).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <hyperupcall/abi.h>

#include "bus.h"
#include "check.h"
#include "clock.h"
#include "ctlexec.h"
#include "devices/doorbell.h"
#include "hyperupcall/backend.h"
#include "mem.h"
#include "upcall.h"
#include "vm.h"

#define BLOCK_GPA 0x10000ull

enum behaviour { GOOD, MUTE, HOSTILE, WRONG_SEQ, DETACH_WHILE_ASKED };

struct fake_guest {
	struct upcall *u;
	struct hup_upcall_block *b;
	enum behaviour how;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int raised;
	bool stop;
	pthread_t thread;
	int detach_err; /* DETACH_WHILE_ASKED: what the host said */
	uint32_t last_seq;
};

static void raise_irq(void *opaque)
{
	struct fake_guest *g = opaque;

	pthread_mutex_lock(&g->lock);
	g->raised++;
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* The handler: answers as abi.h says, or misbehaves as told. */
static void handle(struct fake_guest *g)
{
	struct hup_upcall_block *b = g->b;
	uint32_t seq = __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE);

	g->last_seq = seq;
	switch (g->how) {
	case MUTE:
		return;
	case HOSTILE:
		b->answer_len = 0xffffffffu; /* more than the block holds */
		b->result = 5;		     /* not an errno */
		break;
	case DETACH_WHILE_ASKED:
		g->detach_err = upcall__attach(g->u, 0);
		__attribute__((fallthrough)); /* then answer */
	case GOOD:
	case WRONG_SEQ:
		/* free_pfns: "every other frame", from the args */
		memset(b->answer, 0, sizeof(b->answer));
		for (uint64_t i = 0; i < b->args[1]; i++)
			if ((b->args[0] + i) % 2 == 0)
				b->answer[i / 8] |= (uint8_t)(1u << (i % 8));
		b->answer_len = (uint32_t)((b->args[1] + 7) / 8);
		b->result = 0;
		break;
	}
	__atomic_store_n(&b->done_seq, seq, __ATOMIC_RELEASE);
	upcall__done(g->u, g->how == WRONG_SEQ ? seq + 7 : seq);
}

static void *guest_thread(void *arg)
{
	struct fake_guest *g = arg;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!g->raised && !g->stop)
			pthread_cond_wait(&g->cond, &g->lock);
		if (g->stop)
			break;
		g->raised--;
		pthread_mutex_unlock(&g->lock);
		handle(g);
		pthread_mutex_lock(&g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static struct mem m;
static struct upcall u;
static struct fake_guest g;

static void start(enum behaviour how)
{
	g.how = how;
	g.stop = false;
	g.raised = 0;
	CHECK_EQ(pthread_create(&g.thread, NULL, guest_thread, &g), 0);
}

static void stop(void)
{
	pthread_mutex_lock(&g.lock);
	g.stop = true;
	pthread_cond_signal(&g.cond);
	pthread_mutex_unlock(&g.lock);
	pthread_join(g.thread, NULL);
}

static void test_attach_refusals(void)
{
	struct upcall_answer a;
	uint64_t args[2] = {0, 8};

	CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 100, &a),
		 -ENODEV);
	CHECK_EQ(upcall__attach(&u, BLOCK_GPA + 8), -EFAULT);  /* unaligned */
	CHECK_EQ(upcall__attach(&u, m.size), -EFAULT);	      /* past RAM */
	CHECK_EQ(upcall__attach(&u, m.size - 4096), -EPROTO); /* no magic */
	CHECK(!upcall__attached(&u));
	CHECK_EQ(upcall__attach(&u, BLOCK_GPA), 0);
	CHECK(upcall__attached(&u));
	CHECK_EQ(upcall__attach(&u, 0), 0);
	CHECK(!upcall__attached(&u));
	CHECK_EQ(upcall__attach(&u, BLOCK_GPA), 0);
}

static void test_bad_questions(void)
{
	struct upcall_answer a;
	uint64_t args[HUP_UPCALL_NR_ARGS + 1] = {0};

	CHECK_EQ(upcall__call(&u, 0, args, 0, 100, &a), -EINVAL);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_MAX + 1, args, 0, 100, &a),
		 -EINVAL);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_TRACE, args,
			      HUP_UPCALL_NR_ARGS + 1, 100, &a),
		 -EINVAL);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_TRACE, args, 0,
			      UPCALL_TIMEOUT_MS_MAX + 1, &a),
		 -EINVAL);
	CHECK_STR(upcall__kind_name(HUP_UPCALL_FREE_PFNS), "free_pfns");
	CHECK_EQ(upcall__kind_of("tlb_ack"), HUP_UPCALL_TLB_ACK);
	CHECK_EQ(upcall__kind_of("nonsense"), 0);
}

static void test_answered(void)
{
	struct upcall_answer a;
	uint64_t args[2] = {10, 20};

	start(GOOD);
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 2000,
				      &a),
			 0);
		CHECK_EQ(a.result, 0);
		CHECK_EQ(a.len, 3);
		/* pfns 10, 12, ... 28: bits 0, 2, ... 18 */
		CHECK_EQ(a.data[0], 0x55);
		CHECK_EQ(a.data[1], 0x55);
		CHECK_EQ(a.data[2], 0x05);
		CHECK(a.ns > 0);
	}
	CHECK_EQ(g.b->kind, HUP_UPCALL_FREE_PFNS);
	CHECK_EQ(g.b->args[2], 0); /* unused args are cleared */
	CHECK_EQ(atomic_load(&u.st.answered), 100);
	stop();
}

static void test_never_answers(void)
{
	struct upcall_answer a;
	uint64_t args[2] = {0, 8};
	uint64_t t0 = hupvm_now_ns(), dt;
	unsigned long late;

	start(MUTE);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 200, &a),
		 -ETIMEDOUT);
	dt = hupvm_now_ns() - t0;
	CHECK_MSG(dt >= 200000000ull && dt < 2000000000ull,
		  "timed out after %llu ns", (unsigned long long)dt);
	CHECK_EQ(atomic_load(&u.st.timeouts), 1);
	stop();
	/* Its answer arrives after all: ignored, counted, and the next
	 * question works. */
	late = atomic_load(&u.st.late);
	upcall__done(&u, g.last_seq);
	CHECK_EQ(atomic_load(&u.st.late), late + 1);
	start(GOOD);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 2000, &a), 0);
	stop();
}

static void test_hostile_and_wrong_seq(void)
{
	struct upcall_answer a;
	uint64_t args[2] = {0, 8};

	start(HOSTILE);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 2000, &a), 0);
	CHECK_EQ(a.len, HUP_UPCALL_ANSWER_MAX); /* clamped */
	CHECK_EQ(a.result, -EPROTO);		/* not an errno */
	stop();

	start(WRONG_SEQ); /* rings for a question never asked */
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 150, &a),
		 -ETIMEDOUT);
	stop();

	start(DETACH_WHILE_ASKED);
	CHECK_EQ(upcall__call(&u, HUP_UPCALL_FREE_PFNS, args, 2, 2000, &a), 0);
	CHECK_EQ(g.detach_err, -EBUSY);
	CHECK(upcall__attached(&u));
	stop();
}

static void db_out(struct bus *pio, uint32_t off, uint32_t v)
{
	uint8_t d[4];

	bus__put_le(d, 4, v);
	CHECK(bus__write(pio, 0, HUP_DB_PORT_DEFAULT + off, d, 4));
}

static int32_t db_status(struct bus *pio)
{
	uint8_t d[4];

	CHECK(bus__read(pio, 0, HUP_DB_PORT_DEFAULT + HUP_DB_STATUS, d, 4));
	return (int32_t)bus__get_le(d, 4);
}

/* The guest's way in: HUP_DB_UPCALL_ATTACH with the latched high half,
 * its refusals at STATUS, HUP_DB_UPCALL_DONE; and a doorbell without the
 * upcall device. */
static void test_doorbell_ports(void)
{
	struct doorbell db, none;
	struct bus pio, pio_none;
	unsigned long late = atomic_load(&u.st.late);

	bus__init(&pio, "pio");
	doorbell__init(&db, NULL, &u);
	CHECK_EQ(doorbell__register(&db, &pio, HUP_DB_PORT_DEFAULT), 0);
	db_out(&pio, HUP_DB_REQ_HI, 1); /* 4 GiB up: past this RAM */
	db_out(&pio, HUP_DB_UPCALL_ATTACH, BLOCK_GPA);
	CHECK_EQ(db_status(&pio), -EFAULT);
	db_out(&pio, HUP_DB_UPCALL_ATTACH, BLOCK_GPA + 8); /* latch cleared */
	CHECK_EQ(db_status(&pio), -EFAULT);
	db_out(&pio, HUP_DB_UPCALL_ATTACH, 0x20000); /* zeros: no magic */
	CHECK_EQ(db_status(&pio), -EPROTO);
	db_out(&pio, HUP_DB_UPCALL_ATTACH, 0);
	CHECK_EQ(db_status(&pio), 0);
	CHECK(!upcall__attached(&u));
	db_out(&pio, HUP_DB_UPCALL_ATTACH, BLOCK_GPA);
	CHECK_EQ(db_status(&pio), 0);
	CHECK(upcall__attached(&u));
	db_out(&pio, HUP_DB_UPCALL_DONE, 12345); /* nothing asked */
	CHECK_EQ(atomic_load(&u.st.late), late + 1);
	bus__exit(&pio);

	bus__init(&pio_none, "pio");
	doorbell__init(&none, NULL, NULL);
	CHECK_EQ(doorbell__register(&none, &pio_none, HUP_DB_PORT_DEFAULT), 0);
	db_out(&pio_none, HUP_DB_UPCALL_ATTACH, BLOCK_GPA);
	CHECK_EQ(db_status(&pio_none), -EOPNOTSUPP);
	db_out(&pio_none, HUP_DB_UPCALL_DONE, 1);
	CHECK_EQ(atomic_load(&none.ignored), 1);
	bus__exit(&pio_none);
}

/* The administrator's way in: every refusal by name, then answers. */
static void test_control_command(void)
{
	static struct backend no_backend; /* control wants one; unused */
	static const struct {
		const char *line, *msg;
	} bad[] = {
	    {"upcall", "usage: upcall KIND"},
	    {"upcall nonsense 1", "unknown question 'nonsense'"},
	    {"upcall free_pfns", "1 to 2 arguments"},
	    {"upcall free_pfns 1 2 3", "1 to 2 arguments"},
	    {"upcall free_pfns x", "'x' is not a number"},
	    {"upcall free_pfns -1", "'-1' is not a number"},
	    {"upcall free_pfns 0 0", "NR must be 1..512"},
	    {"upcall free_pfns 0 513", "NR must be 1..512"},
	    {"upcall msr_write 1", "2 to 2 arguments"},
	    {"upcall trace 1", "2 to 6 arguments"},
	    {"upcall trace 1 2 3 4 5 6 7", "2 to 6 arguments"},
	    {"upcall tlb_ack 0", "no vCPU 0"},
	    {"upcall free_pfns 0 --repeat", "--repeat needs a number"},
	    {"upcall free_pfns 0 --repeat 0", "--repeat must be 1.."},
	    {"upcall free_pfns 0 --repeat 100001", "--repeat must be 1.."},
	    {"upcall free_pfns 0 --timeout-ms 60001", "--timeout-ms must be"},
	    {"upcall free_pfns 0 --timeout-ms x", "--timeout-ms needs a number"},
	};
	struct vm vm;
	char *r;

	memset(&vm, 0, sizeof(vm));
	vm.hup = &no_backend;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ctl_exec(&vm, bad[i].line);
		CHECK_MSG(!strncmp(r, "ERR EINVAL ", 11) &&
			      strstr(r, bad[i].msg),
			  "'%s' -> %s", bad[i].line, r);
	}
	r = ctl_exec(&vm, "upcall free_pfns 0");
	CHECK_MSG(!strncmp(r, "ERR EOPNOTSUPP ", 15), "no device -> %s", r);

	vm.upcall = &u;
	CHECK_EQ(upcall__attach(&u, 0), 0);
	r = ctl_exec(&vm, "upcall free_pfns 0");
	CHECK_MSG(!strncmp(r, "ERR ENODEV ", 11), "detached -> %s", r);
	CHECK_EQ(upcall__attach(&u, BLOCK_GPA), 0);
	start(MUTE);
	r = ctl_exec(&vm, "upcall free_pfns 0 --timeout-ms 50");
	CHECK_MSG(!strncmp(r, "ERR ETIMEDOUT ", 14), "mute -> %s", r);
	stop();
	start(GOOD);
	/* answered: a timeout no preemption of the fake guest reaches */
	r = ctl_exec(&vm,
		     "upcall free_pfns 10 20 --repeat 3 --timeout-ms 30000");
	CHECK_MSG(strstr(r, "answer result=0 len=3 free=10\n") &&
		      strstr(r, "calls=3 ns_min=") && strstr(r, "\nOK\n"),
		  "%s", r);
	r = ctl_exec(&vm, "json upcall free_pfns 10 20 --timeout-ms 30000");
	CHECK_MSG(strstr(r, "{\"kind\":\"free_pfns\",\"result\":0,"
			    "\"answer_len\":3,\"free\":10,\"calls\":1,") == r,
		  "%s", r);
	stop();
}

int main(void)
{
	CHECK_EQ(mem__create(&m, 16ull << 20, 1ull << 32, 1ull << 32), 0);
	g.b = mem__gpa_to_hva(&m, BLOCK_GPA, sizeof(*g.b));
	g.b->magic = HUP_UPCALL_MAGIC;
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	CHECK_EQ(upcall__init(&u, &m, raise_irq, &g), 0);
	g.u = &u;
	RUN(test_attach_refusals);
	RUN(test_bad_questions);
	RUN(test_answered);
	RUN(test_never_answers);
	RUN(test_hostile_and_wrong_seq);
	RUN(test_doorbell_ports);
	RUN(test_control_command);
	upcall__destroy(&u);
	mem__destroy(&m);
	return check_summary("hupvm upcall (fake guest)");
}
