/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: vmlinux.h for a guest kernel.  `bpftool btf dump file BTF format c`
 * of the guest kernel's BTF (a raw .btf file, or a vmlinux ELF with a .BTF
 * section) gives every kernel type with preserve_access_index, so programs
 * read kernel structures through CO-RE relocations.  --btf caches the
 * header per BTF content (FNV-1a of the bytes) so repeated compiles cost
 * nothing.
 */
#include "hupcc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int hupcc__cache_dir(char *dir, size_t size)
{
	const char *env = getenv("HUPCC_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(dir, size, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(dir, size, "%s/hupcc", xdg);
	else if (home && *home)
		n = snprintf(dir, size, "%s/.cache/hupcc", home);
	else
		n = snprintf(dir, size, "/tmp/hupcc-%u", (unsigned)getuid());
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return mkdir_p(dir);
}

static int hash_file(const char *path, uint64_t *out)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	close(fd);
	if (n < 0)
		return -EIO;
	*out = h;
	return 0;
}

int hupcc__gen_vmlinux_h(const char *btf_path, const char *out_path,
			 bool verbose)
{
	static const char *const fallback[] = { "/usr/sbin", "/sbin", NULL };
	char bpftool[PATH_MAX], tmp[PATH_MAX];
	const char *env = getenv("HUPCC_BPFTOOL");
	int n, rc;

	if (access(btf_path, R_OK)) {
		hupcc_err("cannot read BTF %s: %s", btf_path, strerror(errno));
		return -ENOENT;
	}
	if (env && *env) {
		n = snprintf(bpftool, sizeof(bpftool), "%s", env);
		if (n < 0 || (size_t)n >= sizeof(bpftool))
			return -ENAMETOOLONG;
	} else if (hupcc__find_exe("bpftool", fallback, bpftool,
				 sizeof(bpftool))) {
		hupcc_err("bpftool not found (PATH, /usr/sbin); install "
			  "bpftool or set HUPCC_BPFTOOL");
		return -ENOENT;
	}
	if (hupcc__tmp_path(out_path, tmp, sizeof(tmp)))
		return -ENAMETOOLONG;

	const char *argv[] = { bpftool, "btf", "dump", "file", btf_path,
			       "format", "c", NULL };
	rc = hupcc__run((char *const *)argv, tmp, verbose);
	if (rc) {
		unlink(tmp);
		if (rc < 0)
			hupcc_err("cannot write %s: %s", tmp, strerror(-rc));
		else
			hupcc_err("bpftool could not dump %s as C (exit %d): is "
				  "it a BTF file or a vmlinux with .BTF?",
				  btf_path, rc);
		return -EINVAL;
	}
	if (rename(tmp, out_path)) {
		int err = -errno;

		unlink(tmp);
		hupcc_err("cannot create %s: %s", out_path, strerror(-err));
		return err;
	}
	return 0;
}

int hupcc__cached_vmlinux_dir(const char *btf_path, char *dir, size_t size,
			      bool verbose)
{
	char cache[PATH_MAX], header[PATH_MAX];
	uint64_t h = 0;
	int err, n;

	err = hash_file(btf_path, &h);
	if (err) {
		hupcc_err("cannot read BTF %s: %s", btf_path, strerror(-err));
		return err;
	}
	err = hupcc__cache_dir(cache, sizeof(cache));
	if (err) {
		hupcc_err("cannot create the cache directory: %s",
			  strerror(-err));
		return err;
	}
	n = snprintf(dir, size, "%s/vmlinux-%016" PRIx64, cache, h);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	n = snprintf(header, sizeof(header), "%s/vmlinux.h", dir);
	if (n < 0 || (size_t)n >= sizeof(header))
		return -ENAMETOOLONG;
	if (!access(header, R_OK)) {
		if (verbose)
			hupcc_note("vmlinux.h from cache: %s", header);
		return 0;
	}
	err = mkdir_p(dir);
	if (err) {
		hupcc_err("cannot create %s: %s", dir, strerror(-err));
		return err;
	}
	if (verbose)
		hupcc_note("generating %s from %s", header, btf_path);
	return hupcc__gen_vmlinux_h(btf_path, header, verbose);
}

int hupcc__vmlinux_h_dir(const char *header, char *dir, size_t size)
{
	char real[PATH_MAX], cache[PATH_MAX], link[PATH_MAX];
	const char *base;
	uint64_t h = 0xcbf29ce484222325ull;
	int err, n;

	if (!realpath(header, real)) {
		hupcc_err("cannot read %s: %s", header, strerror(errno));
		return -ENOENT;
	}
	base = strrchr(real, '/');
	if (!strcmp(base + 1, "vmlinux.h")) {
		/* Its own directory will do. */
		n = snprintf(dir, size, "%.*s", (int)(base - real), real);
		return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
	}
	/* Another name: a cache directory where vmlinux.h links to it. */
	for (const char *s = real; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	err = hupcc__cache_dir(cache, sizeof(cache));
	if (err)
		return err;
	n = snprintf(dir, size, "%s/header-%016" PRIx64, cache, h);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	err = mkdir_p(dir);
	if (err)
		return err;
	n = snprintf(link, sizeof(link), "%s/vmlinux.h", dir);
	if (n < 0 || (size_t)n >= sizeof(link))
		return -ENAMETOOLONG;
	unlink(link);
	if (symlink(real, link) && errno != EEXIST)
		return -errno;
	return 0;
}
