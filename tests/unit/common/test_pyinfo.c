#include "compat.h"
#include <dirent.h>
#include <sys/time.h>
#include <check.h>
#include "error.h"
#include "path.h"
#include "pyinfo.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("pyinfo")

/*
 * Unit tests for common/pyinfo.c: learning facts from real interpreters,
 * the cache and its invalidation, and interpreter discovery (PATH, version
 * specs, pyenv versions and shims). Real CPython interpreters are found the
 * way tests/cli/lib.sh's find_pythons does: pyenv's 3.8+ versions under
 * $PYENV_ROOT or ~/.pyenv, else python3 on PATH; tests that need one are
 * skipped when there is none. Discovery rules that need no interpreter use
 * fake pyenv trees built in a temporary directory.
 */

/* A fresh directory <root>/<name> for one test. */
static void test_dir(char *out, size_t n, const char *name)
{
	ck_assert_msg(snprintf(out, n, "%s/%s", tmp_root, name) < (int)n, "path too long");
	ck_assert_msg(mkdir(out, 0755) == 0, "cannot create '%s': %s", out, strerror(errno));
}

static void mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	PATHF(tmp, "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert_msg(mkdir(tmp, 0755) == 0 || errno == EEXIST, "mkdir '%s': %s", tmp,
			      strerror(errno));
		*p = '/';
	}
	ck_assert_msg(mkdir(tmp, 0755) == 0 || errno == EEXIST, "mkdir '%s': %s", tmp,
		      strerror(errno));
}

static void put(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "cannot create '%s': %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* ---- finding real interpreters ---- */

struct py {
	char path[PATH_MAX];
	char version[64]; /* the pyenv version directory name, or "" */
	int minor;        /* -1 when unknown */
};

static void pyenv_root_dir(char *out, size_t n)
{
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");

	if (root && *root)
		ck_assert_int_lt(snprintf(out, n, "%s", root), (int)n);
	else if (home && *home)
		ck_assert_int_lt(snprintf(out, n, "%s/.pyenv", home), (int)n);
	else
		out[0] = '\0';
}

/* Parse "3.N" or "3.N.x..." into N; -1 when the name is not a plain 3.x version. */
static int minor_of(const char *name)
{
	char *end;
	long minor;
	const char *p;

	if (strncmp(name, "3.", 2))
		return -1;
	for (p = name; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
	minor = strtol(name + 2, &end, 10);
	if (end == name + 2 || (*end && *end != '.'))
		return -1;
	return (int)minor;
}

/*
 * The real CPython 3.8+ interpreters of this machine, one per minor
 * version (the newest patch release), oldest first; or python3 from PATH
 * when pyenv has none. Returns how many were found.
 */
static size_t find_pythons(struct py *out, size_t max)
{
	char root[PATH_MAX], vdir[PATH_MAX + 16];
	struct dirent *de;
	size_t n = 0, i, j;
	DIR *d;

	pyenv_root_dir(root, sizeof(root));
	PATHF(vdir, "%s/versions", root);
	if (root[0] && (d = opendir(vdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			int minor = minor_of(de->d_name);
			char path[PATH_MAX];

			if (minor < 8 || strlen(de->d_name) >= sizeof(out->version))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s/bin/python3.%d", vdir, de->d_name,
				     minor) >= (int)sizeof(path) || access(path, X_OK))
				continue;
			for (i = 0; i < n && out[i].minor != minor; i++)
				;
			if (i < n) {
				if (strverscmp(de->d_name, out[i].version) <= 0)
					continue;
			} else if (n < max) {
				n++;
			} else {
				continue;
			}
			out[i].minor = minor;
			snprintf(out[i].version, sizeof(out[i].version), "%s", de->d_name);
			snprintf(out[i].path, sizeof(out[i].path), "%s", path);
		}
		closedir(d);
	}
	if (!n && max) {
		struct vbuf found = VBUF_INIT(VBUF_MAX_PATH);

		if (venv_python_find(&found, "python3") == 0 && found.len < sizeof(out->path)) {
			snprintf(out[0].path, sizeof(out[0].path), "%s", found.buf);
			out[0].version[0] = '\0';
			out[0].minor = -1;
			n = 1;
		}
		vbuf_release(&found);
	}
	/* Oldest first. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1].minor > out[j].minor; j--) {
			struct py t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

#define NEED_PYTHONS(pys, n) \
	do { \
		(n) = find_pythons((pys), VENV_ARRAY_SIZE(pys)); \
		if (!(n)) { \
			fprintf(stderr, "note: no Python interpreter found; skipping %s\n", __func__); \
			return; \
		} \
	} while (0)

/* The cache file of an invoked path, as pyinfo.c names it. */
static void cache_file(char *out, size_t n, const char *cache_dir, const char *invoked)
{
	ck_assert_int_lt(snprintf(out, n, "%s/pyinfo/%016llx", cache_dir,
				  (unsigned long long)venv_fnv1a(invoked, strlen(invoked))), (int)n);
}

static void assert_same_str(const char *what, const char *a, const char *b)
{
	ck_assert_msg(a && b && !strcmp(a, b), "%s: expected '%s', saw '%s'", what,
		      a ? a : "(null)", b ? b : "(null)");
}

static void assert_same_info(const struct venv_pyinfo *a, const struct venv_pyinfo *b)
{
	size_t i;

	assert_same_str("invoked", a->invoked, b->invoked);
	ck_assert_int_eq(a->major, b->major);
	ck_assert_int_eq(a->minor, b->minor);
	ck_assert_int_eq(a->micro, b->micro);
	assert_same_str("version", a->version, b->version);
	assert_same_str("executable", a->executable, b->executable);
	assert_same_str("base_executable", a->base_executable, b->base_executable);
	assert_same_str("real_executable", a->real_executable, b->real_executable);
	assert_same_str("base_prefix", a->base_prefix, b->base_prefix);
	assert_same_str("platform", a->platform, b->platform);
	ck_assert_int_eq(a->is64, b->is64);
	assert_same_str("platlibdir", a->platlibdir, b->platlibdir);
	assert_same_str("scripts", a->scripts, b->scripts);
	assert_same_str("include", a->include, b->include);
	assert_same_str("purelib", a->purelib, b->purelib);
	assert_same_str("platlib", a->platlib, b->platlib);
	assert_same_str("stdlib_landmark", a->stdlib_landmark, b->stdlib_landmark);
	ck_assert_int_eq(a->has_ensurepip, b->has_ensurepip);
	ck_assert_uint_eq(a->nwheels, b->nwheels);
	for (i = 0; i < a->nwheels; i++)
		assert_same_str("wheel", a->wheels[i], b->wheels[i]);
}

static void set_cache_dir(char *out, size_t n, const char *test)
{
	ck_assert_int_lt(snprintf(out, n, "%s/%s-cache", tmp_root, test), (int)n);
	ck_assert_int_eq(setenv("VENV_CACHE_DIR", out, 1), 0);
	ck_assert_int_eq(unsetenv("VENV_NO_CACHE"), 0);
}

/* ---- venv_pyinfo_load ---- */

START_TEST(test_pyinfo__load_fills_fields)
{
	struct py pys[16];
	size_t n, i;

	NEED_PYTHONS(pys, n);
	for (i = 0; i < n; i++) {
		struct venv_pyinfo info;
		struct vbuf want = VBUF_INIT(VBUF_MAX_PATH);
		char *real = realpath(pys[i].path, NULL);
		size_t k;

		ck_assert_ptr_nonnull(real);
		ck_assert_msg(venv_pyinfo_load(&info, pys[i].path, VENV_PYINFO_NO_CACHE) == 0,
			      "cannot load '%s': %s", pys[i].path, venv_error_last());
		ck_assert_int_eq(info.from_cache, 0);
		assert_same_str("invoked", pys[i].path, info.invoked);
		ck_assert_int_eq(info.major, 3);
		if (pys[i].minor >= 0)
			ck_assert_int_eq(info.minor, pys[i].minor);
		ck_assert_int_ge(info.minor, 8);
		ck_assert_int_eq(vbuf_addf(&want, "%d.%d.%d", info.major, info.minor, info.micro), 0);
		assert_same_str("version", want.buf, info.version);
		if (pys[i].version[0])
			assert_same_str("version (pyenv's name)", pys[i].version, info.version);
		/* Run by an absolute path, sys.executable is that path. */
		assert_same_str("executable", pys[i].path, info.executable);
		assert_same_str("base_executable", info.executable, info.base_executable);
		assert_same_str("real_executable", real, info.real_executable);
		ck_assert_msg(info.base_prefix[0] == '/' &&
			      venv_path_is_within(info.real_executable, info.base_prefix),
			      "expected '%s' inside base_prefix '%s'", info.real_executable,
			      info.base_prefix);
#ifdef __linux__
		assert_same_str("platform", "linux", info.platform);
#endif
		ck_assert_int_eq(info.is64, SIZE_MAX > 0xffffffffu);
		ck_assert_msg(info.platlibdir[0] && !strchr(info.platlibdir, '/'),
			      "expected a plain platlibdir, saw '%s'", info.platlibdir);
		assert_same_str("scripts", "bin", info.scripts);
		ck_assert_msg(!strcmp(info.include, "include") ||
			      !strncmp(info.include, "include/python3.", 16),
			      "expected include or include/python3.N, saw '%s'", info.include);
		vbuf_reset(&want);
		ck_assert_int_eq(vbuf_addf(&want, "lib/python3.%d/site-packages", info.minor), 0);
		assert_same_str("purelib", want.buf, info.purelib);
		vbuf_reset(&want);
		ck_assert_int_eq(vbuf_addf(&want, "%s/python3.%d/site-packages", info.platlibdir,
					   info.minor), 0);
		assert_same_str("platlib", want.buf, info.platlib);
		k = strlen(info.stdlib_landmark);
		ck_assert_msg(info.stdlib_landmark[0] == '/' && k > 6 &&
			      !strcmp(info.stdlib_landmark + k - 6, "/os.py") &&
			      exists(info.stdlib_landmark),
			      "expected an existing .../os.py, saw '%s'", info.stdlib_landmark);
		ck_assert_msg(info.has_ensurepip == 0 || info.has_ensurepip == 1,
			      "expected has_ensurepip 0 or 1, saw %d", info.has_ensurepip);
		if (info.has_ensurepip)
			ck_assert_msg(info.nwheels >= 1, "expected ensurepip's wheels for '%s'",
				      pys[i].path);
		for (k = 0; k < info.nwheels; k++) {
			size_t wl = strlen(info.wheels[k]);

			ck_assert_msg(wl > 4 && !strcmp(info.wheels[k] + wl - 4, ".whl"),
				      "expected a wheel path, saw '%s'", info.wheels[k]);
		}
		venv_pyinfo_release(&info);
		ck_assert_ptr_null(info.invoked);
		ck_assert_ptr_null(info.wheels);
		vbuf_release(&want);
		free(real);
	}
}
END_TEST

START_TEST(test_pyinfo__no_cache_flag_writes_nothing)
{
	struct py pys[16];
	struct venv_pyinfo info;
	char cache[PATH_MAX];
	size_t n;

	NEED_PYTHONS(pys, n);
	set_cache_dir(cache, sizeof(cache), "nocache");
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, VENV_PYINFO_NO_CACHE), 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, VENV_PYINFO_NO_CACHE), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_msg(!exists(cache), "expected no cache directory, saw '%s'", cache);
	/* VENV_NO_CACHE in the environment does the same. */
	ck_assert_int_eq(setenv("VENV_NO_CACHE", "1", 1), 0);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_msg(!exists(cache), "expected no cache directory with VENV_NO_CACHE");
}
END_TEST

START_TEST(test_pyinfo__second_load_from_cache)
{
	struct py pys[16];
	struct venv_pyinfo first, second;
	char cache[PATH_MAX], file[PATH_MAX + 64];
	size_t n, i;

	NEED_PYTHONS(pys, n);
	set_cache_dir(cache, sizeof(cache), "cached");
	for (i = 0; i < n; i++) {
		ck_assert_msg(venv_pyinfo_load(&first, pys[i].path, 0) == 0, "cannot load '%s': %s",
			      pys[i].path, venv_error_last());
		ck_assert_int_eq(first.from_cache, 0);
		cache_file(file, sizeof(file), cache, pys[i].path);
		ck_assert_msg(exists(file), "expected the cache file '%s'", file);
		ck_assert_int_eq(venv_pyinfo_load(&second, pys[i].path, 0), 0);
		ck_assert_msg(second.from_cache == 1, "expected '%s' from the cache on the second load",
			      pys[i].path);
		assert_same_info(&first, &second);
		venv_pyinfo_release(&first);
		venv_pyinfo_release(&second);
	}
}
END_TEST

START_TEST(test_pyinfo__bad_cache_is_ignored)
{
	struct py pys[16];
	struct venv_pyinfo info, fresh;
	char cache[PATH_MAX], file[PATH_MAX + 64];
	static const char *const garbage[] = {
		"",
		"not a cache file at all",
		"venv-pyinfo-1",
		"venv-pyinfo-0\0/wrong/format",
	};
	size_t n, i;

	NEED_PYTHONS(pys, n);
	set_cache_dir(cache, sizeof(cache), "badcache");
	ck_assert_int_eq(venv_pyinfo_load(&fresh, pys[0].path, 0), 0);
	cache_file(file, sizeof(file), cache, pys[0].path);
	for (i = 0; i < VENV_ARRAY_SIZE(garbage); i++) {
		put(file, garbage[i], 0644);
		ck_assert_msg(venv_pyinfo_load(&info, pys[0].path, 0) == 0,
			      "garbage cache %zu: expected a fresh probe, saw '%s'", i,
			      venv_error_last());
		ck_assert_int_eq(info.from_cache, 0);
		assert_same_info(&fresh, &info);
		venv_pyinfo_release(&info);
		/* And the probe rewrote a good cache. */
		ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
		ck_assert_int_eq(info.from_cache, 1);
		venv_pyinfo_release(&info);
	}
	/* A cache file that is a symbolic link is not followed. */
	ck_assert_int_eq(unlink(file), 0);
	{
		char decoy[PATH_MAX + 16];

		PATHF(decoy, "%s/decoy", cache);
		put(decoy, "venv-pyinfo-1", 0644);
		ck_assert_int_eq(symlink(decoy, file), 0);
	}
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	venv_pyinfo_release(&fresh);
}
END_TEST

START_TEST(test_pyinfo__cache_of_another_path_is_not_used)
{
	struct py pys[16];
	struct venv_pyinfo info;
	char d[PATH_MAX], cache[PATH_MAX], alias[PATH_MAX + 16];
	char from[PATH_MAX + 64], to[PATH_MAX + 64];
	size_t n;

	NEED_PYTHONS(pys, n);
	test_dir(d, sizeof(d), "other-path");
	set_cache_dir(cache, sizeof(cache), "other-path");
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
	venv_pyinfo_release(&info);
	/* Give another path (a link to the newest interpreter) the first one's cache file. */
	PATHF(alias, "%s/python", d);
	ck_assert_int_eq(symlink(pys[n - 1].path, alias), 0);
	cache_file(from, sizeof(from), cache, pys[0].path);
	cache_file(to, sizeof(to), cache, alias);
	ck_assert_int_eq(link(from, to), 0);
	ck_assert_int_eq(venv_pyinfo_load(&info, alias, 0), 0);
	ck_assert_msg(info.from_cache == 0, "expected another path's cache entry to be ignored");
	assert_same_str("invoked", alias, info.invoked);
	if (pys[n - 1].minor >= 0)
		ck_assert_int_eq(info.minor, pys[n - 1].minor);
	venv_pyinfo_release(&info);
}
END_TEST

START_TEST(test_pyinfo__cache_invalidated_when_link_changes)
{
	struct py pys[16];
	struct venv_pyinfo info;
	char d[PATH_MAX], cache[PATH_MAX], link[PATH_MAX + 16], longer[PATH_MAX + 8];
	const struct py *a, *b;
	char *slash;
	size_t n;

	/*
	 * The invoked path is a link we own, pointing at a real interpreter
	 * (a copied binary might not find its standard library). Re-pointing
	 * or touching the link must make the next load probe again.
	 */
	NEED_PYTHONS(pys, n);
	test_dir(d, sizeof(d), "relink");
	set_cache_dir(cache, sizeof(cache), "relink");
	a = &pys[0];
	b = &pys[n - 1];
	PATHF(link, "%s/python", d);
	ck_assert_int_eq(symlink(a->path, link), 0);
	ck_assert_int_eq(venv_pyinfo_load(&info, link, 0), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, link, 0), 0);
	ck_assert_int_eq(info.from_cache, 1);
	assert_same_str("invoked", link, info.invoked);
	assert_same_str("executable", link, info.executable);
	venv_pyinfo_release(&info);

	/* Re-point it (to another version when there is one, else to the same file by a longer name). */
	ck_assert_int_eq(unlink(link), 0);
	if (b != a) {
		ck_assert_int_eq(symlink(b->path, link), 0);
	} else {
		slash = strrchr(a->path, '/');
		ck_assert_ptr_nonnull(slash);
		PATHF(longer, "%.*s/.%s", (int)(slash - a->path), a->path, slash);
		ck_assert_int_eq(symlink(longer, link), 0);
	}
	ck_assert_int_eq(venv_pyinfo_load(&info, link, 0), 0);
	ck_assert_msg(info.from_cache == 0, "expected a re-pointed link to invalidate the cache");
	if (b->minor >= 0)
		ck_assert_int_eq(info.minor, b->minor);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, link, 0), 0);
	ck_assert_int_eq(info.from_cache, 1);
	if (b->minor >= 0)
		ck_assert_int_eq(info.minor, b->minor);
	venv_pyinfo_release(&info);

	/* Touching the link itself (a new mtime) is a change too. */
	{
		struct timespec ts[2];

		ts[0].tv_sec = ts[1].tv_sec = 1000000000;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		ck_assert_int_eq(utimensat(AT_FDCWD, link, ts, AT_SYMLINK_NOFOLLOW), 0);
	}
	ck_assert_int_eq(venv_pyinfo_load(&info, link, 0), 0);
	ck_assert_msg(info.from_cache == 0, "expected a touched link to invalidate the cache");
	venv_pyinfo_release(&info);
}
END_TEST

START_TEST(test_pyinfo__script_launcher_is_not_cached)
{
	struct py pys[16];
	struct venv_pyinfo info;
	char d[PATH_MAX], cache[PATH_MAX], wrap[PATH_MAX + 16], file[PATH_MAX + 64];
	struct vbuf script = VBUF_INIT(VBUF_MAX_PATH);
	size_t n;

	/* A launcher script (like a pyenv shim) may run something else next time. */
	NEED_PYTHONS(pys, n);
	test_dir(d, sizeof(d), "launcher");
	set_cache_dir(cache, sizeof(cache), "launcher");
	PATHF(wrap, "%s/python-wrapper", d);
	ck_assert_int_eq(vbuf_addf(&script, "#!/bin/sh\nexec '%s' \"$@\"\n", pys[0].path), 0);
	put(wrap, script.buf, 0755);
	ck_assert_msg(venv_pyinfo_load(&info, wrap, 0) == 0, "cannot load through a script: %s",
		      venv_error_last());
	ck_assert_int_eq(info.major, 3);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, wrap, 0), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	cache_file(file, sizeof(file), cache, wrap);
	ck_assert_msg(!exists(file), "expected no cache file for a script");
	vbuf_release(&script);
}
END_TEST

START_TEST(test_pyinfo__not_a_python)
{
	struct venv_pyinfo info;
	char d[PATH_MAX], f[PATH_MAX + 16];

	test_dir(d, sizeof(d), "not-python");
	/* Exits 0 but prints nothing. */
	PATHF(f, "%s/quiet", d);
	put(f, "#!/bin/sh\nexit 0\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), f) && strstr(venv_error_last(), "not a usable Python"),
		      "expected a message naming '%s', saw '%s'", f, venv_error_last());
	ck_assert_ptr_null(info.invoked);
	/* Exits non-zero. */
	PATHF(f, "%s/fails", d);
	put(f, "#!/bin/sh\nexit 3\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "status 3") != NULL,
		      "expected the exit status in the message, saw '%s'", venv_error_last());
	/* Prints something that is not the probe's output. */
	PATHF(f, "%s/chatty", d);
	put(f, "#!/bin/sh\nprintf 'major\\0%s\\0minor\\0twelve\\0' 3\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	PATHF(f, "%s/truncated", d);
	put(f, "#!/bin/sh\nprintf 'major\\0%s\\0minor' 3\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	/* Missing. */
	PATHF(f, "%s/missing", d);
	ck_assert_msg(venv_pyinfo_load(&info, f, 0) < 0, "expected a missing interpreter to fail");
	ck_assert_ptr_null(info.invoked);
}
END_TEST

START_TEST(test_pyinfo__too_old_python_refused)
{
	char root[PATH_MAX], vdir[PATH_MAX + 16], path[PATH_MAX];
	struct venv_pyinfo info;
	struct dirent *de;
	DIR *dd;
	int tried = 0;

	pyenv_root_dir(root, sizeof(root));
	PATHF(vdir, "%s/versions", root);
	if (!root[0] || !(dd = opendir(vdir))) {
		fprintf(stderr, "note: no pyenv versions; skipping %s\n", __func__);
		return;
	}
	while ((de = readdir(dd)) != NULL && tried < 2) {
		int minor = minor_of(de->d_name);
		char mm[16];

		if (minor >= 0 && minor < 8)
			snprintf(mm, sizeof(mm), "3.%d", minor);
		else if (!strncmp(de->d_name, "2.7", 3))
			snprintf(mm, sizeof(mm), "2.7");
		else
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/bin/python%s", vdir, de->d_name, mm) >=
		    (int)sizeof(path) || access(path, X_OK))
			continue;
		tried++;
		{
			/* Python 2 complains about -I on stderr: keep that out of the test log. */
			int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC), rc;

			ck_assert_int_ge(saved, 0);
			ck_assert_int_ge(null, 0);
			ck_assert_int_eq(dup2(null, 2), 2);
			rc = venv_pyinfo_load(&info, path, VENV_PYINFO_NO_CACHE);
			ck_assert_int_eq(dup2(saved, 2), 2);
			close(saved);
			close(null);
			ck_assert_int_eq(rc, VENV_EINVAL);
		}
		ck_assert_msg(strstr(venv_error_last(), "3.8 or later") != NULL,
			      "'%s': expected a message asking for 3.8 or later, saw '%s'", path,
			      venv_error_last());
	}
	closedir(dd);
	if (!tried)
		fprintf(stderr, "note: no Python older than 3.8 found; skipping %s\n", __func__);
}
END_TEST

/* ---- venv_python_find ---- */

START_TEST(test_pyinfo__find_by_path)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], f[PATH_MAX + 16];

	test_dir(d, sizeof(d), "find-path");
	PATHF(f, "%s/py", d);
	put(f, "#!/bin/sh\n", 0755);
	ck_assert_int_eq(venv_python_find(&out, f), 0);
	ck_assert_str_eq(out.buf, f);
	/* Relative and unnormalised paths come back absolute and normalised, not resolved. */
	ck_assert_int_eq(chdir(d), 0);
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	ck_assert_int_eq(symlink("py", "link"), 0);
	ck_assert_int_eq(venv_python_find(&out, "./sub/../py"), 0);
	ck_assert_str_eq(out.buf, f);
	ck_assert_int_eq(venv_python_find(&out, "./link"), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/link", d), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, "./missing"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_python_find(&out, "./sub"), VENV_EINVAL);
	put("data", "x", 0644);
	if (geteuid() != 0)
		ck_assert_int_eq(venv_python_find(&out, "./data"), VENV_EINVAL);
	ck_assert_int_eq(venv_python_find(&out, ""), VENV_EINVAL);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_pyinfo__find_by_command_name)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], f[PATH_MAX + 16];

	test_dir(d, sizeof(d), "find-name");
	PATHF(f, "%s/mypython", d);
	ck_assert_int_eq(symlink("/bin/sh", f), 0);
	PATHF(f, "%s/python3", d);
	ck_assert_int_eq(symlink("/bin/sh", f), 0);
	ck_assert_int_eq(setenv("PATH", d, 1), 0);
	ck_assert_int_eq(venv_python_find(&out, "mypython"), 0);
	PATHF(f, "%s/mypython", d);
	ck_assert_str_eq(out.buf, f);
	/* NULL means python3. */
	ck_assert_int_eq(venv_python_find(&out, NULL), 0);
	PATHF(f, "%s/python3", d);
	ck_assert_str_eq(out.buf, f);
	ck_assert_int_eq(venv_python_find(&out, "no-such-python"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "'no-such-python'") != NULL,
		      "expected the message to name it, saw '%s'", venv_error_last());
	vbuf_release(&out);
}
END_TEST

/* A fake pyenv version: <root>/versions/<name>/bin/<exe> -> target. */
static void fake_version(const char *root, const char *name, const char *exe, const char *target)
{
	char dir[PATH_MAX], f[PATH_MAX + 64];

	PATHF(dir, "%s/versions/%s/bin", root, name);
	mkdir_p(dir);
	PATHF(f, "%s/%s", dir, exe);
	ck_assert_int_eq(symlink(target, f), 0);
}

START_TEST(test_pyinfo__find_version_spec_newest_patch)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], empty[PATH_MAX + 16], home[PATH_MAX + 16];

	test_dir(d, sizeof(d), "find-spec");
	PATHF(root, "%s/pyenv", d);
	PATHF(empty, "%s/empty", d);
	ck_assert_int_eq(mkdir(empty, 0755), 0);
	fake_version(root, "3.12.1", "python3.12", "/bin/sh");
	fake_version(root, "3.12.9", "python3.12", "/bin/sh");
	fake_version(root, "3.12.10", "python3.12", "/bin/sh");
	fake_version(root, "3.12.11rc1", "python3.12", "/bin/sh");
	fake_version(root, "3.12-dev", "python3.12", "/bin/sh");
	fake_version(root, "3.9.18", "python3.9", "/bin/sh");
	fake_version(root, "3.1.5", "python3.1", "/bin/sh");
	fake_version(root, "3.13.0", "python3.13", "/bin/sh");
	/* A newer version without the executable does not count. */
	fake_version(root, "3.12.20", "not-python", "/bin/sh");
	ck_assert_int_eq(setenv("PATH", empty, 1), 0);
	ck_assert_int_eq(setenv("PYENV_ROOT", root, 1), 0);
	ck_assert_int_eq(unsetenv("PYENV_VERSION"), 0);

	ck_assert_int_eq(venv_python_find(&out, "3.12"), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.12.10/bin/python3.12", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* "3.1" is not a prefix of "3.12", and is too old to be looked for. */
	ck_assert_int_eq(venv_python_find(&out, "3.1"), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "older than 3.8") != NULL,
		      "expected 'older than 3.8', saw '%s'", venv_error_last());
	/* The forms uv and virtualenv accept, each naming 3.12 (the newest, 3.12.10). */
	{
		static const char *const forms[] = {
			"cpython3.12", "cpython@3.12", "CPython-3.12", "python3.12", "py312",
			"cp312", "py3.12", ">=3.12,<3.13", "==3.12.*", "~=3.12.0", ">3.12.9, <3.13",
			"!=3.13.*,>=3.10"
		};
		size_t i;

		vbuf_reset(&want);
		ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.12.10/bin/python3.12", root), 0);
		for (i = 0; i < VENV_ARRAY_SIZE(forms); i++) {
			ck_assert_msg(venv_python_find(&out, forms[i]) == 0, "'%s': %s", forms[i],
				      venv_error_last());
			ck_assert_msg(!strcmp(out.buf, want.buf), "'%s': expected %s, saw %s",
				      forms[i], want.buf, out.buf);
		}
	}
	/* A patch release, a whole major version, and ranges pick the newest match. */
	ck_assert_int_eq(venv_python_find(&out, "3.12.9"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.12.9/bin/python3.12", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, "3.12.2"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "found: 3.13.0, 3.12.10") != NULL,
		      "expected the versions found, newest first, saw '%s'", venv_error_last());
	ck_assert_int_eq(venv_python_find(&out, "3"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.13.0/bin/python3.13", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, "<3.12"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.9.18/bin/python3.9", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, "==3.12"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_python_find(&out, "py27"), VENV_EINVAL);
	ck_assert_int_eq(venv_python_find(&out, ">=3.11,<"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "not found on PATH") != NULL,
		      "expected a bad range to be taken as a name, saw '%s'", venv_error_last());
	ck_assert_int_eq(venv_python_find(&out, "3.9"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.9.18/bin/python3.9", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, "3.10"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_python_find(&out, "4"), VENV_ENOTFOUND);

	/* Without PYENV_ROOT, ~/.pyenv is used. */
	ck_assert_int_eq(unsetenv("PYENV_ROOT"), 0);
	PATHF(home, "%s/home", d);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	{
		char hroot[PATH_MAX + 32];

		PATHF(hroot, "%s/.pyenv", home);
		fake_version(hroot, "3.11.4", "python3.11", "/bin/sh");
		ck_assert_int_eq(setenv("HOME", home, 1), 0);
		ck_assert_int_eq(venv_python_find(&out, "3.11"), 0);
		vbuf_reset(&want);
		ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.11.4/bin/python3.11", hroot), 0);
		ck_assert_str_eq(out.buf, want.buf);
	}
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_pyinfo__find_version_spec_path_and_pyenv)
{
	struct py pys[16];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], bin[PATH_MAX + 16], f[PATH_MAX + 32];
	char name[64], spec[32], same[64], newer[64];
	struct venv_pyinfo info;
	size_t n;

	NEED_PYTHONS(pys, n);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[n - 1].path, 0), 0);
	test_dir(d, sizeof(d), "find-spec-path");
	PATHF(root, "%s/pyenv", d);
	PATHF(bin, "%s/bin", d);
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	PATHF(name, "python%d.%d", info.major, info.minor);
	PATHF(spec, "%d.%d", info.major, info.minor);
	PATHF(same, "%d.%d.%d", info.major, info.minor, info.micro);
	PATHF(newer, "%d.%d.%d", info.major, info.minor, info.micro + 1);
	/* python3.N on PATH is probed for its patch release; pyenv's are named by theirs. */
	PATHF(f, "%s/%s", bin, name);
	ck_assert_int_eq(symlink(pys[n - 1].path, f), 0);
	fake_version(root, same, name, "/bin/sh");
	ck_assert_int_eq(setenv("PATH", bin, 1), 0);
	ck_assert_int_eq(setenv("PYENV_ROOT", root, 1), 0);
	/* The same release in both: PATH's. */
	ck_assert_int_eq(venv_python_find(&out, spec), 0);
	ck_assert_str_eq(out.buf, f);
	/* A newer one in pyenv: the newest. */
	fake_version(root, newer, name, "/bin/sh");
	ck_assert_int_eq(venv_python_find(&out, spec), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/%s/bin/%s", root, newer, name), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* An exact patch release that only PATH has (pyenv's are fakes of other releases). */
	ck_assert_int_eq(venv_python_find(&out, same), 0);
	ck_assert_str_eq(out.buf, f);
	/* The name is a command on PATH: it is taken as it is, not as a version. */
	ck_assert_int_eq(venv_python_find(&out, name), 0);
	ck_assert_str_eq(out.buf, f);
	venv_pyinfo_release(&info);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_pyinfo__find_version_spec_real_pyenv)
{
	struct py pys[16];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], empty[PATH_MAX + 16], spec[16];
	size_t n, i;

	NEED_PYTHONS(pys, n);
	if (!pys[0].version[0]) {
		fprintf(stderr, "note: no pyenv versions; skipping %s\n", __func__);
		return;
	}
	test_dir(d, sizeof(d), "find-real");
	PATHF(empty, "%s/empty", d);
	ck_assert_int_eq(mkdir(empty, 0755), 0);
	ck_assert_int_eq(setenv("PATH", empty, 1), 0);
	for (i = 0; i < n; i++) {
		struct venv_pyinfo info;

		PATHF(spec, "3.%d", pys[i].minor);
		ck_assert_msg(venv_python_find(&out, spec) == 0, "cannot find '%s': %s", spec,
			      venv_error_last());
		ck_assert_str_eq(out.buf, pys[i].path);
		ck_assert_int_eq(venv_pyinfo_load(&info, out.buf, VENV_PYINFO_NO_CACHE), 0);
		ck_assert_int_eq(info.minor, pys[i].minor);
		venv_pyinfo_release(&info);
	}
	vbuf_release(&out);
}
END_TEST

/*
 * A fake pyenv root: shims/<exe> scripts that must never be run, and
 * versions/<name>/bin/<exe> links to a real interpreter (or /bin/sh).
 */
static void fake_shim(const char *root, const char *exe)
{
	char dir[PATH_MAX], f[PATH_MAX + 64];

	PATHF(dir, "%s/shims", root);
	mkdir_p(dir);
	PATHF(f, "%s/%s", dir, exe);
	put(f, "#!/bin/sh\necho 'the shim itself was run' >&2\nexit 99\n", 0755);
}

START_TEST(test_pyinfo__find_resolves_pyenv_shim)
{
	struct py pys[16];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], shims[PATH_MAX + 32], f[PATH_MAX + 64];
	char work[PATH_MAX + 16];
	const char *target = "/bin/sh";
	struct venv_pyinfo info;
	size_t n;

	n = find_pythons(pys, VENV_ARRAY_SIZE(pys));
	if (n)
		target = pys[n - 1].path;
	test_dir(d, sizeof(d), "shim");
	PATHF(root, "%s/pyenv", d);
	PATHF(shims, "%s/shims", root);
	PATHF(work, "%s/proj/deeper", d);
	mkdir_p(work);
	ck_assert_int_eq(chdir(work), 0);
	fake_shim(root, "python3");
	fake_version(root, "myver", "python3", target);
	fake_version(root, "other", "python3", target);
	PATHF(f, "%s/version", root);
	put(f, "# the global version\n\nmyver\n", 0644);
	ck_assert_int_eq(setenv("PATH", shims, 1), 0);
	ck_assert_int_eq(setenv("PYENV_ROOT", root, 1), 0);
	ck_assert_int_eq(unsetenv("PYENV_VERSION"), 0);

	/* The global version file. */
	ck_assert_int_eq(venv_python_find(&out, "python3"), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/myver/bin/python3", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	if (n) {
		/* What the shim resolved to is a working interpreter. */
		ck_assert_msg(venv_pyinfo_load(&info, out.buf, 0) == 0, "cannot load '%s': %s",
			      out.buf, venv_error_last());
		ck_assert_int_eq(info.major, 3);
		venv_pyinfo_release(&info);
	}
	/* .python-version in a parent of the working directory wins over the global file. */
	PATHF(f, "%s/proj/.python-version", d);
	put(f, "other\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, "python3"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/other/bin/python3", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* PYENV_VERSION wins over both; several versions are tried in order. */
	ck_assert_int_eq(setenv("PYENV_VERSION", "missing:myver", 1), 0);
	ck_assert_int_eq(venv_python_find(&out, "python3"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/myver/bin/python3", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/*
	 * Names that climb out of versions/ are never resolved, and the shim is
	 * never run: the newest pyenv release that has the command is used.
	 */
	fake_version(root, "3.9.1", "python3", "/bin/sh");
	fake_version(root, "3.10.2", "python3", "/bin/sh");
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.10.2/bin/python3", root), 0);
	ck_assert_int_eq(setenv("PYENV_VERSION", "../versions/myver", 1), 0);
	ck_assert_int_eq(venv_python_find(&out, "python3"), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(setenv("PYENV_VERSION", "..", 1), 0);
	ck_assert_int_eq(venv_python_find(&out, "python3"), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* "system": the next python3 on PATH after the shims. */
	ck_assert_int_eq(setenv("PYENV_VERSION", "system", 1), 0);
	{
		char sys[PATH_MAX + 16], path[2 * PATH_MAX + 64];

		PATHF(sys, "%s/sysbin", d);
		ck_assert_int_eq(mkdir(sys, 0755), 0);
		PATHF(f, "%s/python3", sys);
		ck_assert_int_eq(symlink("/bin/sh", f), 0);
		PATHF(path, "%s:%s", shims, sys);
		ck_assert_int_eq(setenv("PATH", path, 1), 0);
		ck_assert_int_eq(venv_python_find(&out, "python3"), 0);
		ck_assert_str_eq(out.buf, f);
	}
	/* A selected version without the command: what the shim would fail on. */
	fake_shim(root, "python3.99");
	ck_assert_int_eq(setenv("PYENV_VERSION", "myver", 1), 0);
	ck_assert_int_eq(venv_python_find(&out, "python3.99"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "pyenv's shim") != NULL,
		      "expected the error to name pyenv's shim, saw '%s'", venv_error_last());
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_pyinfo__find_version_spec_through_shim)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], shims[PATH_MAX + 32];

	struct py pys[16];
	char name[64], spec[32], other[32];
	size_t n;

	/*
	 * A named (virtualenv-style) pyenv version reached only through its
	 * shim: resolved without running the shim, then probed for its version.
	 */
	NEED_PYTHONS(pys, n);
	PATHF(name, "python3.%d", pys[n - 1].minor);
	PATHF(spec, "3.%d", pys[n - 1].minor);
	PATHF(other, "3.%d", pys[n - 1].minor + 1);
	test_dir(d, sizeof(d), "shim-spec");
	ck_assert_int_eq(chdir(d), 0);
	PATHF(root, "%s/pyenv", d);
	PATHF(shims, "%s/shims", root);
	fake_shim(root, name);
	fake_version(root, "proj-env", name, pys[n - 1].path);
	ck_assert_int_eq(setenv("PATH", shims, 1), 0);
	ck_assert_int_eq(setenv("PYENV_ROOT", root, 1), 0);
	ck_assert_int_eq(setenv("PYENV_VERSION", "proj-env", 1), 0);
	ck_assert_msg(venv_python_find(&out, spec) == 0, "%s: %s", spec, venv_error_last());
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/proj-env/bin/%s", root, name), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, other), VENV_ENOTFOUND);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_pyinfo__find_default_python_version_file)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf why = VBUF_INIT(VBUF_MAX_LINE);
	char d[PATH_MAX], root[PATH_MAX + 16], bin[PATH_MAX + 16], f[PATH_MAX + 32];

	test_dir(d, sizeof(d), "dot-python-version");
	PATHF(root, "%s/pyenv", d);
	PATHF(bin, "%s/bin", d);
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	fake_version(root, "3.9.18", "python3.9", "/bin/sh");
	fake_version(root, "3.12.1", "python3.12", "/bin/sh");
	fake_version(root, "3.12.4", "python3.12", "/bin/sh");
	fake_version(root, "named-env", "python3", "/bin/sh");
	PATHF(f, "%s/python3", bin);
	ck_assert_int_eq(symlink("/bin/sh", f), 0);
	ck_assert_int_eq(setenv("PATH", bin, 1), 0);
	ck_assert_int_eq(setenv("PYENV_ROOT", root, 1), 0);
	ck_assert_int_eq(unsetenv("PYENV_VERSION"), 0);
	ck_assert_int_eq(chdir(d), 0);
	/* No file: python3 on PATH. */
	ck_assert_int_eq(venv_python_find_why(&out, &why, NULL), 0);
	ck_assert_str_eq(out.buf, f);
	/* The file's first version line is a request like -p's. */
	put(".python-version", "# pinned\n\n3.12\n3.9\n", 0644);
	ck_assert_int_eq(venv_python_find_why(&out, &why, NULL), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.12.4/bin/python3.12", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_msg(strstr(why.buf, ".python-version asks for '3.12'") != NULL,
		      "expected -v's note to name the file, saw '%s'", why.buf);
	put(".python-version", "cpython@3.9\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.9.18/bin/python3.9", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* A pyenv version name. */
	put(".python-version", "named-env\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/named-env/bin/python3", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* -p wins over the file. */
	ck_assert_int_eq(venv_python_find(&out, "3.9"), 0);
	ck_assert_str_eq(out.buf + strlen(out.buf) - strlen("3.9.18/bin/python3.9"),
			 "3.9.18/bin/python3.9");
	/* What cannot be found is an error naming the file. */
	put(".python-version", "3.11\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), VENV_ENOTFOUND);
	ck_assert_msg(!strncmp(venv_error_last(), "'.python-version': no Python matching '3.11'", 44),
		      "saw '%s'", venv_error_last());
	put(".python-version", "no-such-thing\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "'.python-version' asks for 'no-such-thing'"),
		      "saw '%s'", venv_error_last());
	ck_assert_int_eq(unlink(".python-version"), 0);
	vbuf_release(&out);
	vbuf_release(&want);
	vbuf_release(&why);
}
END_TEST

/* ---- cache dir, hash ---- */

START_TEST(test_pyinfo__cache_dir)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);

	ck_assert_int_eq(setenv("VENV_CACHE_DIR", "/custom/cache", 1), 0);
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", "/xdg", 1), 0);
	ck_assert_int_eq(setenv("HOME", "/srv/u", 1), 0);
	ck_assert_int_eq(venv_cache_dir(&out), 0);
	ck_assert_str_eq(out.buf, "/custom/cache");
	ck_assert_int_eq(setenv("VENV_CACHE_DIR", "", 1), 0);
	ck_assert_int_eq(venv_cache_dir(&out), 0);
	ck_assert_str_eq(out.buf, "/xdg/venv");
	/* A relative XDG_CACHE_HOME is invalid by the spec and ignored. */
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", "rel", 1), 0);
	ck_assert_int_eq(venv_cache_dir(&out), 0);
	ck_assert_str_eq(out.buf, "/srv/u/.cache/venv");
	ck_assert_int_eq(unsetenv("XDG_CACHE_HOME"), 0);
	ck_assert_int_eq(unsetenv("VENV_CACHE_DIR"), 0);
	ck_assert_int_eq(venv_cache_dir(&out), 0);
	ck_assert_str_eq(out.buf, "/srv/u/.cache/venv");
	ck_assert_int_eq(unsetenv("HOME"), 0);
	ck_assert_int_eq(venv_cache_dir(&out), VENV_ENOTFOUND);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_pyinfo__fnv1a_vectors)
{
	/* The published FNV-1a 64-bit test vectors. */
	ck_assert_msg(venv_fnv1a("", 0) == 0xcbf29ce484222325ULL, "fnv1a('') mismatch");
	ck_assert_msg(venv_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL, "fnv1a('a') mismatch");
	ck_assert_msg(venv_fnv1a("foobar", 6) == 0x85944171f73967e8ULL, "fnv1a('foobar') mismatch");
}
END_TEST

static Suite *pyinfo_suite(void)
{
	Suite *s = suite_create("pyinfo");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	/* Each test starts a few interpreters; slow machines and sanitizers need room. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_pyinfo__load_fills_fields);
	tcase_add_test(tc, test_pyinfo__no_cache_flag_writes_nothing);
	tcase_add_test(tc, test_pyinfo__second_load_from_cache);
	tcase_add_test(tc, test_pyinfo__bad_cache_is_ignored);
	tcase_add_test(tc, test_pyinfo__cache_of_another_path_is_not_used);
	tcase_add_test(tc, test_pyinfo__cache_invalidated_when_link_changes);
	tcase_add_test(tc, test_pyinfo__script_launcher_is_not_cached);
	tcase_add_test(tc, test_pyinfo__not_a_python);
	tcase_add_test(tc, test_pyinfo__too_old_python_refused);
	tcase_add_test(tc, test_pyinfo__find_by_path);
	tcase_add_test(tc, test_pyinfo__find_by_command_name);
	tcase_add_test(tc, test_pyinfo__find_version_spec_newest_patch);
	tcase_add_test(tc, test_pyinfo__find_version_spec_path_and_pyenv);
	tcase_add_test(tc, test_pyinfo__find_version_spec_real_pyenv);
	tcase_add_test(tc, test_pyinfo__find_resolves_pyenv_shim);
	tcase_add_test(tc, test_pyinfo__find_version_spec_through_shim);
	tcase_add_test(tc, test_pyinfo__find_default_python_version_file);
	tcase_add_test(tc, test_pyinfo__cache_dir);
	tcase_add_test(tc, test_pyinfo__fnv1a_vectors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pyinfo_suite());
	int failed;

	/* Tests change PATH, HOME, PYENV_* and the working directory: one process each. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
