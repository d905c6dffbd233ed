// SPDX-License-Identifier: BSD-2-Clause
/*
 * KVM binary statistics: find one counter in a stats file and read it (see
 * kvmstats.h).  The file comes from the kernel, but it is parsed as input
 * all the same: an offset or a size that does not fit the file is refused
 * before anything is read through it.
 */
#include "kvmstats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

/* A descriptor without its name (the flexible array adds nothing). */
#define DESC_FIXED sizeof(struct kvm_stats_desc)

static ssize_t pread_retry(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/*
 * The whole file into *bufp.  Its length is only known by reading to the
 * end: KVM's stats fd is an anonymous inode (fstat says 0 bytes) that
 * cannot seek to its end, and the header does not give the data block's
 * size.  Offsets are then checked against what was read.
 */
static int read_all(int fd, uint8_t **bufp, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap), *bigger;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			/* one byte past the limit tells "too big" from
			 * "exactly the limit" */
			if (cap > KVMSTATS_MAX_FILE)
				goto err_big;
			cap = cap * 2 > KVMSTATS_MAX_FILE + 1u
				  ? KVMSTATS_MAX_FILE + 1u
				  : cap * 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
		r = pread_retry(fd, buf + len, cap - len, (off_t)len);
		if (r < 0) {
			free(buf);
			return (int)r;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	*bufp = buf;
	*lenp = len;
	return 0;

err_big:
	free(buf);
	return -EFBIG;
}

/* [off, off + size) lies in a file of len bytes (64-bit: no wrap). */
static bool fits(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

/*
 * Check the header and every descriptor of file buf[0..len), and find
 * `name`'s descriptor (the first of that name: KVM's are unique).
 */
static int parse(const uint8_t *buf, size_t len, const char *name,
		 struct kvm_stats_desc *found, uint64_t *found_off)
{
	const uint64_t hdr_size = sizeof(struct kvm_stats_header);
	struct kvm_stats_header h;
	uint64_t stride;
	bool have = false;

	if (len < hdr_size)
		return -EPROTO;
	memcpy(&h, buf, sizeof(h));
	/*
	 * h.flags is documented as "always 0 for now"; it is not checked, so
	 * that a kernel that defines a bit does not lose us the counters.
	 * A zero name_size leaves no room for a name's NUL.
	 */
	if (!h.name_size || h.name_size > KVMSTATS_MAX_NAME_SIZE)
		return -EPROTO;
	stride = DESC_FIXED + h.name_size;
	/* A block that starts inside the header means a garbled header. */
	if (h.id_offset < hdr_size || h.desc_offset < hdr_size ||
	    h.data_offset < hdr_size)
		return -EPROTO;
	if (!fits(h.id_offset, h.name_size, len) ||
	    !fits(h.desc_offset, (uint64_t)h.num_desc * stride, len) ||
	    !fits(h.data_offset, 0, len))
		return -EPROTO;

	for (uint32_t i = 0; i < h.num_desc; i++) {
		const uint8_t *p = buf + h.desc_offset + i * stride;
		const char *dname = (const char *)p + DESC_FIXED;
		struct kvm_stats_desc d;

		memcpy(&d, p, DESC_FIXED); /* p need not be aligned */
		if (!memchr(dname, '\0', h.name_size))
			return -EPROTO;
		/* Every value must lie in the file, not only the one we
		 * want: one that does not says the layout is not what we
		 * think, and then neither is the value we would read. */
		if (!fits((uint64_t)h.data_offset + d.offset,
			  (uint64_t)d.size * sizeof(uint64_t), len))
			return -EPROTO;
		if (!have && !strcmp(dname, name)) {
			*found = d;
			*found_off = (uint64_t)h.data_offset + d.offset;
			have = true;
		}
	}
	return have ? 0 : -ENOENT;
}

int kvmstats__open(struct kvmstats *s, int fd, const char *name)
{
	struct kvm_stats_desc d = {0};
	uint64_t off = 0; /* set with d: gcc cannot tell */
	uint8_t *buf;
	size_t len;
	int err;

	s->fd = -1;
	s->own_fd = false;
	err = read_all(fd, &buf, &len);
	if (err)
		return err;
	err = parse(buf, len, name, &d, &off);
	free(buf);
	if (err)
		return err;
	/*
	 * A benchmark subtracts two reads: only a cumulative stat of one u64
	 * makes that difference the number of events in between (an
	 * instant or peak value, or a histogram's buckets, do not).
	 */
	if ((d.flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
	    d.size != 1)
		return -EINVAL;
	s->fd = fd;
	s->off = (off_t)off;
	s->flags = d.flags;
	s->exponent = d.exponent;
	return 0;
}

int kvmstats__open_vcpu(struct kvmstats *s, int vcpu_fd, const char *name)
{
	int fd, err;

	s->fd = -1;
	s->own_fd = false;
	fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		/* An ioctl KVM does not know is ENOTTY, or EINVAL from the
		 * arch's vCPU ioctl fallback. */
		if (errno == ENOTTY || errno == EINVAL)
			return -EOPNOTSUPP;
		return -errno;
	}
	err = kvmstats__open(s, fd, name);
	if (err) {
		close(fd);
		return err;
	}
	s->own_fd = true;
	return 0;
}

int kvmstats__read(const struct kvmstats *s, uint64_t *val)
{
	uint64_t v;
	ssize_t r;

	if (s->fd < 0)
		return -EBADF;
	r = pread_retry(s->fd, &v, sizeof(v), s->off);
	if (r < 0)
		return (int)r;
	if (r != sizeof(v)) /* the file shrank under us */
		return -EPROTO;
	*val = v;
	return 0;
}

void kvmstats__close(struct kvmstats *s)
{
	if (s->fd >= 0 && s->own_fd)
		close(s->fd);
	s->fd = -1;
	s->own_fd = false;
}
