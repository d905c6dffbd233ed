/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupcc: finding clang-19, the guest-pointer plugin and the SDK headers.
 *
 * Installed: everything is found relative to the hupcc binary, with the
 * relative paths CMake computed from the install layout (bin/ ->
 * lib/hyperupcall/HupGuestPtr.so, include/), so a relocated prefix works.
 * Build tree: a hupcc run from the build directory uses the plugin built
 * there and the headers of the source tree, whose paths are compiled in.
 * HUPCC_CLANG and HUPCC_PLUGIN override both.
 */
#include "hupcc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HUPCC_REL_PLUGIN
#define HUPCC_REL_PLUGIN "../lib/hyperupcall/HupGuestPtr.so"
#endif
#ifndef HUPCC_REL_INCLUDE
#define HUPCC_REL_INCLUDE "../include"
#endif

static bool is_file(const char *path)
{
	return access(path, R_OK) == 0;
}

static bool is_exe(const char *path)
{
	return access(path, X_OK) == 0;
}

static int join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int copy(char *out, size_t size, const char *s)
{
	int n = snprintf(out, size, "%s", s);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int hupcc__find_exe(const char *name, const char *const *fallback, char *out,
		    size_t size)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];

	if (strchr(name, '/'))
		return is_exe(name) ? copy(out, size, name) : -ENOENT;
	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);

		if (len && len < sizeof(dir)) {
			memcpy(dir, path, len);
			dir[len] = '\0';
			if (!join(out, size, dir, name) && is_exe(out))
				return 0;
		}
		path = end ? end + 1 : NULL;
	}
	for (; fallback && *fallback; fallback++)
		if (!join(out, size, *fallback, name) && is_exe(out))
			return 0;
	return -ENOENT;
}

static int exe_dir(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	return copy(out, size, self);
}

/* dir/rel, canonicalised, if it exists. */
static bool relative(const char *dir, const char *rel, char *out, size_t size)
{
	char p[PATH_MAX], real[PATH_MAX];

	if (join(p, sizeof(p), dir, rel) || !realpath(p, real))
		return false;
	return !copy(out, size, real);
}

static int find_clang(struct hupcc_paths *p)
{
	static const char *const fallback[] = { "/usr/lib/llvm-19/bin", NULL };
	const char *env = getenv("HUPCC_CLANG");

	if (env && *env) {
		if (!is_exe(env)) {
			hupcc_err("HUPCC_CLANG=%s is not an executable", env);
			return -ENOENT;
		}
		return copy(p->clang, sizeof(p->clang), env);
	}
	/* clang-19 on PATH, else LLVM 19's own directory; a bare "clang" on
	 * PATH may be another version, whose plugin API differs. */
	if (!hupcc__find_exe("clang-19", fallback, p->clang, sizeof(p->clang)))
		return 0;
	if (!join(p->clang, sizeof(p->clang), fallback[0], "clang") &&
	    is_exe(p->clang))
		return 0;
	hupcc_err("clang-19 not found (looked on PATH and in "
		  "/usr/lib/llvm-19/bin); install clang-19 or set HUPCC_CLANG");
	return -ENOENT;
}

static int find_plugin(struct hupcc_paths *p)
{
	const char *env = getenv("HUPCC_PLUGIN");

	if (env && *env) {
		if (!is_file(env)) {
			hupcc_err("HUPCC_PLUGIN=%s does not exist", env);
			return -ENOENT;
		}
		return copy(p->plugin, sizeof(p->plugin), env);
	}
	if (relative(p->exe_dir, HUPCC_REL_PLUGIN, p->plugin,
		     sizeof(p->plugin)))
		return 0;
#ifdef HUPCC_BUILD_PLUGIN
	if (is_file(HUPCC_BUILD_PLUGIN))
		return copy(p->plugin, sizeof(p->plugin), HUPCC_BUILD_PLUGIN);
#endif
	hupcc_err("the guest-pointer plugin HupGuestPtr.so was not found (looked "
		  "in %s/%s%s%s); reinstall hyperupcalls or set HUPCC_PLUGIN",
		  p->exe_dir, HUPCC_REL_PLUGIN,
#ifdef HUPCC_BUILD_PLUGIN
		  " and ", HUPCC_BUILD_PLUGIN
#else
		  "", ""
#endif
	);
	return -ENOENT;
}

static int find_headers(struct hupcc_paths *p)
{
	char inc[PATH_MAX], probe[PATH_MAX];

	if (relative(p->exe_dir, HUPCC_REL_INCLUDE, inc, sizeof(inc)) &&
	    !join(probe, sizeof(probe), inc, "hyperupcall.h") &&
	    is_file(probe)) {
		p->installed = true;
		/* hlib is installed beside hyperupcall.h: include/hlib/ */
		if (copy(p->sdk_inc, sizeof(p->sdk_inc), inc) ||
		    copy(p->hlib_inc, sizeof(p->hlib_inc), inc))
			return -ENAMETOOLONG;
		return 0;
	}
#if defined(HUPCC_SRC_SDK_INCLUDE) && defined(HUPCC_SRC_HLIB_INCLUDE)
	if (!join(probe, sizeof(probe), HUPCC_SRC_SDK_INCLUDE,
		  "hyperupcall.h") && is_file(probe)) {
		if (copy(p->sdk_inc, sizeof(p->sdk_inc), HUPCC_SRC_SDK_INCLUDE) ||
		    copy(p->hlib_inc, sizeof(p->hlib_inc),
			 HUPCC_SRC_HLIB_INCLUDE))
			return -ENAMETOOLONG;
		return 0;
	}
#endif
	hupcc_err("the SDK headers (hyperupcall.h) were not found relative to "
		  "%s; reinstall hyperupcalls", p->exe_dir);
	return -ENOENT;
}

int hupcc__locate(struct hupcc_paths *p, bool need_plugin, bool verbose)
{
	int err;

	memset(p, 0, sizeof(*p));
	err = exe_dir(p->exe_dir, sizeof(p->exe_dir));
	if (err) {
		hupcc_err("cannot find my own location: %s", strerror(-err));
		return err;
	}
	err = find_clang(p);
	if (!err && need_plugin)
		err = find_plugin(p);
	if (!err)
		err = find_headers(p);
	if (err)
		return err;
	if (verbose) {
		hupcc_note("clang:   %s", p->clang);
		hupcc_note("plugin:  %s", need_plugin ? p->plugin : "(none)");
		hupcc_note("headers: %s, %s (%s)", p->sdk_inc, p->hlib_inc,
			   p->installed ? "installed" : "source tree");
	}
	return 0;
}
