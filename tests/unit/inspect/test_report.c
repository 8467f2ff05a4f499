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

/*
 * Dropped findings with a fix in a file naming the old location count per
 * code, a file once: the .pth whose lines straddle the cap is kept already,
 * the one past it counts once, a finding without a fix or naming another
 * place not at all.
 */
static void add_moved(struct venv_report *r, int code, const char *rel, const char *old,
		      const char *fix)
{
	struct venv_finding f;

	memset(&f, 0, sizeof(f));
	f.code = code;
	f.relpath = (char *)rel;
	f.file = (char *)rel;
	f.message = (char *)"m";
	f.fix = (char *)fix;
	f.data.old_prefix = (char *)old;
	ck_assert_int_eq(venv_report_add_finding(r, &f), 0);
}

START_TEST(test_report__dropped_files)
{
	struct venv_report r = VENV_REPORT_INIT;
	char rel[32];
	int i;

	for (i = 0; i < VENV_REPORT_MAX_PER_CODE - 1; i++) {
		snprintf(rel, sizeof(rel), "bin/tool%d", i);
		add_moved(&r, 404, rel, "/old", "rewrite");
	}
	ck_assert_ptr_null(r.dropped_files);
	for (i = 0; i < 3; i++)   /* the 20th kept, two dropped: the same file */
		add_moved(&r, 404, "lib/a.pth", "/old", "rewrite");
	for (i = 0; i < 3; i++)
		add_moved(&r, 404, "lib/b.pth", "/old", "rewrite");
	add_moved(&r, 404, "bin/x", "/old", NULL);
	add_moved(&r, 404, "bin/y", "/elsewhere", "rewrite");
	add_moved(&r, 404, "bin/z", "/old", "rewrite");
	ck_assert_uint_eq(r.dropped, 8);
	ck_assert_ptr_nonnull(r.dropped_files);
	ck_assert_uint_eq(r.dropped_files[404], 2);
	ck_assert_str_eq(r.moved_old, "/old");
	venv_report_release(&r);
	ck_assert_ptr_null(r.dropped_files);
}
END_TEST

/*
 * A finding repair fixes: a fixable code with the fix its rule gave. A rule
 * leaves the fix out where repair declines; a code repair never fixes has
 * none whatever the rule wrote.
 */
START_TEST(test_report__finding_fixable)
{
	struct venv_report r = VENV_REPORT_INIT;

	ck_assert_int_eq(venv_report_add(&r, 401, "e/bin/activate", 3, "rewrite it", "moved"), 0);
	ck_assert_int_eq(venv_report_add(&r, 401, "e/bin/activate.fish", 3, NULL, "moved"), 0);
	ck_assert_int_eq(venv_report_add(&r, 6, "e/bin/activate.nu", 0, "regenerate", "binary"), 0);
	ck_assert_int_eq(venv_finding_fixable(&r.findings[0]), 1);
	ck_assert_int_eq(venv_finding_fixable(&r.findings[1]), 0);
	ck_assert_int_eq(venv_finding_fixable(&r.findings[2]), 0);
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
	tcase_add_test(tc, test_report__dropped_files);
	tcase_add_test(tc, test_report__creator_names);
	tcase_add_test(tc, test_report__finding_fixable);
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
