/* Tests for common/model.c: one environment loaded from a directory handle. */
#include "compat.h"
#include <check.h>
#include "diag.h"
#include "error.h"
#include "fs.h"
#include "model.h"
#include "venv.h"

static char top[PATH_MAX];

/* Run "cd TOP && <what>" (or "rm -rf TOP" when what is NULL). */
static void sh(const char *what)
{
	char cmd[4 * PATH_MAX];

	if (what)
		ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "cd '%s' && %s", top, what), (int)sizeof(cmd));
	else
		ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top), (int)sizeof(cmd));
	ck_assert_msg(system(cmd) == 0, "expected '%s' to succeed", cmd);
}

static void setup(void)
{
	char tmpl[] = "/tmp/venv-unit-model.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(top, sizeof(top), "%s", tmpl);
	sh("mkdir -p env/bin env/lib/python3.12/site-packages/pkg env/lib/python3.11/site-packages");
	sh("printf 'home = /nowhere/bin\\ninclude-system-site-packages = false\\n"
	   "version = 3.12.1\\nvirtualenv = 20.25.0\\n' >env/pyvenv.cfg");
	sh("ln -s /nowhere/bin/python3.12 env/bin/python && ln -s python env/bin/python3 && "
	   "ln -s python env/bin/python3.12");
	sh("printf 'VIRTUAL_ENV=\"/old/place/env\"\\nexport VIRTUAL_ENV\\n' >env/bin/activate");
	sh("ln -s /elsewhere/activate.fish env/bin/activate.fish");
}

static void teardown(void)
{
	sh(NULL);
}

START_TEST(test_model__loads_what_is_there)
{
	struct venv_model m;
	char path[PATH_MAX + 8];
	int fd, i, root;

	snprintf(path, sizeof(path), "%s/env", top);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(venv_model_load_at(&m, fd, path, 0), 0);
	close(fd);
	ck_assert_int_eq(m.cfg_state, VENV_CFG_OK);
	ck_assert_str_eq(m.facts.home_first, "/nowhere/bin");
	ck_assert_str_eq(m.env_ver, "3.12");
	ck_assert_str_eq(m.env_full, "3.12.1");
	ck_assert_int_eq(m.creator, VENV_CREATOR_VIRTUALENV);
	ck_assert_str_eq(m.virtualenv_version, "20.25.0");
	ck_assert_uint_eq(m.ninterps, 3);
	ck_assert_int_ge(m.main, 0);
	ck_assert_str_eq(m.interps[m.main].name, "python");
	ck_assert_int_eq(m.interps[m.main].kind, VENV_IK_LINK_EXTERNAL);
	ck_assert_int_eq(m.interps[m.main].status, VENV_IS_DANGLING);
	i = venv_model_find_entry(&m, "python3.12");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(venv_model_resolve(&m, m.entries[i].interp, &root), VENV_IS_DANGLING);
	ck_assert_int_eq(root, m.main);
	/* lib/: both versions, only one with something in it. */
	ck_assert_uint_eq(m.nlibs, 2);
	ck_assert_int_eq(venv_model_find_lib(&m, "3.12")->site_nonempty, 1);
	ck_assert_int_eq(venv_model_find_lib(&m, "3.11")->site_nonempty, 0);
	/* The activation scripts: one read, one a link not followed. */
	ck_assert_uint_eq(m.nscripts, 2);
	ck_assert_uint_eq(m.nold, 1);
	ck_assert_str_eq(m.old[0], "/old/place/env");
	i = venv_model_find_entry(&m, "activate.fish");
	ck_assert_int_eq(m.scripts[m.entries[i].script].read_rc, VENV_RD_LINK);
	ck_assert_int_eq(m.unfinished, 0);
	ck_assert_uint_eq(m.nproblems, 0);
	venv_model_release(&m);
}
END_TEST

/*
 * A script that begins with our template's leading comment is marked ours
 * (check then leaves out the rule that goes by the maker's version); one
 * that does not, or holds only part of that comment, is not.
 */
START_TEST(test_model__our_scripts_are_marked)
{
	struct venv_model m;
	const struct venv_template *t = NULL;
	char path[PATH_MAX + 32];
	size_t k;
	FILE *f;
	int fd, i;

	for (k = 0; k < venv_templates_count; k++)
		if (!strcmp(venv_templates[k].path, "common/activate.fish"))
			t = &venv_templates[k];
	ck_assert_ptr_nonnull(t);
	sh("rm env/bin/activate.fish");
	snprintf(path, sizeof(path), "%s/env/bin/activate.fish", top);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(t->data, 1, t->len, f), t->len);
	ck_assert_int_eq(fclose(f), 0);
	/* Only the first 40 bytes of the header: not ours. */
	snprintf(path, sizeof(path), "%s/env/bin/activate.csh", top);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(t->data, 1, 40, f), 40);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/env", top);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(venv_model_load_at(&m, fd, path, 0), 0);
	close(fd);
	i = venv_model_find_entry(&m, "activate.fish");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(m.scripts[m.entries[i].script].ours, 1);
	i = venv_model_find_entry(&m, "activate.csh");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(m.scripts[m.entries[i].script].ours, 0);
	i = venv_model_find_entry(&m, "activate");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(m.scripts[m.entries[i].script].ours, 0);
	venv_model_release(&m);
}
END_TEST

START_TEST(test_model__handle_not_path)
{
	struct venv_model m;
	char path[PATH_MAX + 8];
	int fd;

	/* The directory held is loaded, whatever the path names by then. */
	snprintf(path, sizeof(path), "%s/env", top);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	sh("mv env env.held && mkdir -p other/bin && ln -s other env && touch other/.venv-incomplete");
	ck_assert_int_eq(venv_model_load_at(&m, fd, path, 0), 0);
	close(fd);
	ck_assert_int_eq(m.cfg_state, VENV_CFG_OK);
	ck_assert_int_eq(m.unfinished, 0);
	ck_assert_ptr_nonnull(m.real);
	ck_assert_msg(strstr(m.real, "env.held") != NULL, "real is '%s'", m.real);
	venv_model_release(&m);
}
END_TEST

/* Load TOP/env by its path. */
static void load_env(struct venv_model *m)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/env", top);
	ck_assert_int_eq(venv_model_load(m, path, 0), 0);
}

/* The one problem loading found is of lib/, with this code and message. */
static void expect_lib_problem(const struct venv_model *m, int code, const char *message)
{
	ck_assert_uint_eq(m->nproblems, 1);
	ck_assert_int_eq(m->problems[0].code, code);
	ck_assert_str_eq(m->problems[0].relpath, "lib");
	ck_assert_str_eq(m->problems[0].message, message);
}

START_TEST(test_model__lib_link_is_a_problem)
{
	struct venv_model m;

	sh("rm -rf env/lib && ln -s /usr/lib env/lib");
	load_env(&m);
	ck_assert_int_eq(m.lib_state, VENV_DIR_LINK);
	ck_assert_uint_eq(m.nlibs, 0);
	expect_lib_problem(&m, VENV_DIAG_LINK_NOT_FOLLOWED,
			   "'lib' is not a directory (or is a symbolic link); not inspected");
	venv_model_release(&m);
}
END_TEST

/*
 * More lib/pythonX.Y than the model holds: the first 16 (with their
 * site-packages) and a problem, never those 16 as if they were all.
 */
START_TEST(test_model__too_many_libdirs_is_a_problem)
{
	struct venv_model m;

	sh("for n in $(seq 20 36); do mkdir -p env/lib/python3.$n/site-packages; done");
	load_env(&m);
	expect_lib_problem(&m, VENV_DIAG_WALK_LIMIT, "'lib' has more than 16 pythonX.Y directories; "
			   "only those were inspected");
	ck_assert_uint_eq(m.nlibs, VENV_MODEL_MAX_LIBDIRS);
	ck_assert_int_eq(m.libs_partial, 1);
	ck_assert_int_eq(m.lib_err, 0);
	venv_model_release(&m);

	/* 16 (two of setup's and 14 more) are all there are: none left out. */
	sh("for n in $(seq 20 22); do rm -r env/lib/python3.$n; done");
	load_env(&m);
	ck_assert_uint_eq(m.nlibs, VENV_MODEL_MAX_LIBDIRS);
	ck_assert_int_eq(m.libs_partial, 0);
	ck_assert_uint_eq(m.nproblems, 0);
	venv_model_release(&m);
}
END_TEST

/* Load TOP/name from a handle, as venv list does. */
static void load_no_bin(struct venv_model *m, const char *name)
{
	char path[PATH_MAX + 8];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(venv_model_load_at(m, fd, path, VENV_MODEL_NO_BIN), 0);
	close(fd);
}

/* venv list's loading: pyvenv.cfg and lib/ as check sees them, bin/ left out. */
START_TEST(test_model__no_bin_and_how_cfg_and_lib_read)
{
	struct venv_model m;

	sh("mkdir -p lnk/lib/pypy3.10 && ln -s ../../env/lib/python3.12 lnk/lib/python3.12 && "
	   "mkfifo lnk/pyvenv.cfg");
	load_no_bin(&m, "env");
	ck_assert_int_eq(m.cfg_rd, VENV_RD_OK);
	ck_assert_int_eq(m.bin_state, VENV_DIR_ABSENT);
	ck_assert_uint_eq(m.nentries + m.ninterps + m.nscripts + m.nold, 0);
	ck_assert_int_eq(m.main, -1);
	ck_assert_str_eq(m.env_ver, "3.12");
	ck_assert_str_eq(venv_model_find_lib(&m, "3.12")->name, "python3.12");
	ck_assert_str_eq(m.lib_link, "");
	venv_model_release(&m);

	/* A FIFO pyvenv.cfg (never opened) and a lib/pythonX.Y link (not followed) are said. */
	load_no_bin(&m, "lnk");
	ck_assert_int_eq(m.cfg_state, VENV_CFG_BAD);
	ck_assert_int_eq(m.cfg_rd, VENV_RD_SPECIAL);
	ck_assert(S_ISFIFO(m.cfg_mode));
	ck_assert_str_eq(m.lib_link, "python3.12");
	ck_assert_uint_eq(m.nlibs, 1);
	ck_assert_str_eq(m.libs[0].name, "pypy3.10");
	ck_assert_int_eq(m.libs[0].has_site, 0);
	venv_model_release(&m);
}
END_TEST

/*
 * PyPy's lib/pypyX.Y (its layout as Debian's PyPy 7.3.11 makes it): the
 * directory check and list read, also without bin/; when both kinds are
 * there, bin/'s pypy3 or `implementation` (virtualenv) decides.
 */
START_TEST(test_model__pypy_lib)
{
	struct venv_model m;
	char buf[32], path[PATH_MAX + 8];

	sh("mkdir -p pp/lib/pypy3.9/site-packages pp/bin && ln -s lib pp/lib64 && "
	   "printf 'home = /usr/bin\\ninclude-system-site-packages = false\\nversion = 3.9.16\\n' "
	   ">pp/pyvenv.cfg && ln -s /usr/bin/pypy3 pp/bin/pypy3 && ln -s pypy3 pp/bin/python3");
	load_no_bin(&m, "pp");
	ck_assert_str_eq(m.lib_stem, "pypy");
	ck_assert_str_eq(venv_model_find_lib(&m, "3.9")->name, "pypy3.9");
	ck_assert_str_eq(venv_model_lib_name(&m, "3.9", buf, sizeof(buf)), "pypy3.9");
	ck_assert_str_eq(venv_model_lib_name(&m, "3.10", buf, sizeof(buf)), "pypy3.10");
	ck_assert(venv_model_is_own_lib(&m, "pypy3.9") && !venv_model_is_own_lib(&m, "python3.9"));
	venv_model_release(&m);

	/* Both kinds: CPython's unless bin/ holds a pypy3 or pyvenv.cfg says PyPy. */
	sh("mkdir -p pp/lib/python3.9/site-packages");
	load_no_bin(&m, "pp");
	ck_assert_str_eq(m.lib_stem, "python");
	ck_assert_str_eq(venv_model_find_lib(&m, "3.9")->name, "python3.9");
	venv_model_release(&m);
	snprintf(path, sizeof(path), "%s/pp", top);
	ck_assert_int_eq(venv_model_load(&m, path, 0), 0);
	ck_assert_str_eq(venv_model_find_lib(&m, "3.9")->name, "pypy3.9");
	venv_model_release(&m);
	sh("printf 'implementation = PyPy\\n' >>pp/pyvenv.cfg");
	load_no_bin(&m, "pp");
	ck_assert_str_eq(venv_model_find_lib(&m, "3.9")->name, "pypy3.9");
	venv_model_release(&m);

	/* A lib/pythonX.Y made a link (not followed, said by list) is CPython's still. */
	sh("mkdir -p lnk/lib/pypy3.10 && ln -s ../../env/lib/python3.12 lnk/lib/python3.12 && "
	   "cp env/pyvenv.cfg lnk/");
	load_no_bin(&m, "lnk");
	ck_assert_str_eq(m.lib_link, "python3.12");
	ck_assert_str_eq(m.lib_stem, "python");
	venv_model_release(&m);
}
END_TEST

/* The names a #! line runs a Python by, which repair leads to the environment's. */
START_TEST(test_model__is_python_name)
{
	ck_assert_int_eq(venv_model_is_python_name("python"), 1);
	ck_assert_int_eq(venv_model_is_python_name("python3.12"), 1);
	ck_assert_int_eq(venv_model_is_python_name("pypy3"), 1);
	ck_assert_int_eq(venv_model_is_python_name("pypy3.10"), 1);
	ck_assert_int_eq(venv_model_is_python_name("perl"), 0);
	ck_assert_int_eq(venv_model_is_python_name("ipython"), 0);
	ck_assert_int_eq(venv_model_is_python_name("pypyx"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_model__loads_what_is_there);
	tcase_add_test(tc, test_model__handle_not_path);
	tcase_add_test(tc, test_model__lib_link_is_a_problem);
	tcase_add_test(tc, test_model__too_many_libdirs_is_a_problem);
	tcase_add_test(tc, test_model__no_bin_and_how_cfg_and_lib_read);
	tcase_add_test(tc, test_model__pypy_lib);
	tcase_add_test(tc, test_model__our_scripts_are_marked);
	tcase_add_test(tc, test_model__is_python_name);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
