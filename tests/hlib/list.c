// A bounded list walk over guest memory: unrolled (no back-edge, which the
// host verifier would reject; hupcc runs it: the V check), each `next` translated.
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/list.h>

struct item {
	long key;
	struct list_head node;
};

// CHECK-LABEL: <sum_items>:
// CHECK:         ld_pseudo {{r[0-9]}}, 0xd, 0x0
// CHECK:         ld_pseudo {{r[0-9]}}, 0xc, 0x0
// CHECK:         exit
HUP_QUERY()
long sum_items(struct hup_query_ctx *ctx)
{
	struct list_head *head = HUP_GPTR(struct list_head, ctx->arg[0]);
	struct item *it;
	long sum = 0;

	list_for_each_entry_bounded(it, head, node, 8)
		sum += it->key;
	return sum;
}

// CHECK-LABEL: <count_hlist>:
// CHECK:         exit
struct hitem {
	int v;
	struct hlist_node hnode;
};

HUP_QUERY("hlist")
long count_hlist(struct hup_query_ctx *ctx)
{
	struct hlist_head *bucket = HUP_GPTR(struct hlist_head, ctx->arg[1]);
	struct hitem *h;
	long n = 0;

	hlist_for_each_entry_bounded(h, bucket, hnode, 4)
		n += h->v;
	return n;
}
