/*
 * Tests for common/cfgcheck.c: what CPython's pyvenv.cfg readers see
 * (security.md CFG-03: with two `home` lines getpath takes the first and
 * site.py the last, and both are reported).
 */
#include "compat.h"
#include <check.h>
#include "cfgcheck.h"
#include "error.h"

static struct venv_cfg cfg = VENV_CFG_INIT;
static struct venv_cfg_facts facts = VENV_CFG_FACTS_INIT;

static void analyze(const char *text)
{
	venv_cfg_facts_release(&facts);
	venv_cfg_release(&cfg);
	ck_assert_int_eq(venv_cfg_parse(&cfg, text, strlen(text)), 0);
	ck_assert_int_eq(venv_cfg_analyze(&facts, &cfg, text, strlen(text)), 0);
}

static void teardown(void)
{
	venv_cfg_facts_release(&facts);
	venv_cfg_release(&cfg);
}

static int strict(const char *text, struct vbuf *v)
{
	unsigned line = 0;

	return venv_cfg_strict_home(v, &line, text, strlen(text));
}

START_TEST(test_cfgcheck__cpython_file)
{
	analyze("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n"
		"executable = /usr/bin/python3.11\ncommand = /usr/bin/python3 -m venv /x\n");
	ck_assert_int_eq(facts.strict_home_found, 1);
	ck_assert_str_eq(facts.strict_home, "/usr/bin");
	ck_assert_str_eq(facts.home_first, "/usr/bin");
	ck_assert_uint_eq(facts.home_count, 1);
	ck_assert_int_eq(facts.system_site, 0);
	ck_assert_str_eq(facts.version, "3.11.2");
	ck_assert_uint_eq(facts.version_line, 3);
}
END_TEST

START_TEST(test_cfgcheck__virtualenv_and_uv_versions)
{
	analyze("home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.2.final.0\n"
		"virtualenv = 20.17.1\ninclude-system-site-packages = false\n");
	ck_assert_str_eq(facts.version, "3.11.2");
	analyze("home = /x/bin\nversion_info = 3.12\nuv = 0.5.0\n");
	ck_assert_str_eq(facts.version, "3.12");
	/* `version` wins over version_info wherever it is. */
	analyze("version_info = 3.10.1\nversion = 3.12.8\n");
	ck_assert_str_eq(facts.version, "3.12.8");
}
END_TEST

START_TEST(test_cfgcheck__first_and_last_home)
{
	analyze("home = /a/bin\nversion = 3.12.1\nHOME=/b/bin\n");
	ck_assert_uint_eq(facts.home_count, 2);
	ck_assert_str_eq(facts.home_first, "/a/bin");
	ck_assert_uint_eq(facts.home_first_line, 1);
	ck_assert_str_eq(facts.home_last, "/b/bin");
	ck_assert_uint_eq(facts.home_last_line, 3);
}
END_TEST

/*
 * Lone CR line ends: `home` as start-up (getpath, LF lines only) reads it,
 * the rest as site.py does. include-system-site-packages = false was
 * reported missing (VNV207) though site.py honours it.
 */
START_TEST(test_cfgcheck__lone_cr_views)
{
	analyze("home = /usr/bin\rinclude-system-site-packages = false\rversion = 3.12.1\r"
		"executable = /usr/bin/python3.12\r");
	ck_assert_str_eq(facts.home_first, "/usr/bin\rinclude-system-site-packages = false\r"
			 "version = 3.12.1\rexecutable = /usr/bin/python3.12");
	ck_assert_uint_eq(facts.home_first_line, 1);
	ck_assert_str_eq(facts.home_last, "/usr/bin");
	ck_assert_uint_eq(facts.home_count, 1);
	ck_assert_int_eq(facts.system_site, 0);
	ck_assert_uint_eq(facts.system_site_line, 2);
	ck_assert_str_eq(facts.version, "3.12.1");
	ck_assert_uint_eq(facts.version_line, 3);
	/* Python 3.10's reader: one line without an LF, so no `home`. */
	ck_assert_int_eq(facts.strict_home_found, 0);

	/* A `home` only site.py sees: none for start-up. */
	analyze("x = 1\rhome = /a\nversion = 3.12.1\n");
	ck_assert_ptr_null(facts.home_first);
	ck_assert_uint_eq(facts.home_count, 1);
	ck_assert_str_eq(facts.home_last, "/a");
	ck_assert_uint_eq(facts.home_last_line, 2);

	/* Two for site.py, one (the first, up to the LF) for start-up. */
	analyze("home = /a\rhome = /b\n");
	ck_assert_uint_eq(facts.home_count, 2);
	ck_assert_str_eq(facts.home_first, "/a\rhome = /b");
	ck_assert_str_eq(facts.home_last, "/b");
}
END_TEST

START_TEST(test_cfgcheck__system_site_values)
{
	analyze("home = /x\n");
	ck_assert_int_eq(facts.system_site, -1);
	analyze("include-system-site-packages = True\n");
	ck_assert_int_eq(facts.system_site, 1);
	analyze("include-system-site-packages = yes\n");
	ck_assert_int_eq(facts.system_site, 2);
	ck_assert_str_eq(facts.system_site_value, "yes");
	/* site.py: the last one wins. */
	analyze("include-system-site-packages = true\ninclude-system-site-packages = false\n");
	ck_assert_int_eq(facts.system_site, 0);
}
END_TEST

START_TEST(test_cfgcheck__strict_reader)
{
	struct vbuf v = VBUF_INIT(VBUF_MAX_LINE);

	ck_assert_int_eq(strict("home = /usr/bin\n", &v), 1);
	ck_assert_str_eq(v.buf, "/usr/bin");
	/* No spaces around '=': the token is "home=/usr/bin". */
	ck_assert_int_eq(strict("home=/usr/bin\n", &v), 0);
	/* Case matters. */
	ck_assert_int_eq(strict("HOME = /usr/bin\n", &v), 0);
	/* An unterminated last line is never read. */
	ck_assert_int_eq(strict("version = 3.10.1\nhome = /usr/bin", &v), 0);
	/* Comments are skipped; the first match wins; CR ends the value. */
	ck_assert_int_eq(strict("# home = /c\nhome = /a\r\nhome = /b\n", &v), 1);
	ck_assert_str_eq(v.buf, "/a");
	/* Only one separator is consumed after '=': further blanks stay. */
	ck_assert_int_eq(strict("home =  /a \n", &v), 1);
	ck_assert_str_eq(v.buf, " /a ");
	/* Tabs delimit tokens. */
	ck_assert_int_eq(strict("home\t=\t/t\n", &v), 1);
	ck_assert_str_eq(v.buf, "/t");
	/* A byte-order mark glues onto the first token. */
	ck_assert_int_eq(strict("\xef\xbb\xbfhome = /a\n", &v), 0);
	/* An empty value is no value. */
	ck_assert_int_eq(strict("home = \nhome = /z\n", &v), 1);
	ck_assert_str_eq(v.buf, "/z");
	vbuf_release(&v);
}
END_TEST

START_TEST(test_cfgcheck__strict_long_line_ends_scan)
{
	struct vbuf v = VBUF_INIT(VBUF_MAX_LINE), text = VBUF_INIT(VBUF_MAX_CFG);
	size_t i;

	ck_assert_int_eq(vbuf_adds(&text, "prompt = "), 0);
	for (i = 0; i < 9000; i++)
		ck_assert_int_eq(vbuf_addch(&text, 'x'), 0);
	ck_assert_int_eq(vbuf_adds(&text, "\nhome = /usr/bin\n"), 0);
	ck_assert_int_eq(strict(text.buf, &v), 0);
	vbuf_release(&v);
	vbuf_release(&text);
}
END_TEST

START_TEST(test_cfgcheck__version_parse)
{
	int a, b, c;

	ck_assert_int_eq(venv_version_parse("3.12.1", &a, &b, &c), 0);
	ck_assert_int_eq(a * 10000 + b * 100 + c, 31201);
	ck_assert_int_eq(venv_version_parse("3.13t", &a, &b, &c), 0);
	ck_assert_int_eq(b, 13);
	ck_assert_int_eq(c, -1);
	ck_assert_int_eq(venv_version_parse("3.11.2.final.0", &a, &b, &c), 0);
	ck_assert_int_eq(c, 2);
	ck_assert_int_eq(venv_version_parse("3", &a, &b, &c), VENV_EINVAL);
	ck_assert_int_eq(venv_version_parse("x3.1", &a, &b, &c), VENV_EINVAL);
	ck_assert_int_eq(venv_version_parse("3.", &a, &b, &c), VENV_EINVAL);
}
END_TEST

static Suite *cfgcheck_suite(void)
{
	Suite *s = suite_create("cfgcheck");
	TCase *tc = tcase_create("readers");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_cfgcheck__cpython_file);
	tcase_add_test(tc, test_cfgcheck__virtualenv_and_uv_versions);
	tcase_add_test(tc, test_cfgcheck__first_and_last_home);
	tcase_add_test(tc, test_cfgcheck__lone_cr_views);
	tcase_add_test(tc, test_cfgcheck__system_site_values);
	tcase_add_test(tc, test_cfgcheck__strict_reader);
	tcase_add_test(tc, test_cfgcheck__strict_long_line_ends_scan);
	tcase_add_test(tc, test_cfgcheck__version_parse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cfgcheck_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
