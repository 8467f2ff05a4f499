#include "compat.h"
#include <sys/syscall.h>
#include <check.h>
#include "envid.h"
#include "error.h"
#include "fs.h"
#include "vbuf.h"
#include "venv.h"
#include "../unit.h"

UNIT_TMPDIR("builder")

/*
 * Unit tests for create/builder.c's directories: the layout below the
 * environment's top is made through directory handles, so a symbolic link
 * where a directory of the layout should be, planted before the run or
 * swapped in while it runs, is refused and never followed: nothing is
 * written outside the environment (the check-then-use race of security.md's
 * threat model, and CRA-10's planted link, for directories of the layout).
 * The interpreter's facts are made up (nothing here runs a Python) and
 * every step after the directories is a stub, except in the tests of the
 * later steps (pyvenv.cfg, .gitignore, the marker, the interpreter names
 * and the activation scripts), which must write below the directories the
 * first step made, not wherever their paths lead by then.
 */

/*
 * The race: this program's mkdir() and mkdirat() stand in for the C
 * library's (libvenv.a's calls bind to them), make the directory, and the
 * first time one of them leaves race_dir existing, put it aside and a
 * symbolic link to race_target in its place: what another process could
 * do between the creation of a directory and its use. Unarmed (race_dir
 * empty), they only make the directory.
 */
static char race_dir[PATH_MAX], race_target[PATH_MAX];
static int race_fired;

static void race_swap(void)
{
	char aside[PATH_MAX + 8];
	struct stat st;

	if (!race_dir[0] || race_fired || lstat(race_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	race_fired = 1;
	if (snprintf(aside, sizeof(aside), "%s.aside", race_dir) >= (int)sizeof(aside) ||
	    rename(race_dir, aside) < 0 || symlink(race_target, race_dir) < 0)
		abort();
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	int rc = (int)syscall(SYS_mkdirat, dirfd, path, mode);

	if (rc == 0)
		race_swap();
	return rc;
}

int mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

static int stub_step(struct venv_builder *b, struct venv_context *ctx)
{
	(void)b;
	(void)ctx;
	return 0;
}

static char *dup_or_die(const char *s)
{
	char *p = strdup(s);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* A builder for a made-up CPython 3.12 on 64-bit Linux whose later steps do nothing. */
static void fake_builder(struct venv_builder *b)
{
	struct venv_pyinfo *info = &b->info;

	venv_builder_init(b);
	b->ops.create_configuration = stub_step;
	b->ops.setup_python = stub_step;
	b->ops.setup_pip = stub_step;
	b->ops.setup_scripts = stub_step;
	b->ops.post_setup = stub_step;
	b->ops.upgrade_dependencies = stub_step;
	info->major = 3;
	info->minor = 12;
	info->micro = 1;
	info->version = dup_or_die("3.12.1");
	info->invoked = dup_or_die("/usr/bin/python3.12");
	info->executable = dup_or_die("/usr/bin/python3.12");
	info->base_executable = dup_or_die("/usr/bin/python3.12");
	info->real_executable = dup_or_die("/usr/bin/python3.12");
	info->platform = dup_or_die("linux");
	info->implementation = dup_or_die("cpython");
	info->is64 = 1;
	info->scripts = dup_or_die("bin");
	info->include = dup_or_die("include");
	info->purelib = dup_or_die("lib/python3.12/site-packages");
	info->platlib = dup_or_die("lib/python3.12/site-packages");
	b->info_loaded = 1;
}

static int create(const char *env, int upgrade)
{
	struct venv_builder b;
	int error;

	fake_builder(&b);
	b.upgrade = upgrade;
	error = venv_builder_create(&b, env);
	venv_builder_release(&b);
	return error;
}

/* A test's own directory below the temporary root, with an `outside` dir in it; chdir there. */
static void test_dir(char *out, size_t n, const char *name)
{
	unit_dir(out, n, tmp_root, name);
	ck_assert_int_eq(chdir(out), 0);
	ck_assert_int_eq(mkdir("outside", 0755), 0);
	unit_put("outside/sentinel", "keep\n", 0644);
}

/* What is in `outside`: its one file, as the test put it. */
static void assert_outside_untouched(void)
{
	struct vbuf text = VBUF_INIT(64);
	struct dirent *de;
	DIR *d = opendir("outside");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ck_assert_msg(!strcmp(de->d_name, "sentinel"),
			      "expected nothing made outside the environment, saw outside/%s",
			      de->d_name);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(venv_fs_read_file_at(&text, AT_FDCWD, "outside/sentinel", 64), 0);
	ck_assert_str_eq(text.buf, "keep\n");
	vbuf_release(&text);
}

static void assert_link(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	ck_assert_msg(n >= 0, "expected '%s' to stay a symbolic link: %s", path, strerror(errno));
	buf[n] = '\0';
	ck_assert_str_eq(buf, target);
}

static void assert_dir(const char *path, mode_t mode)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0 && S_ISDIR(st.st_mode), "expected a directory '%s'",
		      path);
	ck_assert_int_eq(st.st_mode & 07777, mode);
}

/* An existing environment of this (made-up) Python, as a user would have it. */
static void existing_env(const char *env)
{
	char path[PATH_MAX];

	ck_assert_int_eq(create(env, 0), 0);
	PATHF(path, "%s/pyvenv.cfg", env);
	unit_put(path, "home = /usr/bin\ninclude-system-site-packages = false\n"
		 "version = 3.12.1\n", 0644);
}

START_TEST(test_builder__layout)
{
	char dir[PATH_MAX], env[PATH_MAX + 8];

	test_dir(dir, sizeof(dir), "layout");
	PATHF(env, "%s/env", dir);
	umask(022);
	ck_assert_int_eq(create(env, 0), 0);
	unit_put("env/pyvenv.cfg", "home = /usr/bin\nversion = 3.12.1\n", 0644);
	assert_dir("env", 0755);
	assert_dir("env/include", 0755);
	assert_dir("env/lib", 0755);
	assert_dir("env/lib/python3.12", 0755);
	assert_dir("env/lib/python3.12/site-packages", 0755);
	assert_dir("env/bin", 0755);
	assert_link("env/lib64", "lib");
	ck_assert(!unit_exists("env/" VENV_INCOMPLETE_MARKER));

	/* Again over it, and with --upgrade: what is there is kept, modes too. */
	unit_put("env/lib/python3.12/site-packages/mine.py", "x = 1\n", 0644);
	ck_assert_int_eq(chmod("env/include", 0700), 0);
	ck_assert_int_eq(create(env, 0), 0);
	ck_assert_int_eq(create(env, 1), 0);
	ck_assert(unit_exists("env/lib/python3.12/site-packages/mine.py"));
	assert_dir("env/include", 0700);
	assert_link("env/lib64", "lib");
	assert_outside_untouched();
}
END_TEST

/*
 * A link where a directory of the layout should be (the top of a path, or
 * one below it), even a dangling one: refused with or without --upgrade,
 * the link as it was, nothing made through it.
 */
START_TEST(test_builder__planted_links_refused)
{
	static const struct {
		const char *at, *target;
		int on_the_way;   /* named in parentheses: below it is what was to be made */
	} cases[] = {
		{ "env/lib", "../outside", 1 },
		{ "env/lib/python3.12", "../../outside", 1 },
		{ "env/lib/python3.12", "../../outside/missing", 1 },
		{ "env/include", "../outside", 0 },
		{ "env/bin", "../outside", 0 },
	};
	char dir[PATH_MAX], env[PATH_MAX + 8], aside[PATH_MAX], want[PATH_MAX + 64];
	size_t i;
	int upgrade;

	test_dir(dir, sizeof(dir), "planted");
	PATHF(env, "%s/env", dir);
	existing_env(env);
	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		PATHF(aside, "%s.mine", cases[i].at);
		ck_assert_int_eq(rename(cases[i].at, aside), 0);
		ck_assert_int_eq(symlink(cases[i].target, cases[i].at), 0);
		if (cases[i].on_the_way)
			PATHF(want, "a symbolic link is in the way ('%s/%s')", dir, cases[i].at);
		else
			PATHF(want, "'%s/%s': a symbolic link is in the way", dir, cases[i].at);
		for (upgrade = 0; upgrade <= 1; upgrade++) {
			ck_assert_int_eq(create(env, upgrade), VENV_EEXISTS);
			ck_assert_msg(strstr(venv_error_last(), want) &&
				      (cases[i].on_the_way || !strstr(venv_error_last(), "('")),
				      "expected \"%s\", saw: %s", want, venv_error_last());
			assert_link(cases[i].at, cases[i].target);
			assert_outside_untouched();
		}
		ck_assert_int_eq(unlink(cases[i].at), 0);
		ck_assert_int_eq(rename(aside, cases[i].at), 0);
	}
	ck_assert_int_eq(create(env, 0), 0);
}
END_TEST

/* A file where a directory should be: refused, the file kept. */
START_TEST(test_builder__file_in_the_way)
{
	char dir[PATH_MAX], env[PATH_MAX + 8];

	test_dir(dir, sizeof(dir), "file");
	PATHF(env, "%s/env", dir);
	existing_env(env);
	ck_assert_int_eq(rename("env/lib/python3.12", "env/py"), 0);
	unit_put("env/lib/python3.12", "mine\n", 0644);
	ck_assert_int_eq(create(env, 0), VENV_EEXISTS);
	ck_assert_msg(strstr(venv_error_last(), "a file is in the way ('") &&
		      strstr(venv_error_last(), "env/lib/python3.12')"),
		      "expected the file named, saw: %s", venv_error_last());
	ck_assert(unit_exists("env/lib/python3.12"));

	/* The top itself: no parenthesis, as CPython's message. */
	unit_put("top", "", 0644);
	PATHF(env, "%s/top", dir);
	ck_assert_int_eq(create(env, 0), VENV_EEXISTS);
	ck_assert_msg(strstr(venv_error_last(), "a file is in the way") &&
		      !strstr(venv_error_last(), "('"), "saw: %s", venv_error_last());
}
END_TEST

/*
 * The race itself, made certain: a directory of the layout is swapped for
 * a link to `outside` just after this run made it, before it is used
 * (race_swap). Refused, nothing made outside; the unfinished environment
 * is removed, the link unlinked rather than followed.
 */
START_TEST(test_builder__swapped_after_mkdir_refused)
{
	static const char *const swapped[] = { "lib", "lib/python3.12",
					       "lib/python3.12/site-packages", "bin", "include" };
	char dir[PATH_MAX], env[PATH_MAX + 8], name[64];
	size_t i;

	test_dir(dir, sizeof(dir), "race");
	for (i = 0; i < VENV_ARRAY_SIZE(swapped); i++) {
		snprintf(name, sizeof(name), "env%zu", i);
		PATHF(env, "%s/%s", dir, name);
		PATHF(race_dir, "%s/%s", env, swapped[i]);
		PATHF(race_target, "%s/outside", dir);
		race_fired = 0;
		ck_assert_int_eq(create(env, 0), VENV_EEXISTS);
		ck_assert_msg(race_fired, "expected %s to be swapped for a link", swapped[i]);
		ck_assert_msg(strstr(venv_error_last(), "a symbolic link is in the way"),
			      "saw: %s", venv_error_last());
		race_dir[0] = '\0';
		ck_assert_msg(!unit_exists(name), "expected the unfinished %s removed", name);
		assert_outside_untouched();
	}
}
END_TEST

/*
 * The steps after the directories, for real but pip: a directory of the
 * layout swapped for a link to `outside` between two steps (swap_step
 * says before which, swap_what which directory, "" for the top), as
 * another process could do it. Whatever a later step writes goes below
 * the directories the first step made, or nowhere.
 */
enum { AT_NONE, AT_DIRS_DONE, AT_CONFIG, AT_PYTHON, AT_SCRIPTS, AT_POST };
static int swap_step;
static const char *swap_what;

static void swap_before(const struct venv_context *ctx, int step)
{
	if (swap_step != step)
		return;
	if (*swap_what)
		PATHF(race_dir, "%s/%s", ctx->env_dir, swap_what);
	else
		PATHF(race_dir, "%s", ctx->env_dir);
	race_fired = 0;
	race_swap();
	race_dir[0] = '\0';
}

static int swapping_dirs(struct venv_builder *b, const char *env_dir, struct venv_context *ctx)
{
	int error = venv_default_ensure_directories(b, env_dir, ctx);

	if (!error)
		swap_before(ctx, AT_DIRS_DONE);
	return error;
}

static int swapping_config(struct venv_builder *b, struct venv_context *ctx)
{
	swap_before(ctx, AT_CONFIG);
	return venv_default_create_configuration(b, ctx);
}

static int swapping_python(struct venv_builder *b, struct venv_context *ctx)
{
	swap_before(ctx, AT_PYTHON);
	return venv_default_setup_python(b, ctx);
}

static int swapping_scripts(struct venv_builder *b, struct venv_context *ctx)
{
	swap_before(ctx, AT_SCRIPTS);
	return venv_default_setup_scripts(b, ctx);
}

static int swapping_post(struct venv_builder *b, struct venv_context *ctx)
{
	(void)b;
	swap_before(ctx, AT_POST);
	return 0;
}

/* create() with the real later steps, the base interpreter `base`, symlinks or copies. */
static int create_full(const char *env, const char *base, int symlinks, int upgrade)
{
	struct venv_builder b;
	int error;

	fake_builder(&b);
	free(b.info.base_executable);
	b.info.base_executable = dup_or_die(base);
	b.ops.ensure_directories = swapping_dirs;
	b.ops.create_configuration = swapping_config;
	b.ops.setup_python = swapping_python;
	b.ops.setup_scripts = swapping_scripts;
	b.ops.post_setup = swapping_post;
	b.symlinks = symlinks;
	b.scm_ignore_files = 1;
	b.upgrade = upgrade;
	error = venv_builder_create(&b, env);
	venv_builder_release(&b);
	return error;
}

/* The later steps undisturbed: what they write, where, with which modes. */
START_TEST(test_builder__later_steps_layout)
{
	char dir[PATH_MAX], env[PATH_MAX + 8], base[PATH_MAX + 16];
	struct vbuf text = VBUF_INIT(4096);
	struct stat st;
	int symlinks;

	test_dir(dir, sizeof(dir), "later");
	PATHF(base, "%s/base/python3.12", dir);
	ck_assert_int_eq(mkdir("base", 0755), 0);
	unit_put("base/python3.12", "#!/bin/sh\n", 0755);
	umask(022);
	swap_step = AT_NONE;
	for (symlinks = 0; symlinks <= 1; symlinks++) {
		PATHF(env, "%s/env%d", dir, symlinks);
		ck_assert_int_eq(create_full(env, base, symlinks, 0), 0);
		ck_assert_int_eq(venv_fs_read_file_at(&text, AT_FDCWD, symlinks ? "env1/pyvenv.cfg" :
						      "env0/pyvenv.cfg", 4096), 0);
		ck_assert_msg(strstr(text.buf, "home = ") && strstr(text.buf, "/base\n"),
			      "saw: %s", text.buf);
		PATHF(env, "env%d/.gitignore", symlinks);
		ck_assert(unit_exists(env));
		PATHF(env, "env%d/" VENV_INCOMPLETE_MARKER, symlinks);
		ck_assert(!unit_exists(env));
		PATHF(env, "env%d/bin/activate", symlinks);
		ck_assert_int_eq(lstat(env, &st), 0);
		ck_assert(S_ISREG(st.st_mode));
		PATHF(env, "env%d/bin/python", symlinks);
		if (symlinks) {
			assert_link(env, "python3.12");
			assert_link("env1/bin/python3", "python3.12");
			assert_link("env1/bin/python3.12", base);
		} else {
			ck_assert_int_eq(lstat(env, &st), 0);
			ck_assert(S_ISREG(st.st_mode));
			ck_assert_int_eq(st.st_mode & 07777, 0755);
		}
		/* --upgrade over it: all there already, nothing changes. */
		PATHF(env, "%s/env%d", dir, symlinks);
		ck_assert_int_eq(create_full(env, base, symlinks, 1), 0);
	}
	assert_outside_untouched();
	vbuf_release(&text);
}
END_TEST

/*
 * bin/ (or the top) swapped for a link to `outside` after the directories
 * were made, before a later step: that step fails, nothing is written
 * outside, nothing there is removed. Each write of a later step used to
 * go by its path, through the link: the interpreter names and the scripts
 * into outside/, .gitignore too, and the marker's removal removed
 * outside/.venv-incomplete.
 */
START_TEST(test_builder__swapped_before_later_steps_refused)
{
	static const struct {
		int step;
		const char *what;
		int symlinks, code;
		const char *says;
	} cases[] = {
		{ AT_PYTHON, "bin", 1, VENV_EEXISTS, "a symbolic link is in the way" },
		{ AT_PYTHON, "bin", 0, VENV_EEXISTS, "a symbolic link is in the way" },
		{ AT_SCRIPTS, "bin", 1, VENV_EEXISTS, "a symbolic link is in the way" },
		{ AT_DIRS_DONE, "", 1, VENV_EUNSAFE, "': a symbolic link is in the way" },
		{ AT_CONFIG, "", 1, VENV_EUNSAFE, "': a symbolic link is in the way" },
		{ AT_PYTHON, "", 0, VENV_EUNSAFE, "': a symbolic link is in the way" },
		{ AT_SCRIPTS, "", 1, VENV_EUNSAFE, "': a symbolic link is in the way" },
		{ AT_POST, "", 1, VENV_EUNSAFE, "': a symbolic link is in the way" },
	};
	char dir[PATH_MAX], env[PATH_MAX + 8], base[PATH_MAX + 16], name[64];
	size_t i;

	test_dir(dir, sizeof(dir), "later-race");
	PATHF(base, "%s/base/python3.12", dir);
	ck_assert_int_eq(mkdir("base", 0755), 0);
	unit_put("base/python3.12", "#!/bin/sh\n", 0755);
	PATHF(race_target, "%s/outside", dir);
	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "env%zu", i);
		PATHF(env, "%s/%s", dir, name);
		swap_step = cases[i].step;
		swap_what = cases[i].what;
		/* What the marker's removal would remove, were it to follow the top. */
		unit_put("outside/" VENV_INCOMPLETE_MARKER, "theirs\n", 0644);
		ck_assert_msg(create_full(env, base, cases[i].symlinks, 0) == cases[i].code,
			      "case %zu: saw %s", i, venv_error_last());
		ck_assert_msg(race_fired, "case %zu: expected a swap", i);
		ck_assert_msg(strstr(venv_error_last(), cases[i].says), "case %zu: expected "
			      "\"%s\", saw: %s", i, cases[i].says, venv_error_last());
		ck_assert_msg(unit_exists("outside/" VENV_INCOMPLETE_MARKER),
			      "case %zu: expected outside/%s kept", i, VENV_INCOMPLETE_MARKER);
		ck_assert_int_eq(unlink("outside/" VENV_INCOMPLETE_MARKER), 0);
		assert_outside_untouched();
	}
	swap_step = AT_NONE;
}
END_TEST

static Suite *builder_suite(void)
{
	Suite *s = suite_create("builder");
	TCase *tc = tcase_create("directories");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_builder__layout);
	tcase_add_test(tc, test_builder__planted_links_refused);
	tcase_add_test(tc, test_builder__file_in_the_way);
	tcase_add_test(tc, test_builder__swapped_after_mkdir_refused);
	tcase_add_test(tc, test_builder__later_steps_layout);
	tcase_add_test(tc, test_builder__swapped_before_later_steps_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests chdir and change the umask: one process each. */
	return unit_run_forked(builder_suite());
}
