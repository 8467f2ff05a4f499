/* Tests for common/envdir.c: the default environment and the ones below a directory. */
#include "compat.h"
#include <check.h>
#include "envdir.h"
#include "error.h"
#include "vbuf.h"
#include "../unit.h"

static char dir[PATH_MAX];

static void setup(void)
{
	unit_tmp_make(dir, sizeof(dir), "envdir");
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(unsetenv("VIRTUAL_ENV"), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(chdir("/"), 0);
	rm_rf_at(AT_FDCWD, dir);
}

static void make_env(const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	ck_assert_int_eq(mkdir(name, 0755), 0);
	PATHF(path, "%s/pyvenv.cfg", name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("home = /usr/bin\n", f);
	fclose(f);
}

START_TEST(test_envdir__default_order)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);

	/* Nothing: an error that says what was looked for. */
	ck_assert_int_eq(venv_default_env_dir(&out), VENV_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(venv_error_last(), "VIRTUAL_ENV is not set"));
	/* ./.venv when it exists ... */
	make_env(".venv");
	ck_assert_int_eq(venv_default_env_dir(&out), 0);
	ck_assert_str_eq(out.buf, ".venv");
	/* ... but the active environment first; an empty VIRTUAL_ENV counts as unset. */
	ck_assert_int_eq(setenv("VIRTUAL_ENV", "/srv/active", 1), 0);
	ck_assert_int_eq(venv_default_env_dir(&out), 0);
	ck_assert_str_eq(out.buf, "/srv/active");
	ck_assert_int_eq(setenv("VIRTUAL_ENV", "", 1), 0);
	ck_assert_int_eq(venv_default_env_dir(&out), 0);
	ck_assert_str_eq(out.buf, ".venv");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_envdir__below)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);

	ck_assert_int_eq(venv_envs_below(&out, "."), 0);
	ck_assert_str_eq(out.buf, "");
	/* A directory without pyvenv.cfg is no environment. */
	ck_assert_int_eq(mkdir("venv", 0755), 0);
	ck_assert_int_eq(venv_envs_below(&out, "."), 0);
	make_env(".venv");
	ck_assert_int_eq(venv_envs_below(&out, "."), 1);
	ck_assert_str_eq(out.buf, "'./.venv'");
	ck_assert_int_eq(rmdir("venv"), 0);
	make_env("venv");
	vbuf_reset(&out);
	ck_assert_int_eq(venv_envs_below(&out, "./"), 2);
	ck_assert_str_eq(out.buf, "'./.venv' or './venv'");
	/* A pyvenv.cfg that is a FIFO or a directory still marks where the environment is. */
	ck_assert_int_eq(unlink(".venv/pyvenv.cfg"), 0);
	ck_assert_int_eq(mkfifo(".venv/pyvenv.cfg", 0644), 0);
	ck_assert_int_eq(unlink("venv/pyvenv.cfg"), 0);
	ck_assert_int_eq(mkdir("venv/pyvenv.cfg", 0755), 0);
	vbuf_reset(&out);
	ck_assert_int_eq(venv_envs_below(&out, "."), 2);
	ck_assert_str_eq(out.buf, "'./.venv' or './venv'");
	vbuf_release(&out);
}
END_TEST

static Suite *envdir_suite(void)
{
	Suite *s = suite_create("envdir");
	TCase *tc = tcase_create("envdir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_envdir__default_order);
	tcase_add_test(tc, test_envdir__below);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests change the working directory and VIRTUAL_ENV: one process each. */
	return unit_run_forked(envdir_suite());
}
