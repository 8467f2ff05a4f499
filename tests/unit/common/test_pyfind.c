#include "compat.h"
#include <check.h>
#include "error.h"
#include "path.h"
#include "pyinfo.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("pyfind")

/*
 * Unit tests for common/pyfind.c: interpreter discovery from what -p names
 * (a path, a command on PATH, a version spec or range) or from a
 * .python-version file, among PATH and pyenv's versions and shims.
 * Discovery rules that need no interpreter use fake pyenv trees built in a
 * temporary directory; tests that need a real CPython find one with
 * unit_find_pythons (unit.h) and are skipped when there is none.
 */

/* mkdir -p: path and its missing parents. */
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

START_TEST(test_pyfind__by_path)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], f[PATH_MAX + 16];

	unit_dir(d, sizeof(d), tmp_root, "find-path");
	PATHF(f, "%s/py", d);
	unit_put(f, "#!/bin/sh\n", 0755);
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
	unit_put("data", "x", 0644);
	if (geteuid() != 0)
		ck_assert_int_eq(venv_python_find(&out, "./data"), VENV_EINVAL);
	ck_assert_int_eq(venv_python_find(&out, ""), VENV_EINVAL);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_pyfind__by_command_name)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], f[PATH_MAX + 16];

	unit_dir(d, sizeof(d), tmp_root, "find-name");
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

/* venv_python_find(spec) finds ROOT/versions/REL (out and want are the caller's buffers). */
static void expect_found(struct vbuf *out, struct vbuf *want, const char *root, const char *spec,
			 const char *rel)
{
	ck_assert_int_eq(venv_python_find(out, spec), 0);
	vbuf_reset(want);
	ck_assert_int_eq(vbuf_addf(want, "%s/versions/%s", root, rel), 0);
	ck_assert_str_eq(out->buf, want->buf);
}

/* Interpreters only in the pyenv root: PATH is the empty directory `empty` (made here). */
static void only_pyenv(const char *root, const char *empty)
{
	ck_assert_int_eq(mkdir(empty, 0755), 0);
	ck_assert_int_eq(setenv("PATH", empty, 1), 0);
	ck_assert_int_eq(setenv("PYENV_ROOT", root, 1), 0);
	ck_assert_int_eq(unsetenv("PYENV_VERSION"), 0);
}

START_TEST(test_pyfind__version_spec_newest_patch)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], empty[PATH_MAX + 16], home[PATH_MAX + 16];

	unit_dir(d, sizeof(d), tmp_root, "find-spec");
	PATHF(root, "%s/pyenv", d);
	PATHF(empty, "%s/empty", d);
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
	only_pyenv(root, empty);

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
	expect_found(&out, &want, root, "3.12.9", "3.12.9/bin/python3.12");
	ck_assert_int_eq(venv_python_find(&out, "3.12.2"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "found: 3.13.0, 3.12.10") != NULL,
		      "expected the versions found, newest first, saw '%s'", venv_error_last());
	expect_found(&out, &want, root, "3", "3.13.0/bin/python3.13");
	expect_found(&out, &want, root, "<3.12", "3.9.18/bin/python3.9");
	ck_assert_int_eq(venv_python_find(&out, "==3.12"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_python_find(&out, "py27"), VENV_EINVAL);
	ck_assert_int_eq(venv_python_find(&out, ">=3.11,<"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "not found on PATH") != NULL,
		      "expected a bad range to be taken as a name, saw '%s'", venv_error_last());
	expect_found(&out, &want, root, "3.9", "3.9.18/bin/python3.9");
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

START_TEST(test_pyfind__version_spec_path_and_pyenv)
{
	struct unit_py pys[16];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], bin[PATH_MAX + 16], f[PATH_MAX + 32];
	char name[64], spec[32], same[64], newer[64];
	struct venv_pyinfo info;
	size_t n;

	UNIT_NEED_PYTHONS(pys, n);
	ck_assert_int_eq(venv_pyinfo_load(&info, pys[n - 1].path, 0), 0);
	unit_dir(d, sizeof(d), tmp_root, "find-spec-path");
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

START_TEST(test_pyfind__version_spec_real_pyenv)
{
	struct unit_py pys[16];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], empty[PATH_MAX + 16], spec[16];
	size_t n, i;

	UNIT_NEED_PYTHONS(pys, n);
	if (!pys[0].version[0]) {
		fprintf(stderr, "note: no pyenv versions; skipping %s\n", __func__);
		return;
	}
	unit_dir(d, sizeof(d), tmp_root, "find-real");
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
	unit_put(f, "#!/bin/sh\necho 'the shim itself was run' >&2\nexit 99\n", 0755);
}

START_TEST(test_pyfind__resolves_pyenv_shim)
{
	struct unit_py pys[16];
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], shims[PATH_MAX + 32], f[PATH_MAX + 64];
	char work[PATH_MAX + 16];
	const char *target = "/bin/sh";
	struct venv_pyinfo info;
	size_t n;

	n = unit_find_pythons(pys, VENV_ARRAY_SIZE(pys));
	if (n)
		target = pys[n - 1].path;
	unit_dir(d, sizeof(d), tmp_root, "shim");
	PATHF(root, "%s/pyenv", d);
	PATHF(shims, "%s/shims", root);
	PATHF(work, "%s/proj/deeper", d);
	mkdir_p(work);
	ck_assert_int_eq(chdir(work), 0);
	fake_shim(root, "python3");
	fake_version(root, "myver", "python3", target);
	fake_version(root, "other", "python3", target);
	PATHF(f, "%s/version", root);
	unit_put(f, "# the global version\n\nmyver\n", 0644);
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
	unit_put(f, "other\n", 0644);
	expect_found(&out, &want, root, "python3", "other/bin/python3");
	/* PYENV_VERSION wins over both; several versions are tried in order. */
	ck_assert_int_eq(setenv("PYENV_VERSION", "missing:myver", 1), 0);
	expect_found(&out, &want, root, "python3", "myver/bin/python3");
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

START_TEST(test_pyfind__version_spec_through_shim)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], shims[PATH_MAX + 32];

	struct unit_py pys[16];
	char name[64], spec[32], other[32];
	size_t n;

	/*
	 * A named (virtualenv-style) pyenv version reached only through its
	 * shim: resolved without running the shim, then probed for its version.
	 */
	UNIT_NEED_PYTHONS(pys, n);
	PATHF(name, "python3.%d", pys[n - 1].minor);
	PATHF(spec, "3.%d", pys[n - 1].minor);
	PATHF(other, "3.%d", pys[n - 1].minor + 1);
	unit_dir(d, sizeof(d), tmp_root, "shim-spec");
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

START_TEST(test_pyfind__default_python_version_file)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf why = VBUF_INIT(VBUF_MAX_LINE);
	char d[PATH_MAX], root[PATH_MAX + 16], bin[PATH_MAX + 16], f[PATH_MAX + 32];

	unit_dir(d, sizeof(d), tmp_root, "dot-python-version");
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
	unit_put(".python-version", "# pinned\n\n3.12\n3.9\n", 0644);
	ck_assert_int_eq(venv_python_find_why(&out, &why, NULL), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.12.4/bin/python3.12", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_msg(strstr(why.buf, ".python-version asks for '3.12'") != NULL,
		      "expected -v's note to name the file, saw '%s'", why.buf);
	unit_put(".python-version", "cpython@3.9\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/3.9.18/bin/python3.9", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* A pyenv version name. */
	unit_put(".python-version", "named-env\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/versions/named-env/bin/python3", root), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* -p wins over the file. */
	ck_assert_int_eq(venv_python_find(&out, "3.9"), 0);
	ck_assert_str_eq(out.buf + strlen(out.buf) - strlen("3.9.18/bin/python3.9"),
			 "3.9.18/bin/python3.9");
	/* What cannot be found is an error naming the file. */
	unit_put(".python-version", "3.11\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), VENV_ENOTFOUND);
	ck_assert_msg(!strncmp(venv_error_last(), "'.python-version': no Python matching '3.11'", 44),
		      "saw '%s'", venv_error_last());
	unit_put(".python-version", "no-such-thing\n", 0644);
	ck_assert_int_eq(venv_python_find(&out, NULL), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "'.python-version' asks for 'no-such-thing'"),
		      "saw '%s'", venv_error_last());
	ck_assert_int_eq(unlink(".python-version"), 0);
	vbuf_release(&out);
	vbuf_release(&want);
	vbuf_release(&why);
}
END_TEST

/*
 * "pypy3.9", "pypy", "pp39": a PyPy among PATH's pypy3 and pypy3.N and
 * pyenv's pypyX.Y-A.B.C, probed; never a CPython release of pyenv, and
 * "3.9" never one of pyenv's PyPy releases. With a pypy3 on PATH (CI has
 * none), a pyenv release leading to it is found by each form.
 */
START_TEST(test_pyfind__pypy_request)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf pypy = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], root[PATH_MAX + 16], empty[PATH_MAX + 16], spec[32], packed[32];
	char rel[64];
	static const char *const none[] = { "pypy3.9", "pypy", "pp39", "pypy@3.9", "pypy3" };
	struct venv_pyinfo info;
	size_t i;

	/* Before PATH changes: the real PyPy, if there is one. */
	if (venv_path_search(&pypy, "pypy3") < 0)
		vbuf_reset(&pypy);
	venv_error_clear();
	unit_dir(d, sizeof(d), tmp_root, "find-pypy");
	PATHF(root, "%s/pyenv", d);
	PATHF(empty, "%s/empty", d);
	fake_version(root, "3.9.18", "python3.9", "/bin/sh");
	/* Not a release: never looked at (it would be probed, and fail). */
	fake_version(root, "pypy3.9-c-jit-latest", "pypy3.9", "/bin/sh");
	only_pyenv(root, empty);
	for (i = 0; i < VENV_ARRAY_SIZE(none); i++) {
		ck_assert_int_eq(venv_python_find(&out, none[i]), VENV_ENOTFOUND);
		ck_assert_msg(strstr(venv_error_last(), "no PyPy matching") &&
			      strstr(venv_error_last(), "(found: none of 3.8 or later)"),
			      "-p %s: expected no PyPy, and no CPython counted; saw '%s'", none[i],
			      venv_error_last());
	}
	/* A CPython request is not a PyPy's. */
	expect_found(&out, &want, root, "3.9", "3.9.18/bin/python3.9");
	if (!pypy.len)
		goto done;
	ck_assert_int_eq(venv_pyinfo_load(&info, pypy.buf, 0), 0);
	ck_assert(venv_pyinfo_is_pypy(&info));
	PATHF(spec, "pypy%d.%d-7.3.99", info.major, info.minor);
	fake_version(root, spec, "pypy3", pypy.buf);
	PATHF(rel, "%s/bin/pypy3", spec);
	PATHF(spec, "pypy%d.%d", info.major, info.minor);
	PATHF(packed, "pp%d%d", info.major, info.minor);
	/* No pypyX.Y in the release: its pypy3. */
	expect_found(&out, &want, root, spec, rel);
	ck_assert_int_eq(venv_python_find(&out, "pypy"), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_python_find(&out, packed), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* Still no CPython for "3.9": the PyPy is found only behind "pypy". */
	PATHF(spec, "%d.%d", info.major, info.minor);
	if (info.minor != 9)
		ck_assert_int_eq(venv_python_find(&out, spec), VENV_ENOTFOUND);
	venv_pyinfo_release(&info);
done:
	vbuf_release(&out);
	vbuf_release(&want);
	vbuf_release(&pypy);
}
END_TEST

static Suite *pyfind_suite(void)
{
	Suite *s = suite_create("pyfind");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	/* Some tests start interpreters; slow machines and sanitizers need room. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_pyfind__by_path);
	tcase_add_test(tc, test_pyfind__by_command_name);
	tcase_add_test(tc, test_pyfind__version_spec_newest_patch);
	tcase_add_test(tc, test_pyfind__version_spec_path_and_pyenv);
	tcase_add_test(tc, test_pyfind__version_spec_real_pyenv);
	tcase_add_test(tc, test_pyfind__resolves_pyenv_shim);
	tcase_add_test(tc, test_pyfind__version_spec_through_shim);
	tcase_add_test(tc, test_pyfind__default_python_version_file);
	tcase_add_test(tc, test_pyfind__pypy_request);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests change PATH, HOME, PYENV_* and the working directory: one process each. */
	return unit_run_forked(pyfind_suite());
}
