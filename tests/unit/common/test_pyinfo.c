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
 * the cache and its invalidation, where the cache lives. Real CPython
 * interpreters are found by unit_find_pythons (unit.h); tests that need
 * one are skipped when there is none. Finding an interpreter from what -p
 * names (common/pyfind.c) is tested in test_pyfind.c.
 */

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
	assert_same_str("implementation", a->implementation, b->implementation);
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
	struct unit_py pys[16];
	size_t n, i;

	UNIT_NEED_PYTHONS(pys, n);
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
		/* The Pythons tested here are CPythons (t1060 tries PyPy). */
		assert_same_str("implementation", "cpython", info.implementation);
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
			      unit_exists(info.stdlib_landmark),
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
	struct unit_py pys[16];
	struct venv_pyinfo info;
	char cache[PATH_MAX];
	size_t n;

	UNIT_NEED_PYTHONS(pys, n);
	set_cache_dir(cache, sizeof(cache), "nocache");
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, VENV_PYINFO_NO_CACHE), 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, VENV_PYINFO_NO_CACHE), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_msg(!unit_exists(cache), "expected no cache directory, saw '%s'", cache);
	/* VENV_NO_CACHE in the environment does the same. */
	ck_assert_int_eq(setenv("VENV_NO_CACHE", "1", 1), 0);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[0].path, 0), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_msg(!unit_exists(cache), "expected no cache directory with VENV_NO_CACHE");
}
END_TEST

START_TEST(test_pyinfo__second_load_from_cache)
{
	struct unit_py pys[16];
	struct venv_pyinfo first, second;
	char cache[PATH_MAX], file[PATH_MAX + 64];
	size_t n, i;

	UNIT_NEED_PYTHONS(pys, n);
	set_cache_dir(cache, sizeof(cache), "cached");
	for (i = 0; i < n; i++) {
		ck_assert_msg(venv_pyinfo_load(&first, pys[i].path, 0) == 0, "cannot load '%s': %s",
			      pys[i].path, venv_error_last());
		ck_assert_int_eq(first.from_cache, 0);
		cache_file(file, sizeof(file), cache, pys[i].path);
		ck_assert_msg(unit_exists(file), "expected the cache file '%s'", file);
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
	struct unit_py pys[16];
	struct venv_pyinfo info, fresh;
	char cache[PATH_MAX], file[PATH_MAX + 64];
	static const char *const garbage[] = {
		"",
		"not a cache file at all",
		"venv-pyinfo-1",
		"venv-pyinfo-0\0/wrong/format",
	};
	size_t n, i;

	UNIT_NEED_PYTHONS(pys, n);
	set_cache_dir(cache, sizeof(cache), "badcache");
	ck_assert_int_eq(venv_pyinfo_load(&fresh, pys[0].path, 0), 0);
	cache_file(file, sizeof(file), cache, pys[0].path);
	for (i = 0; i < VENV_ARRAY_SIZE(garbage); i++) {
		unit_put(file, garbage[i], 0644);
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
		unit_put(decoy, "venv-pyinfo-1", 0644);
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
	struct unit_py pys[16];
	struct venv_pyinfo info;
	char d[PATH_MAX], cache[PATH_MAX], alias[PATH_MAX + 16];
	char from[PATH_MAX + 64], to[PATH_MAX + 64];
	size_t n;

	UNIT_NEED_PYTHONS(pys, n);
	unit_dir(d, sizeof(d), tmp_root, "other-path");
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
	struct unit_py pys[16];
	struct venv_pyinfo info;
	char d[PATH_MAX], cache[PATH_MAX], link[PATH_MAX + 16], longer[PATH_MAX + 8];
	const struct unit_py *a, *b;
	char *slash;
	size_t n;

	/*
	 * The invoked path is a link we own, pointing at a real interpreter
	 * (a copied binary might not find its standard library). Re-pointing
	 * or touching the link must make the next load probe again.
	 */
	UNIT_NEED_PYTHONS(pys, n);
	unit_dir(d, sizeof(d), tmp_root, "relink");
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
	struct unit_py pys[16];
	struct venv_pyinfo info;
	char d[PATH_MAX], cache[PATH_MAX], wrap[PATH_MAX + 16], file[PATH_MAX + 64];
	struct vbuf script = VBUF_INIT(VBUF_MAX_PATH);
	size_t n;

	/* A launcher script (like a pyenv shim) may run something else next time. */
	UNIT_NEED_PYTHONS(pys, n);
	unit_dir(d, sizeof(d), tmp_root, "launcher");
	set_cache_dir(cache, sizeof(cache), "launcher");
	PATHF(wrap, "%s/python-wrapper", d);
	ck_assert_int_eq(vbuf_addf(&script, "#!/bin/sh\nexec '%s' \"$@\"\n", pys[0].path), 0);
	unit_put(wrap, script.buf, 0755);
	ck_assert_msg(venv_pyinfo_load(&info, wrap, 0) == 0, "cannot load through a script: %s",
		      venv_error_last());
	ck_assert_int_eq(info.major, 3);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	ck_assert_int_eq(venv_pyinfo_load(&info, wrap, 0), 0);
	ck_assert_int_eq(info.from_cache, 0);
	venv_pyinfo_release(&info);
	cache_file(file, sizeof(file), cache, wrap);
	ck_assert_msg(!unit_exists(file), "expected no cache file for a script");
	vbuf_release(&script);
}
END_TEST

START_TEST(test_pyinfo__not_a_python)
{
	struct venv_pyinfo info;
	char d[PATH_MAX], f[PATH_MAX + 16];

	unit_dir(d, sizeof(d), tmp_root, "not-python");
	/* Exits 0 but prints nothing. */
	PATHF(f, "%s/quiet", d);
	unit_put(f, "#!/bin/sh\nexit 0\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), f) && strstr(venv_error_last(), "not a usable Python"),
		      "expected a message naming '%s', saw '%s'", f, venv_error_last());
	ck_assert_ptr_null(info.invoked);
	/* Exits non-zero. */
	PATHF(f, "%s/fails", d);
	unit_put(f, "#!/bin/sh\nexit 3\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "status 3") != NULL,
		      "expected the exit status in the message, saw '%s'", venv_error_last());
	/* Prints something that is not the probe's output. */
	PATHF(f, "%s/chatty", d);
	unit_put(f, "#!/bin/sh\nprintf 'major\\0%s\\0minor\\0twelve\\0' 3\n", 0755);
	ck_assert_int_eq(venv_pyinfo_load(&info, f, VENV_PYINFO_NO_CACHE), VENV_EINVAL);
	PATHF(f, "%s/truncated", d);
	unit_put(f, "#!/bin/sh\nprintf 'major\\0%s\\0minor' 3\n", 0755);
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

	unit_pyenv_root(root, sizeof(root));
	PATHF(vdir, "%s/versions", root);
	if (!root[0] || !(dd = opendir(vdir))) {
		fprintf(stderr, "note: no pyenv versions; skipping %s\n", __func__);
		return;
	}
	while ((de = readdir(dd)) != NULL && tried < 2) {
		int minor = unit_minor_of(de->d_name);
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
	tcase_add_test(tc, test_pyinfo__cache_dir);
	tcase_add_test(tc, test_pyinfo__fnv1a_vectors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests change HOME, XDG_CACHE_HOME and VENV_*CACHE*: one process each. */
	return unit_run_forked(pyinfo_suite());
}
