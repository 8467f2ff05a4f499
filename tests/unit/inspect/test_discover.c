/* Tests for inspect/discover.c: finding environments under a tree. */
#include "compat.h"
#include <check.h>
#include "error.h"
#include "inspect.h"

static char top[PATH_MAX];
static char found[32][PATH_MAX];
static size_t nfound;

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
	char tmpl[] = "/tmp/venv-unit-discover.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(top, sizeof(top), "%s", tmpl);
	nfound = 0;
	sh("mkdir -p a/env1/bin b/c/env2 d/noenv e/half/bin e/half/lib/python3.12/site-packages "
	   "py/bin py/lib/python3.12/site-packages env1-in/x");
	sh("touch a/env1/pyvenv.cfg b/c/env2/pyvenv.cfg e/half/bin/activate "
	   "py/bin/python3.12 py/lib/python3.12/os.py");
	/* A nested environment inside env1 is not searched for. */
	sh("mkdir -p a/env1/lib/sub && touch a/env1/lib/sub/pyvenv.cfg");
	/* Links are never followed, even to environments. */
	sh("ln -s ../b/c/env2 d/link && ln -s .. d/loop");
}

static void teardown(void)
{
	sh(NULL);
}

static int on_found(void *payload, const char *path, int dirfd)
{
	(void)payload;
	ck_assert_int_ge(dirfd, 0);
	ck_assert_uint_lt(nfound, 32);
	snprintf(found[nfound++], PATH_MAX, "%s", path + strlen(top));
	return 0;
}

static int stop_after_one(void *payload, const char *path, int dirfd)
{
	(void)payload;
	(void)dirfd;
	(void)path;
	return -42;
}

START_TEST(test_discover__finds_environments)
{
	ck_assert_int_eq(venv_discover(top, 0, on_found, NULL, NULL), 0);
	ck_assert_uint_eq(nfound, 3);
	/* Sorted, and only the three environments. */
	ck_assert_str_eq(found[0], "/a/env1");
	ck_assert_str_eq(found[1], "/b/c/env2");
	ck_assert_str_eq(found[2], "/e/half");
}
END_TEST

START_TEST(test_discover__root_is_an_environment)
{
	char root[PATH_MAX + 16];

	snprintf(root, sizeof(root), "%s/a/env1/", top);
	ck_assert_int_eq(venv_discover(root, 0, on_found, NULL, NULL), 0);
	ck_assert_uint_eq(nfound, 1);
	ck_assert_str_eq(found[0], "/a/env1");
}
END_TEST

START_TEST(test_discover__stop_and_errors)
{
	char missing[PATH_MAX + 16];

	ck_assert_int_eq(venv_discover(top, 0, stop_after_one, NULL, NULL), -42);
	snprintf(missing, sizeof(missing), "%s/missing", top);
	ck_assert_int_eq(venv_discover(missing, 0, on_found, NULL, NULL), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "missing") != NULL, "expected the path in '%s'",
		      venv_error_last());
}
END_TEST

static Suite *discover_suite(void)
{
	Suite *s = suite_create("discover");
	TCase *tc = tcase_create("tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_discover__finds_environments);
	tcase_add_test(tc, test_discover__root_is_an_environment);
	tcase_add_test(tc, test_discover__stop_and_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(discover_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
