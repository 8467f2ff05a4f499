/* Tests for inspect/rules.c: --select, --ignore and --severity. */
#include "compat.h"
#include <check.h>
#include "error.h"
#include "rules.h"

static struct venv_rule_filter f;

static void init(const char *sel, const char *ign, enum venv_severity t)
{
	ck_assert_msg(venv_rule_filter_init(&f, sel, ign, t, NULL) == 0, "expected a filter: %s",
		      venv_error_last());
}

START_TEST(test_rules__defaults)
{
	init(NULL, NULL, VENV_SEVERITY_INFO);
	ck_assert(venv_rule_filter_wants(&f, 401));
	ck_assert(venv_rule_filter_wants(&f, 502));
	init(NULL, NULL, VENV_SEVERITY_WARNING);
	ck_assert(venv_rule_filter_wants(&f, 401));
	ck_assert(venv_rule_filter_wants(&f, 203));
	ck_assert_msg(!venv_rule_filter_wants(&f, 502), "expected info rules below the threshold");
	ck_assert(venv_rule_filter_selected(&f, 502));
	init(NULL, NULL, VENV_SEVERITY_ERROR);
	ck_assert(!venv_rule_filter_wants(&f, 203));
	ck_assert(!venv_rule_filter_wants(&f, 999));
	ck_assert(!venv_rule_filter_wants(&f, 300));
}
END_TEST

START_TEST(test_rules__select_and_ignore)
{
	init("VNV4", NULL, VENV_SEVERITY_INFO);
	ck_assert(venv_rule_filter_wants(&f, 401));
	ck_assert(!venv_rule_filter_wants(&f, 203));
	init(NULL, "VNV2,world-writable", VENV_SEVERITY_INFO);
	ck_assert(!venv_rule_filter_wants(&f, 203));
	ck_assert(!venv_rule_filter_wants(&f, 409));
	ck_assert(venv_rule_filter_wants(&f, 401));
	/* The more specific selector wins, whichever list it is in. */
	init("VNV401", "VNV4", VENV_SEVERITY_INFO);
	ck_assert(venv_rule_filter_wants(&f, 401));
	ck_assert(!venv_rule_filter_wants(&f, 402));
	init("VNV4", "VNV401", VENV_SEVERITY_INFO);
	ck_assert(!venv_rule_filter_wants(&f, 401));
	ck_assert(venv_rule_filter_wants(&f, 402));
	/* A tie goes to --ignore. */
	init("relocated-environment", "VNV401", VENV_SEVERITY_INFO);
	ck_assert(!venv_rule_filter_wants(&f, 401));
	init("ALL", " , VNV1 ,", VENV_SEVERITY_INFO);
	ck_assert(!venv_rule_filter_wants(&f, 101));
	ck_assert(venv_rule_filter_wants(&f, 1));
}
END_TEST

START_TEST(test_rules__bad_selectors)
{
	ck_assert_int_eq(venv_rule_filter_init(&f, "VNV9", NULL, VENV_SEVERITY_INFO, NULL), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "'VNV9'") != NULL, "expected the selector named, saw '%s'",
		      venv_error_last());
	ck_assert_int_eq(venv_rule_filter_init(&f, NULL, "no-such-rule", VENV_SEVERITY_INFO, NULL),
			 VENV_EINVAL);
	ck_assert_int_eq(venv_rule_filter_init(&f, "VNV3", NULL, VENV_SEVERITY_INFO, NULL), VENV_EINVAL);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, test_rules__defaults);
	tcase_add_test(tc, test_rules__select_and_ignore);
	tcase_add_test(tc, test_rules__bad_selectors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
