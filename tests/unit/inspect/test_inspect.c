/*
 * Tests for inspect/inspect.c on environments built by hand in a temporary
 * directory: a fake base installation (an executable named python3.12, a
 * standard library landmark, patchlevel.h) and an environment linking to
 * it, then broken one way at a time. The CLI tests do the same with real
 * interpreters.
 */
#include "compat.h"
#include <check.h>
#include "error.h"
#include "inspect.h"
#include "list.h"
#include "model.h"
#include "ruleset.h"

static char top[PATH_MAX], env[PATH_MAX], base[PATH_MAX];
static struct venv_report rep;

static void writef(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "expected to create '%s': %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void p(char *out, size_t size, const char *a, const char *b)
{
	ck_assert_int_lt(snprintf(out, size, "%s/%s", a, b), (int)size);
}

static void mkn(const char *rel, const char *data, size_t len, mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	p(path, sizeof(path), top, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void mk(const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX];

	p(path, sizeof(path), top, rel);
	writef(path, text, mode);
}

static void md(const char *rel)
{
	char path[PATH_MAX];

	p(path, sizeof(path), top, rel);
	ck_assert_msg(mkdir(path, 0755) == 0, "expected to mkdir '%s': %s", path, strerror(errno));
}

static void ln(const char *target, const char *rel)
{
	char path[PATH_MAX];

	p(path, sizeof(path), top, rel);
	ck_assert_msg(symlink(target, path) == 0, "expected to link '%s': %s", path, strerror(errno));
}

static void rm(const char *rel)
{
	char path[PATH_MAX];

	p(path, sizeof(path), top, rel);
	ck_assert_msg(unlink(path) == 0, "expected to remove '%s': %s", path, strerror(errno));
}

static void setup(void)
{
	char tmpl[] = "/tmp/venv-unit-inspect.XXXXXX", t[4 * PATH_MAX];
	const char *tmp = getenv("TMPDIR");

	if (tmp && *tmp) {
		char alt[PATH_MAX];

		ck_assert_int_lt(snprintf(alt, sizeof(alt), "%s/venv-unit-inspect.XXXXXX", tmp),
				 (int)sizeof(alt));
		ck_assert_ptr_nonnull(mkdtemp(alt));
		snprintf(top, sizeof(top), "%s", alt);
	} else {
		ck_assert_ptr_nonnull(mkdtemp(tmpl));
		snprintf(top, sizeof(top), "%s", tmpl);
	}
	p(env, sizeof(env), top, "env");
	p(base, sizeof(base), top, "base");
	/* The base installation. */
	md("base");
	md("base/bin");
	md("base/lib");
	md("base/lib/python3.12");
	md("base/include");
	md("base/include/python3.12");
	mk("base/bin/python3.12", "#!/bin/false\n", 0755);
	mk("base/lib/python3.12/os.py", "# landmark\n", 0644);
	mk("base/include/python3.12/patchlevel.h", "#define PY_VERSION \"3.12.4\"\n", 0644);
	/* The environment. */
	md("env");
	md("env/bin");
	md("env/include");
	md("env/lib");
	md("env/lib/python3.12");
	md("env/lib/python3.12/site-packages");
	ln("lib", "env/lib64");
	ck_assert_int_lt(snprintf(t, sizeof(t), "home = %s/bin\ninclude-system-site-packages = false\n"
				  "version = 3.12.4\nexecutable = %s/bin/python3.12\n"
				  "command = /usr/local/bin/venv create %s\n", base, base, env),
			 (int)sizeof(t));
	mk("env/pyvenv.cfg", t, 0644);
	snprintf(t, sizeof(t), "%s/bin/python3.12", base);
	ln(t, "env/bin/python3.12");
	ln("python3.12", "env/bin/python3");
	ln("python3.12", "env/bin/python");
	snprintf(t, sizeof(t), "deactivate nondestructive\nVIRTUAL_ENV='%s'\nexport VIRTUAL_ENV\n", env);
	mk("env/bin/activate", t, 0644);
	snprintf(t, sizeof(t), "#!%s/bin/python3.12\nimport sys\n", env);
	mk("env/bin/tool", t, 0755);
	memset(&rep, 0, sizeof(rep));
}

static void teardown(void)
{
	char cmd[3 * PATH_MAX];

	venv_report_release(&rep);
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
				  top, top), (int)sizeof(cmd));
	ck_assert_int_eq(system(cmd), 0);
}

static void check(const char *path)
{
	venv_report_release(&rep);
	ck_assert_msg(venv_check_env(&rep, path, NULL) == 0, "expected the check to run: %s",
		      venv_error_last());
}

static size_t count(int code)
{
	size_t i, n = 0;

	for (i = 0; i < rep.nr; i++)
		n += rep.findings[i].code == code;
	return n;
}

static const struct venv_finding *first(int code)
{
	size_t i;

	for (i = 0; i < rep.nr; i++)
		if (rep.findings[i].code == code)
			return &rep.findings[i];
	return NULL;
}

static void dump(void)
{
	size_t i;

	for (i = 0; i < rep.nr; i++)
		fprintf(stderr, "  VNV%03d %s:%u %s\n", rep.findings[i].code,
			rep.findings[i].file ? rep.findings[i].file : "-", rep.findings[i].line,
			rep.findings[i].message);
}

#define EXPECT(code) do { \
	if (!count(code)) \
		dump(); \
	ck_assert_msg(count(code) > 0, "expected VNV%03d among %zu findings", (int)(code), rep.nr); \
} while (0)

#define EXPECT_NONE() do { \
	if (rep.nr) \
		dump(); \
	ck_assert_msg(rep.nr == 0, "expected no finding, saw %zu", rep.nr); \
} while (0)

START_TEST(test_inspect__healthy)
{
	check(env);
	EXPECT_NONE();
	ck_assert_int_eq(rep.failed, 0);
	ck_assert_int_eq(rep.creator, VENV_CREATOR_VENV);
	ck_assert_str_eq(rep.version, "3.12.4");
}
END_TEST

START_TEST(test_inspect__cannot_inspect_and_not_a_venv)
{
	char missing[PATH_MAX];

	p(missing, sizeof(missing), top, "missing");
	check(missing);
	EXPECT(VENV_DIAG_CANNOT_INSPECT);
	ck_assert_int_eq(rep.failed, 1);
	md("plain");
	mk("plain/README", "hello\n", 0644);
	p(missing, sizeof(missing), top, "plain");
	check(missing);
	EXPECT(VENV_DIAG_NOT_A_VENV);
	ck_assert_int_eq(rep.failed, 0);
	ck_assert_uint_eq(rep.nr, 1);
	/* A Python installation is not an environment either. */
	check(base);
	EXPECT(VENV_DIAG_NOT_A_VENV);
}
END_TEST

START_TEST(test_inspect__missing_cfg_and_unfinished)
{
	rm("env/pyvenv.cfg");
	check(env);
	EXPECT(VENV_DIAG_MISSING_PYVENV_CFG);
	md("half");
	md("half/bin");
	mk("half/pyvenv.cfg", "home = /usr/bin\n", 0644);
	{
		char path[PATH_MAX];

		p(path, sizeof(path), top, "half");
		check(path);
	}
	EXPECT(VENV_DIAG_UNFINISHED_CREATION);
	ck_assert_msg(!count(VENV_DIAG_MISSING_PYTHON) && !count(VENV_DIAG_MISSING_ACTIVATION_SCRIPT),
		      "expected consequences of an unfinished creation not to be reported");
	/* The marker venv create keeps while it works, with or without pyvenv.cfg. */
	mk("env/.venv-incomplete", "", 0644);
	check(env);
	EXPECT(VENV_DIAG_UNFINISHED_CREATION);
	ck_assert_msg(!count(VENV_DIAG_MISSING_PYVENV_CFG), "expected the marker to explain it");
}
END_TEST

START_TEST(test_inspect__moved)
{
	char moved[PATH_MAX];
	const struct venv_finding *f;

	p(moved, sizeof(moved), top, "moved");
	ck_assert_int_eq(rename(env, moved), 0);
	check(moved);
	EXPECT(VENV_DIAG_RELOCATED_ENVIRONMENT);
	EXPECT(VENV_DIAG_SHEBANG_OLD_LOCATION);
	f = first(VENV_DIAG_RELOCATED_ENVIRONMENT);
	ck_assert_uint_eq(f->line, 2);
	ck_assert_msg(strstr(f->file, "/moved/bin/activate") != NULL, "expected the file, saw '%s'",
		      f->file);
	ck_assert_msg(f->fix && strstr(f->fix, moved), "expected the fix to name '%s', saw '%s'",
		      moved, f->fix ? f->fix : "(none)");
}
END_TEST

START_TEST(test_inspect__copied)
{
	char copy[PATH_MAX], cmd[3 * PATH_MAX];

	p(copy, sizeof(copy), top, "copy");
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", env, copy);
	ck_assert_int_eq(system(cmd), 0);
	check(copy);
	EXPECT(VENV_DIAG_RELOCATED_ENVIRONMENT);
	EXPECT(VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT);
	/* The original is still fine. */
	check(env);
	EXPECT_NONE();
}
END_TEST

START_TEST(test_inspect__reached_through_a_link)
{
	char link[PATH_MAX];

	p(link, sizeof(link), top, "link");
	ck_assert_int_eq(symlink(env, link), 0);
	check(link);
	EXPECT_NONE();
}
END_TEST

START_TEST(test_inspect__base_gone)
{
	rm("base/bin/python3.12");
	check(env);
	EXPECT(VENV_DIAG_DANGLING_INTERPRETER_LINK);
	ck_assert_uint_eq(count(VENV_DIAG_DANGLING_INTERPRETER_LINK), 1);
}
END_TEST

START_TEST(test_inspect__base_other_minor)
{
	char t[PATH_MAX];

	rm("base/bin/python3.12");
	mk("base/bin/python3.13", "#!/bin/false\n", 0755);
	ln("python3.13", "base/bin/python3.12");
	md("base/lib/python3.13");
	mk("base/lib/python3.13/os.py", "#\n", 0644);
	mk("env/lib/python3.12/site-packages/pkg.py", "#\n", 0644);
	check(env);
	EXPECT(VENV_DIAG_BASE_VERSION_MISMATCH);
	ck_assert_msg(!count(VENV_DIAG_MISSING_SITE_PACKAGES), "expected the mismatch alone");
	EXPECT(VENV_DIAG_ORPHANED_SITE_PACKAGES);
	(void)t;
}
END_TEST

START_TEST(test_inspect__stdlib_missing)
{
	rm("base/lib/python3.12/os.py");
	check(env);
	EXPECT(VENV_DIAG_BASE_STDLIB_MISSING);
}
END_TEST

START_TEST(test_inspect__stale_version)
{
	mk("base/include/python3.12/patchlevel.h", "#define PY_VERSION \"3.12.9\"\n", 0644);
	check(env);
	EXPECT(VENV_DIAG_STALE_VERSION);
	ck_assert_uint_eq(first(VENV_DIAG_STALE_VERSION)->line, 3);
}
END_TEST

START_TEST(test_inspect__aliases)
{
	rm("env/bin/python3");
	rm("env/bin/python");
	check(env);
	EXPECT(VENV_DIAG_MISSING_INTERPRETER_ALIAS);
	EXPECT(VENV_DIAG_MISSING_PYTHON);
	rm("env/lib64");
	check(env);
	EXPECT(VENV_DIAG_MISSING_LIB64);
}
END_TEST

START_TEST(test_inspect__cfg_problems)
{
	char t[2 * PATH_MAX];

	snprintf(t, sizeof(t), "\xef\xbb\xbfhome = %s/bin\nhome = /else\nversion = 3.12.4\n"
		 "include-system-site-packages = yes\nprompt = caf\xe9", base);
	mk("env/pyvenv.cfg", t, 0644);
	check(env);
	EXPECT(VENV_DIAG_CFG_BOM);
	EXPECT(VENV_DIAG_CFG_NOT_UTF8);
	EXPECT(VENV_DIAG_CFG_NO_FINAL_NEWLINE);
	EXPECT(VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES);
	/* The BOM hides the first home: only one is left. */
	ck_assert(!count(VENV_DIAG_CFG_DUPLICATE_HOME));
	snprintf(t, sizeof(t), "home = %s/bin\nhome = /else\ninclude-system-site-packages = false\n",
		 base);
	mk("env/pyvenv.cfg", t, 0644);
	check(env);
	EXPECT(VENV_DIAG_CFG_DUPLICATE_HOME);
	EXPECT(VENV_DIAG_CFG_MISSING_VERSION);
	mk("env/pyvenv.cfg", "include-system-site-packages = false\nversion = 3.12.4\n", 0644);
	check(env);
	EXPECT(VENV_DIAG_CFG_MISSING_HOME);
	mk("env/bin/pyvenv.cfg", "home = /x\n", 0644);
	check(env);
	EXPECT(VENV_DIAG_CFG_SHADOWED);
}
END_TEST

/*
 * The healthy file with every LF a CR: site.py (text mode) reads all its
 * keys, start-up a `home` of the rest of the file. It was reported as
 * having no include-system-site-packages (VNV207) and no final line break
 * (VNV206); now it is the lone CR (VNV212), at line 1, and the stale home.
 */
START_TEST(test_inspect__cfg_lone_cr)
{
	char t[3 * PATH_MAX + 256];
	const struct venv_finding *f;

	snprintf(t, sizeof(t), "home = %s/bin\rinclude-system-site-packages = false\r"
		 "version = 3.12.4\rexecutable = %s/bin/python3.12\r"
		 "command = /usr/local/bin/venv create %s\r", base, base, env);
	mk("env/pyvenv.cfg", t, 0644);
	check(env);
	EXPECT(VENV_DIAG_CFG_LONE_CR);
	EXPECT(VENV_DIAG_STALE_HOME);
	ck_assert(!count(VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES));
	ck_assert(!count(VENV_DIAG_CFG_NO_FINAL_NEWLINE));
	ck_assert(!count(VENV_DIAG_CFG_MISSING_VERSION));
	ck_assert(!count(VENV_DIAG_CFG_MISSING_HOME));
	f = first(VENV_DIAG_CFG_LONE_CR);
	ck_assert_uint_eq(f->line, 1);
	ck_assert_msg(strstr(f->message, "reads 5,") && strstr(f->message, "reads 1,"),
		      "expected both readers' line counts in '%s'", f->message);
	ck_assert_str_eq(rep.version, "3.12.4");

	/* CR LF line ends are fine for both. */
	snprintf(t, sizeof(t), "home = %s/bin\r\ninclude-system-site-packages = false\r\n"
		 "version = 3.12.4\r\nexecutable = %s/bin/python3.12\r\n"
		 "command = /usr/local/bin/venv create %s\r\n", base, base, env);
	mk("env/pyvenv.cfg", t, 0644);
	check(env);
	EXPECT_NONE();
}
END_TEST

START_TEST(test_inspect__cfg_special)
{
	char path[PATH_MAX];

	rm("env/pyvenv.cfg");
	p(path, sizeof(path), top, "env/pyvenv.cfg");
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	check(env);
	EXPECT(VENV_DIAG_CFG_UNREADABLE);
	rm("env/pyvenv.cfg");
	ln("/dev/zero", "env/pyvenv.cfg");
	check(env);
	EXPECT(VENV_DIAG_CFG_SYMLINK);
	rm("env/pyvenv.cfg");
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, (off_t)1 << 33), 0);
		close(fd);
	}
	check(env);
	EXPECT(VENV_DIAG_FILE_TOO_LARGE);
}
END_TEST

START_TEST(test_inspect__activation)
{
	char t[2 * PATH_MAX];

	snprintf(t, sizeof(t), "VIRTUAL_ENV=\"%s\";touch /tmp/x;\"\"\n", env);
	mk("env/bin/activate", t, 0644);
	check(env);
	EXPECT(VENV_DIAG_ACTIVATION_INJECTION);
	rm("env/bin/activate");
	check(env);
	EXPECT(VENV_DIAG_MISSING_ACTIVATION_SCRIPT);
	ln("/dev/zero", "env/bin/activate");
	check(env);
	EXPECT(VENV_DIAG_LINK_NOT_FOLLOWED);
	rm("env/bin/activate");
	mkn("env/bin/activate", "\177ELF\0\0\0binary", 14, 0644);
	check(env);
	EXPECT(VENV_DIAG_UNPARSEABLE_FILE);
}
END_TEST

START_TEST(test_inspect__scripts)
{
	char t[600];

	memset(t, 0, sizeof(t));
	memcpy(t, "#!/", 3);
	memset(t + 3, 'x', 300);
	t[303] = '\n';
	mk("env/bin/long", t, 0755);
	mk("env/bin/gone", "#!/no/such/python\n", 0755);
	mk("env/bin/rel", "#!python\n", 0755);
	ln("nowhere", "env/bin/dangling");
	ln("loop", "env/bin/loop");
	check(env);
	EXPECT(VENV_DIAG_SHEBANG_TRUNCATED);
	EXPECT(VENV_DIAG_SHEBANG_MISSING_INTERPRETER);
	ck_assert_uint_eq(count(VENV_DIAG_SHEBANG_MISSING_INTERPRETER), 2);
	EXPECT(VENV_DIAG_DANGLING_COMMAND_LINK);
	EXPECT(VENV_DIAG_LINK_NOT_FOLLOWED);
}
END_TEST

START_TEST(test_inspect__walk)
{
	char path[PATH_MAX];

	mk("env/lib/python3.12/site-packages/open.py", "#\n", 0666);
	p(path, sizeof(path), top, "env/lib/python3.12/site-packages/open.py");
	ck_assert_int_eq(chmod(path, 0666), 0);
	p(path, sizeof(path), top, "env/lib/python3.12/site-packages/fifo");
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	mk("env/lib/python3.12/site-packages/old.pth", "# comment\nimport os\n/no/such/dir\n\n./here\n",
	   0644);
	md("env/lib/python3.12/site-packages/here");
	md("env/lib/python3.12/site-packages/fast");
	mk("env/lib/python3.12/site-packages/fast/_a.cpython-311-x86_64-linux-gnu.so", "", 0644);
	mk("env/lib/python3.12/site-packages/fast/_b.cpython-311-x86_64-linux-gnu.so", "", 0644);
	mk("env/lib/python3.12/site-packages/fast/_c.cpython-312-x86_64-linux-gnu.so", "", 0644);
	mk("env/lib/python3.12/site-packages/fast/_d.abi3.so", "", 0644);
	check(env);
	EXPECT(VENV_DIAG_WORLD_WRITABLE);
	EXPECT(VENV_DIAG_SPECIAL_FILE);
	EXPECT(VENV_DIAG_PTH_MISSING_PATH);
	ck_assert_uint_eq(count(VENV_DIAG_PTH_MISSING_PATH), 1);
	ck_assert_uint_eq(first(VENV_DIAG_PTH_MISSING_PATH)->line, 3);
	/* One finding per package, not per module. */
	ck_assert_uint_eq(count(VENV_DIAG_WRONG_ABI_EXTENSION), 1);
}
END_TEST

START_TEST(test_inspect__walk_limits)
{
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	char rel[4096];
	size_t n = 0;
	int i;

	n = (size_t)snprintf(rel, sizeof(rel), "env/lib/python3.12/site-packages");
	for (i = 0; i < 60; i++) {
		n += (size_t)snprintf(rel + n, sizeof(rel) - n, "/d");
		md(rel);
	}
	opts.max_entries = 1000000;
	venv_report_release(&rep);
	ck_assert_int_eq(venv_check_env(&rep, env, &opts), 0);
	EXPECT(VENV_DIAG_WALK_LIMIT);
	opts.max_entries = 5;
	venv_report_release(&rep);
	ck_assert_int_eq(venv_check_env(&rep, env, &opts), 0);
	EXPECT(VENV_DIAG_WALK_LIMIT);
}
END_TEST

/*
 * A distribution as pip leaves it: demo/__init__.py ("x = 1\n", sha256
 * below), its RECORD, METADATA and a dependency that is not installed.
 */
#define DEMO_SHA "sha256=nia_NpkRxFwkPGhBR7I_yeHc_PJX0pmhxjIBam_NM_Q"
static void demo_dist(void)
{
	md("env/lib/python3.12/site-packages/demo");
	md("env/lib/python3.12/site-packages/demo-1.0.dist-info");
	mk("env/lib/python3.12/site-packages/demo/__init__.py", "x = 1\n", 0644);
	mk("env/lib/python3.12/site-packages/demo-1.0.dist-info/METADATA",
	   "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: absent-dep\n", 0644);
	mk("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD",
	   "demo/__init__.py," DEMO_SHA ",6\n"
	   "demo-1.0.dist-info/METADATA,,\ndemo-1.0.dist-info/RECORD,,\n", 0644);
}

static void check_opts(const struct venv_check_options *opts)
{
	venv_report_release(&rep);
	ck_assert_msg(venv_check_env(&rep, env, opts) == 0, "expected the check to run: %s",
		      venv_error_last());
}

static int mentions(const char *text)
{
	size_t i;

	for (i = 0; i < rep.nr; i++)
		if (strstr(rep.findings[i].message, text) ||
		    (rep.findings[i].file && strstr(rep.findings[i].file, text)))
			return 1;
	return 0;
}

/* A site-packages of another project, outside the environment: intruder 6.6. */
static void outside_site(const char *rel)
{
	char dir[PATH_MAX + 64];

	md(rel);
	snprintf(dir, sizeof(dir), "%s/site-packages", rel);
	md(dir);
	snprintf(dir, sizeof(dir), "%s/site-packages/intruder-6.6.dist-info", rel);
	md(dir);
	snprintf(dir, sizeof(dir), "%s/site-packages/intruder-6.6.dist-info/METADATA", rel);
	mk(dir, "Metadata-Version: 2.1\nName: intruder\nVersion: 6.6\n"
	   "Requires-Dist: intruder-dep\n", 0644);
	/* A file to hash: --verify-hashes reads the distributions early, on a thread. */
	snprintf(dir, sizeof(dir), "%s/site-packages/intruder-6.6.dist-info/RECORD", rel);
	mk(dir, "intruder.py," DEMO_SHA ",6\n", 0644);
	snprintf(dir, sizeof(dir), "%s/site-packages/intruder.py", rel);
	mk(dir, "x = 1\n", 0644);
}

/*
 * The distributions are read below the handle of the environment the model
 * holds, never by a path rebuilt from its name: lib/python3.12 swapped for
 * a link out of the environment after the model was loaded, or the
 * environment's path for another directory after its handle was opened,
 * never makes check or list read the site-packages that the link leads to.
 */
START_TEST(test_inspect__dists_through_the_handle)
{
	static const unsigned jobs[] = { 0, 2 };
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	struct venv_list l = { NULL, 0 };
	struct venv_dists kept = VENV_DISTS_INIT;
	struct venv_model m;
	char *kept_site = NULL, a[PATH_MAX], b[PATH_MAX];
	size_t i;
	int fd;

	demo_dist();
	outside_site("outside");
	/* As it is: demo's missing requirement, through the handle. */
	ck_assert_int_eq(venv_model_load(&m, env, 0), 0);
	venv_report_release(&rep);
	ck_assert_int_eq(venv_check_loaded(&rep, &m, NULL), 0);
	ck_assert(mentions("absent-dep"));
	venv_report_release(&rep);
	/* lib/python3.12 becomes a link to outside once the model has seen the directory. */
	p(a, sizeof(a), top, "env/lib/python3.12");
	p(b, sizeof(b), top, "held-python3.12");
	ck_assert_int_eq(rename(a, b), 0);
	p(b, sizeof(b), top, "outside");
	ck_assert_int_eq(symlink(b, a), 0);
	for (i = 0; i < VENV_ARRAY_SIZE(jobs); i++) {
		opts.flags = jobs[i] ? VENV_CHECK_VERIFY_HASHES : 0;
		opts.hash_jobs = jobs[i];
		opts.keep_dists = &kept;
		opts.keep_site = &kept_site;
		ck_assert_int_eq(venv_check_loaded(&rep, &m, &opts), 0);
		if (mentions("intruder"))
			dump();
		ck_assert_msg(!mentions("intruder"), "expected nothing of the site-packages "
			      "outside (jobs %u)", jobs[i]);
		ck_assert_ptr_null(venv_dists_find(&kept, "intruder"));
		venv_dists_release(&kept);
		free(kept_site);
		kept_site = NULL;
		venv_report_release(&rep);
	}
	venv_model_release(&m);
	/* The handle of the environment is listed, not what its path names now. */
	p(b, sizeof(b), top, "held-python3.12");
	ck_assert_int_eq(unlink(a), 0);
	ck_assert_int_eq(rename(b, a), 0);
	fd = open(env, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	p(b, sizeof(b), top, "held");
	ck_assert_int_eq(rename(env, b), 0);
	md("env");
	md("env/lib");
	outside_site("env/lib/python3.12");
	mk("env/pyvenv.cfg", "home = /usr/bin\n", 0644);
	ck_assert_int_eq(venv_list_add(&l, env, fd), 0);
	close(fd);
	ck_assert_uint_eq(l.nr, 1);
	ck_assert_msg(!l.envs[0].error, "%s", l.envs[0].error);
	ck_assert_uint_eq(l.envs[0].dists.nr, 1);
	ck_assert_str_eq(l.envs[0].dists.v[0].name, "demo");
	venv_list_release(&l);
}
END_TEST

/*
 * The distributions are read on a thread of their own while the walk runs
 * (venv_check_dists_prefetch): the first rule that asks for them gets that
 * read, once; a check that ends first waits for the thread and drops what
 * it read.
 */
START_TEST(test_inspect__dists_read_beside_the_rules)
{
	static const struct venv_check_options defaults = VENV_CHECK_OPTIONS_INIT;
	struct venv_check_ctx c = { NULL, NULL, NULL, VENV_SITE_LIST_INIT, NULL, VENV_DISTS_INIT,
				    0, 0, NULL };
	const struct venv_dists *ds = NULL;
	struct venv_model m;

	demo_dist();
	ck_assert_int_eq(venv_model_load(&m, env, 0), 0);
	venv_report_release(&rep);
	memset(&rep, 0, sizeof(rep));
	c.r = &rep;
	c.env = &m;
	c.opts = &defaults;
	ck_assert_int_eq(venv_check_dists_prefetch(&c), 0);
	ck_assert_msg(c.prefetch != NULL, "expected a thread reading the distributions");
	ck_assert_int_eq(venv_check_dists(&c, 0, &ds), 1);
	ck_assert_ptr_null(c.prefetch);
	ck_assert_ptr_eq(ds, &c.dists);
	ck_assert_msg(venv_dists_find(&c.dists, "demo") != NULL, "expected demo among the %zu "
		      "distributions read on the thread", c.dists.nr);
	/* Read once: a second start reads nothing. */
	ck_assert_int_eq(venv_check_dists_prefetch(&c), 0);
	ck_assert_ptr_null(c.prefetch);
	venv_dists_release(&c.dists);
	c.dists_state = 0;
	/* Started, never asked for: joined and dropped (ASan's leak check sees the rest). */
	ck_assert_int_eq(venv_check_dists_prefetch(&c), 0);
	ck_assert_int_eq(venv_check_dists_prefetch_join(&c, 1), 0);
	ck_assert_ptr_null(c.prefetch);
	ck_assert_int_eq(c.dists_state, 0);
	venv_dists_release(&c.dists);
	venv_model_release(&m);
}
END_TEST

/*
 * The trash of a repair (.venv-repair-deleting): an interrupted repair's to
 * check (VNV117, and the walk goes through it), but not to the repair whose
 * threads are emptying it while it looks (VENV_CHECK_OWN_TRASH).
 */
START_TEST(test_inspect__own_trash)
{
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	char path[PATH_MAX];

	md("env/.venv-repair-deleting");
	md("env/.venv-repair-deleting/0");
	mk("env/.venv-repair-deleting/0/open.py", "#\n", 0666);
	p(path, sizeof(path), top, "env/.venv-repair-deleting/0/open.py");
	ck_assert_int_eq(chmod(path, 0666), 0);
	check(env);
	EXPECT(VENV_DIAG_UNFINISHED_REPAIR);
	EXPECT(VENV_DIAG_WORLD_WRITABLE);
	opts.flags = VENV_CHECK_OWN_TRASH;
	check_opts(&opts);
	EXPECT_NONE();
}
END_TEST

START_TEST(test_inspect__audit_hashes)
{
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	char a[PATH_MAX], b[PATH_MAX];

	demo_dist();
	opts.flags = VENV_CHECK_VERIFY_HASHES;
	opts.hash_jobs = 2;
	check_opts(&opts);
	if (count(VENV_DIAG_DIST_FILE_SIZE) || count(VENV_DIAG_RECORD_UNPARSEABLE))
		dump();
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 0);
	/* Same size, other bytes: only the hash sees it. */
	mk("env/lib/python3.12/site-packages/demo/__init__.py", "x = 2\n", 0644);
	check(env);
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 0);
	check_opts(&opts);
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 1);
	ck_assert_ptr_nonnull(strstr(first(VENV_DIAG_DIST_FILE_SIZE)->message, "was modified"));
	/* A hash in hex is a finding on the row, not a crash, and nothing is compared. */
	mk("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD",
	   "demo/__init__.py,sha256=9e26bf369911c45c243c684147b23fc9e1dcfcf257d299a1c632016a6fcd33f4,6\n",
	   0644);
	check_opts(&opts);
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 0);
	ck_assert_uint_eq(count(VENV_DIAG_RECORD_UNPARSEABLE), 1);
	ck_assert_ptr_nonnull(strstr(first(VENV_DIAG_RECORD_UNPARSEABLE)->message, "hexadecimal"));
	/* Reached through a link out of the environment: not followed. */
	mk("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD",
	   "demo/__init__.py," DEMO_SHA ",6\n", 0644);
	mk("env/lib/python3.12/site-packages/demo/__init__.py", "x = 1\n", 0644);
	p(a, sizeof(a), top, "env/lib/python3.12/site-packages/demo");
	p(b, sizeof(b), top, "elsewhere");
	ck_assert_int_eq(rename(a, b), 0);
	ck_assert_int_eq(symlink(b, a), 0);
	check_opts(&opts);
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 0);
	ck_assert_uint_eq(count(VENV_DIAG_LINK_NOT_FOLLOWED), 1);
	/* The link itself is the distribution's directory, not an unowned file. */
	ck_assert_uint_eq(count(VENV_DIAG_UNOWNED_FILES), 0);
}
END_TEST

/* The access time of rel below top after it is set back to 1970, or -1 when it cannot be. */
static time_t atime_reset(const char *rel)
{
	struct timespec t[2] = { { 1, 0 }, { 0, UTIME_OMIT } };
	char path[PATH_MAX];
	struct stat st;

	p(path, sizeof(path), top, rel);
	if (utimensat(AT_FDCWD, path, t, 0) < 0 || stat(path, &st) < 0)
		return -1;
	return st.st_atime;
}

static time_t atime_of(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	p(path, sizeof(path), top, rel);
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_atime;
}

/*
 * A RECORD digest check cannot use (VNV602, not verified) is no reason to
 * read the file: the early hashing of the walk read it whole all the same
 * (and dropped the result). Seen by its access time, which a read moves on
 * from 1970 (relatime); where reads do not move it, nothing can be seen.
 */
START_TEST(test_inspect__audit_bad_digest_not_read)
{
	static const char *const bad[] = {
		"sha256=9e26bf369911c45c243c684147b23fc9e1dcfcf257d299a1c632016a6fcd33f4",
		"sha256=nia_NpkRxFwkPGhBR7I_yeHc_PJX0pmhxjIBam_NM_Q=",
		"sha256=nia_NpkRxFwkPGhBR7I_yeHc_PJX0pmhxjIBam",
	};
	static const unsigned jobs[] = { 0, 2, 4 };
	const char *file = "env/lib/python3.12/site-packages/demo/__init__.py";
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	char record[256], path[PATH_MAX], buf[8];
	size_t i, j;
	int fd, seen;

	demo_dist();
	/* Does a read show? */
	p(path, sizeof(path), top, file);
	seen = atime_reset(file) == 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	seen = seen && atime_of(file) != 1;
	opts.flags = VENV_CHECK_VERIFY_HASHES;
	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++) {
		snprintf(record, sizeof(record), "demo/__init__.py,%s,6\n"
			 "demo-1.0.dist-info/METADATA,,\ndemo-1.0.dist-info/RECORD,,\n", bad[i]);
		mk("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD", record, 0644);
		for (j = 0; j < VENV_ARRAY_SIZE(jobs); j++) {
			opts.hash_jobs = jobs[j];
			ck_assert(atime_reset(file) == 1 || !seen);
			check_opts(&opts);
			ck_assert_uint_eq(count(VENV_DIAG_RECORD_UNPARSEABLE), 1);
			ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 0);
			if (seen)
				ck_assert_msg(atime_of(file) == 1, "expected '%s' not to be read "
					      "(jobs %u)", bad[i], jobs[j]);
		}
	}
	/* The size is still checked: it needs no read (and then the hash is not looked at). */
	mk(file, "x = 10\n", 0644);
	check_opts(&opts);
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_SIZE), 1);
	ck_assert_ptr_nonnull(strstr(first(VENV_DIAG_DIST_FILE_SIZE)->message, "bytes"));
}
END_TEST

START_TEST(test_inspect__audit_notes)
{
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	static unsigned char only[1000];
	char a[PATH_MAX], b[PATH_MAX];
	const struct venv_finding *f;

	demo_dist();
	check(env);
	ck_assert_uint_eq(count(VENV_DIAG_UNOWNED_FILES), 0);
	ck_assert_uint_eq(count(VENV_DIAG_SHARED_HARD_LINKS), 0);
	ck_assert_uint_eq(count(VENV_DIAG_CUSTOMIZE_MODULE), 0);
	md("env/lib/python3.12/site-packages/demo/__pycache__");
	mk("env/lib/python3.12/site-packages/demo/__pycache__/__init__.cpython-312.pyc", "b", 0644);
	mk("env/lib/python3.12/site-packages/stray.py", "\n", 0644);
	mk("env/lib/python3.12/site-packages/demo/data.txt", "\n", 0644);
	mk("env/lib/python3.12/site-packages/sitecustomize.py", "import os\n", 0644);
	p(a, sizeof(a), top, "env/lib/python3.12/site-packages/demo/__init__.py");
	p(b, sizeof(b), top, "other-env-copy.py");
	ck_assert_int_eq(link(a, b), 0);
	check(env);
	ck_assert_uint_eq(count(VENV_DIAG_UNOWNED_FILES), 1);
	f = first(VENV_DIAG_UNOWNED_FILES);
	ck_assert_msg(strstr(f->message, "3 files under site-packages belong to no installed "
			     "distribution: demo/data.txt, sitecustomize.py, stray.py"), "saw '%s'",
		      f->message);
	ck_assert_int_eq(f->severity, VENV_SEVERITY_INFO);
	ck_assert_uint_eq(count(VENV_DIAG_SHARED_HARD_LINKS), 1);
	ck_assert_ptr_nonnull(strstr(first(VENV_DIAG_SHARED_HARD_LINKS)->message, "1 file of "));
	ck_assert_uint_eq(count(VENV_DIAG_CUSTOMIZE_MODULE), 1);
	ck_assert_int_eq(first(VENV_DIAG_CUSTOMIZE_MODULE)->severity, VENV_SEVERITY_WARNING);
	/* Owned by a distribution: an info that names it. */
	mk("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD",
	   "demo/__init__.py," DEMO_SHA ",6\nsitecustomize.py,,\n", 0644);
	check(env);
	f = first(VENV_DIAG_CUSTOMIZE_MODULE);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, VENV_SEVERITY_INFO);
	ck_assert_ptr_nonnull(strstr(f->message, "installed by demo 1.0"));
	/*
	 * A directory no RECORD lists is named once, with its count, bytecode
	 * never counted; judged from the one walk, also when only these rules
	 * are asked for.
	 */
	md("env/lib/python3.12/site-packages/vendored");
	md("env/lib/python3.12/site-packages/vendored/sub");
	md("env/lib/python3.12/site-packages/vendored/sub/__pycache__");
	mk("env/lib/python3.12/site-packages/vendored/a.py", "\n", 0644);
	mk("env/lib/python3.12/site-packages/vendored/sub/b.py", "\n", 0644);
	mk("env/lib/python3.12/site-packages/vendored/sub/__pycache__/b.cpython-312.pyc", "b", 0644);
	memset(only, 0, sizeof(only));
	only[VENV_DIAG_UNOWNED_FILES] = 1;
	only[VENV_DIAG_CUSTOMIZE_MODULE] = 1;
	opts.selected = only;
	venv_report_release(&rep);
	ck_assert_int_eq(venv_check_env(&rep, env, &opts), 0);
	ck_assert_uint_eq(count(VENV_DIAG_UNOWNED_FILES), 1);
	f = first(VENV_DIAG_UNOWNED_FILES);
	ck_assert_msg(strstr(f->message, "4 files under site-packages belong to no installed "
			     "distribution: demo/data.txt, stray.py, vendored/ (2 files)") &&
		      !strstr(f->message, "limit"), "saw '%s'", f->message);
	ck_assert_uint_eq(count(VENV_DIAG_CUSTOMIZE_MODULE), 1);
}
END_TEST

/*
 * An editable install's .pth, told from the distributions' model
 * (common/dist.c): direct_url.json says "editable" and RECORD lists the
 * .pth in site-packages, relative (pip) or absolute (poetry); setuptools'
 * __editable__.NAME-VERSION.pth by its name. A missing path it names is an
 * error naming the distribution; in any other .pth, a warning. The same
 * with the rules asked for alone (the model read without every RECORD)
 * and with the files hashed while the walk runs (its reader's model).
 */
static void editable(const char *dist, const char *record_row, const char *pth)
{
	char rel[PATH_MAX], text[2 * PATH_MAX];

	ck_assert_int_lt(snprintf(rel, sizeof(rel), "env/lib/python3.12/site-packages/%s-0.1.dist-info",
				  dist), (int)sizeof(rel));
	md(rel);
	ck_assert_int_lt(snprintf(rel, sizeof(rel), "env/lib/python3.12/site-packages/%s-0.1.dist-info/"
				  "METADATA", dist), (int)sizeof(rel));
	ck_assert_int_lt(snprintf(text, sizeof(text), "Metadata-Version: 2.1\nName: %s\nVersion: 0.1\n",
				  dist), (int)sizeof(text));
	mk(rel, text, 0644);
	ck_assert_int_lt(snprintf(rel, sizeof(rel), "env/lib/python3.12/site-packages/%s-0.1.dist-info/"
				  "RECORD", dist), (int)sizeof(rel));
	ck_assert_int_lt(snprintf(text, sizeof(text), "%s,,\n%s-0.1.dist-info/RECORD,,\n", record_row,
				  dist), (int)sizeof(text));
	mk(rel, text, 0644);
	ck_assert_int_lt(snprintf(rel, sizeof(rel), "env/lib/python3.12/site-packages/%s", pth),
			 (int)sizeof(rel));
	ck_assert_int_lt(snprintf(text, sizeof(text), "%s/gone/%s\n", top, dist), (int)sizeof(text));
	mk(rel, text, 0644);
}

static void expect_editables(void)
{
	static const char *const want[] = { "edpip", "edpoetry", "edst" };
	size_t i, k;

	if (count(VENV_DIAG_EDITABLE_SOURCE_MISSING) != 3 || count(VENV_DIAG_PTH_MISSING_PATH) != 3)
		dump();
	ck_assert_uint_eq(count(VENV_DIAG_EDITABLE_SOURCE_MISSING), 3);
	ck_assert_uint_eq(count(VENV_DIAG_PTH_MISSING_PATH), 3);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < rep.nr; i++)
			if (rep.findings[i].code == VENV_DIAG_EDITABLE_SOURCE_MISSING &&
			    rep.findings[i].data.name && !strcmp(rep.findings[i].data.name, want[k]))
				break;
		ck_assert_msg(i < rep.nr, "expected VNV414 naming '%s'", want[k]);
		ck_assert_int_eq(rep.findings[i].severity, VENV_SEVERITY_ERROR);
	}
}

START_TEST(test_inspect__editable_pth)
{
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	static unsigned char only[1000];
	char row[PATH_MAX], path[PATH_MAX];

	editable("edpip", "_edpip.pth", "_edpip.pth");
	p(row, sizeof(row), env, "lib/python3.12/site-packages/edpoetry.pth");
	editable("edpoetry", row, "edpoetry.pth");
	editable("edst", "__editable__.edst-0.1.pth", "__editable__.edst-0.1.pth");
	/* Not editable installs: no direct_url.json; a .pth below site-packages, or elsewhere. */
	editable("plain", "plain.pth", "plain.pth");
	editable("deep", "sub/deep.pth", "deep.pth");
	p(row, sizeof(row), top, "elsewhere/other.pth");
	editable("other", row, "other.pth");
	mk("env/lib/python3.12/site-packages/edpip-0.1.dist-info/direct_url.json",
	   "{\"url\": \"file:///src/edpip\", \"dir_info\": {\"editable\": true}}", 0644);
	mk("env/lib/python3.12/site-packages/edpoetry-0.1.dist-info/direct_url.json",
	   "{\"url\": \"file:///src/edpoetry\", \"dir_info\": {\"editable\": true}}", 0644);
	mk("env/lib/python3.12/site-packages/edst-0.1.dist-info/direct_url.json",
	   "{\"url\": \"file:///src/edst\", \"dir_info\": {\"editable\": false}}", 0644);
	mk("env/lib/python3.12/site-packages/deep-0.1.dist-info/direct_url.json",
	   "{\"url\": \"file:///src/deep\", \"dir_info\": {\"editable\": true}}", 0644);
	mk("env/lib/python3.12/site-packages/other-0.1.dist-info/direct_url.json",
	   "{\"url\": \"file:///src/other\", \"dir_info\": {\"editable\": true}}", 0644);
	check(env);
	expect_editables();
	memset(only, 0, sizeof(only));
	only[VENV_DIAG_EDITABLE_SOURCE_MISSING] = 1;
	only[VENV_DIAG_PTH_MISSING_PATH] = 1;
	opts.selected = only;
	check_opts(&opts);
	expect_editables();
	opts.selected = NULL;
	opts.flags = VENV_CHECK_VERIFY_HASHES;
	opts.hash_jobs = 2;
	check_opts(&opts);
	expect_editables();
	/* Its source back: nothing to say. */
	p(path, sizeof(path), top, "gone");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	p(path, sizeof(path), top, "gone/edpip");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	check(env);
	ck_assert_uint_eq(count(VENV_DIAG_EDITABLE_SOURCE_MISSING), 2);
}
END_TEST

/* Only the codes asked for: the rest of the work is skipped. */
START_TEST(test_inspect__selected_skips_work)
{
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	static unsigned char only[1000];

	demo_dist();
	rm("env/lib/python3.12/site-packages/demo/__init__.py");
	mk("env/lib/python3.12/site-packages/open.py", "#\n", 0644);
	{
		char path[PATH_MAX];

		p(path, sizeof(path), top, "env/lib/python3.12/site-packages/open.py");
		ck_assert_int_eq(chmod(path, 0666), 0);
	}
	check(env);
	EXPECT(VENV_DIAG_DIST_FILE_MISSING);
	EXPECT(VENV_DIAG_WORLD_WRITABLE);
	EXPECT(VENV_DIAG_DEPENDENCY_MISSING);
	memset(only, 0, sizeof(only));
	only[VENV_DIAG_DEPENDENCY_MISSING] = 1;
	opts.selected = only;
	check_opts(&opts);
	ck_assert_uint_eq(count(VENV_DIAG_DIST_FILE_MISSING), 0);
	ck_assert_uint_eq(count(VENV_DIAG_WORLD_WRITABLE), 0);
	ck_assert_uint_eq(count(VENV_DIAG_DEPENDENCY_MISSING), 1);
}
END_TEST

START_TEST(test_inspect__interpreter_problems)
{
	rm("env/bin/python3.12");
	ln("python3.12", "env/bin/python3.12");
	check(env);
	EXPECT(VENV_DIAG_BAD_INTERPRETER);
	rm("env/bin/python3.12");
	mk("env/bin/python3.12", "not executable", 0644);
	check(env);
	EXPECT(VENV_DIAG_BAD_INTERPRETER);
	rm("env/bin/python3.12");
	check(env);
	EXPECT(VENV_DIAG_DANGLING_INTERPRETER_LINK);
}
END_TEST

START_TEST(test_inspect__path_separator)
{
	char odd[PATH_MAX];

	p(odd, sizeof(odd), top, "a:b");
	ck_assert_int_eq(rename(env, odd), 0);
	check(odd);
	EXPECT(VENV_DIAG_PATH_SEPARATOR);
}
END_TEST

START_TEST(test_inspect__findings_sorted)
{
	size_t i;

	rm("env/bin/python3");
	mk("env/bin/gone", "#!/no/such/python\n", 0755);
	mk("env/pyvenv.cfg", "include-system-site-packages = false\nversion = 3.12.4\n", 0644);
	check(env);
	ck_assert_uint_ge(rep.nr, 3);
	for (i = 1; i < rep.nr; i++)
		ck_assert_msg(!rep.findings[i - 1].file || !rep.findings[i].file ||
			      strcmp(rep.findings[i - 1].file, rep.findings[i].file) <= 0,
			      "expected findings sorted by file, saw '%s' before '%s'",
			      rep.findings[i - 1].file, rep.findings[i].file);
}
END_TEST

static Suite *inspect_suite(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc = tcase_create("env");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_inspect__healthy);
	tcase_add_test(tc, test_inspect__cannot_inspect_and_not_a_venv);
	tcase_add_test(tc, test_inspect__missing_cfg_and_unfinished);
	tcase_add_test(tc, test_inspect__moved);
	tcase_add_test(tc, test_inspect__copied);
	tcase_add_test(tc, test_inspect__reached_through_a_link);
	tcase_add_test(tc, test_inspect__base_gone);
	tcase_add_test(tc, test_inspect__base_other_minor);
	tcase_add_test(tc, test_inspect__stdlib_missing);
	tcase_add_test(tc, test_inspect__stale_version);
	tcase_add_test(tc, test_inspect__aliases);
	tcase_add_test(tc, test_inspect__cfg_problems);
	tcase_add_test(tc, test_inspect__cfg_lone_cr);
	tcase_add_test(tc, test_inspect__cfg_special);
	tcase_add_test(tc, test_inspect__activation);
	tcase_add_test(tc, test_inspect__scripts);
	tcase_add_test(tc, test_inspect__walk);
	tcase_add_test(tc, test_inspect__walk_limits);
	tcase_add_test(tc, test_inspect__audit_hashes);
	tcase_add_test(tc, test_inspect__audit_bad_digest_not_read);
	tcase_add_test(tc, test_inspect__audit_notes);
	tcase_add_test(tc, test_inspect__selected_skips_work);
	tcase_add_test(tc, test_inspect__editable_pth);
	tcase_add_test(tc, test_inspect__interpreter_problems);
	tcase_add_test(tc, test_inspect__path_separator);
	tcase_add_test(tc, test_inspect__findings_sorted);
	tcase_add_test(tc, test_inspect__own_trash);
	tcase_add_test(tc, test_inspect__dists_through_the_handle);
	tcase_add_test(tc, test_inspect__dists_read_beside_the_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inspect_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
