// SPDX-License-Identifier: BSD-2-Clause
/*
 * The upcall baseline's host half (backend/hupvm/upcall.c) against a FAKE
 * guest: RAM is a memfd as hupvm's, and "raising the interrupt" wakes a
 * thread that plays the guest kernel's handler, well or badly behaved.
 * The real guest handler is tested end to end (guest-upcall-e2e).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <hyperupcall/abi.h>

#include "check.h"
#include "clock.h"
#include "mem.h"
#include "upcall.h"

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
	upcall__destroy(&u);
	mem__destroy(&m);
	return check_summary("hupvm upcall (fake guest)");
}
