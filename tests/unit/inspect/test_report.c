/* Tests for inspect/report.c: findings and their caps. */
#include "compat.h"
#include <check.h>
#include "inspect.h"

START_TEST(test_report__add_and_release)
{
	struct venv_report r = VENV_REPORT_INIT;

	ck_assert_int_eq(venv_report_add(&r, 401, "env/bin/activate", 3, "fix it", "moved from '%s'",
					 "/old"), 0);
	ck_assert_int_eq(venv_report_add(&r, 1, NULL, 0, NULL, "plain"), 0);
	ck_assert_uint_eq(r.nr, 2);
	ck_assert_str_eq(r.findings[0].file, "env/bin/activate");
	ck_assert_str_eq(r.findings[0].message, "moved from '/old'");
	ck_assert_str_eq(r.findings[0].fix, "fix it");
	ck_assert_uint_eq(r.findings[0].line, 3);
	ck_assert_ptr_null(r.findings[1].file);
	ck_assert_ptr_null(r.findings[1].fix);
	venv_report_release(&r);
	ck_assert_uint_eq(r.nr, 0);
	ck_assert_ptr_null(r.findings);
}
END_TEST

START_TEST(test_report__caps)
{
	struct venv_report r = VENV_REPORT_INIT;
	int i;

	for (i = 0; i < 50; i++)
		ck_assert_int_eq(venv_report_add(&r, 409, "f", 0, NULL, "n %d", i), 0);
	ck_assert_uint_eq(r.nr, VENV_REPORT_MAX_PER_CODE);
	ck_assert_uint_eq(r.dropped, 50 - VENV_REPORT_MAX_PER_CODE);
	venv_report_release(&r);
	for (i = 0; i < 2000; i++)
		ck_assert_int_eq(venv_report_add(&r, i % 600, "f", 0, NULL, "n"), 0);
	ck_assert_uint_le(r.nr, VENV_REPORT_MAX_FINDINGS);
	ck_assert_uint_eq(r.nr + r.dropped, 2000);
	venv_report_release(&r);
}
END_TEST

START_TEST(test_report__creator_names)
{
	ck_assert_str_eq(venv_creator_name(VENV_CREATOR_CPYTHON), "cpython");
	ck_assert_str_eq(venv_creator_name(VENV_CREATOR_VIRTUALENV), "virtualenv");
	ck_assert_str_eq(venv_creator_name(VENV_CREATOR_UV), "uv");
	ck_assert_str_eq(venv_creator_name(VENV_CREATOR_VENV), "venv");
	ck_assert_str_eq(venv_creator_name(VENV_CREATOR_UNKNOWN), "unknown");
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("findings");

	tcase_add_test(tc, test_report__add_and_release);
	tcase_add_test(tc, test_report__caps);
	tcase_add_test(tc, test_report__creator_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
