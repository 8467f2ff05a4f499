#include "compat.h"
#include <check.h>
#include "error.h"
#include "plan.h"

/* Unit tests for repair/plan.c: building a plan and its problems. */

START_TEST(test_plan__add_copy_and_sort)
{
	struct venv_plan p = VENV_PLAN_INIT;
	char bytes[3] = { 'a', '\0', 'b' };
	char code[16];

	ck_assert_int_eq(venv_plan_add(&p, 404, VENV_FIX_WRITE, "bin/z", bytes, 3, 0755, "z"), 0);
	ck_assert_int_eq(venv_plan_add(&p, 109, VENV_FIX_SYMLINK, "bin/a", "python3", 0, 0, NULL),
			 0);
	ck_assert_msg(p.fixes[0].len == 3 && !memcmp(p.fixes[0].data, bytes, 3),
		      "expected the bytes with their NUL kept");
	ck_assert_msg(p.fixes[1].len == 7, "expected a link value's length, saw %zu",
		      p.fixes[1].len);
	ck_assert_int_eq(venv_plan_has(&p, "bin/a"), 1);
	ck_assert_int_eq(venv_plan_has(&p, "bin/b"), 0);
	ck_assert_ptr_eq(venv_plan_last(&p), &p.fixes[1]);
	venv_plan_sort_from(&p, 0);
	ck_assert_str_eq(p.fixes[0].path, "bin/a");
	ck_assert_str_eq(p.fixes[1].path, "bin/z");
	ck_assert_int_eq(venv_plan_problem(&p, 104, "bin/%s is gone", "python3"), 0);
	ck_assert_str_eq(p.problems[0].message, "bin/python3 is gone");
	venv_repair_code_str(code, sizeof(code), 5);
	ck_assert_str_eq(code, "VNV005");
	venv_plan_release(&p);
	ck_assert_int_eq((int)p.nr, 0);
}
END_TEST

START_TEST(test_plan__dirs_first_keeps_order)
{
	struct venv_plan p = VENV_PLAN_INIT;

	ck_assert_int_eq(venv_plan_add(&p, 1, VENV_FIX_WRITE, "a/x", "1", 1, 0644, NULL), 0);
	ck_assert_int_eq(venv_plan_add(&p, 1, VENV_FIX_MKDIR, "a", NULL, 0, 0755, NULL), 0);
	ck_assert_int_eq(venv_plan_add(&p, 1, VENV_FIX_WRITE, "b", "2", 1, 0644, NULL), 0);
	ck_assert_int_eq(venv_plan_add(&p, 1, VENV_FIX_MKDIR, "a/c", NULL, 0, 0755, NULL), 0);
	ck_assert_int_eq(venv_plan_dirs_first(&p), 0);
	ck_assert_str_eq(p.fixes[0].path, "a");
	ck_assert_str_eq(p.fixes[1].path, "a/c");
	ck_assert_str_eq(p.fixes[2].path, "a/x");
	ck_assert_str_eq(p.fixes[3].path, "b");
	venv_plan_release(&p);
}
END_TEST

/* A declined fix's problem says its reason once, also when taken into another plan. */
START_TEST(test_plan__declined_copy)
{
	struct venv_plan a = VENV_PLAN_INIT, b = VENV_PLAN_INIT;

	ck_assert_int_eq(venv_plan_declined(&a, 404, VENV_SEVERITY_ERROR, "bin/t", "'bin/t' runs x",
					    "cannot write it"), 0);
	ck_assert_int_eq(venv_plan_problem(&a, 106, "plain"), 0);
	ck_assert_int_eq(venv_plan_problem_copy(&b, &a.problems[0]), 0);
	ck_assert_int_eq(venv_plan_problem_copy(&b, &a.problems[1]), 0);
	ck_assert_uint_eq(b.nprob, 2);
	ck_assert_str_eq(b.problems[0].message, "'bin/t' runs x: cannot write it");
	ck_assert_str_eq(b.problems[0].why, "cannot write it");
	ck_assert_str_eq(b.problems[0].rel, "bin/t");
	ck_assert_int_eq(b.problems[0].severity, VENV_SEVERITY_ERROR);
	ck_assert_str_eq(b.problems[1].message, "plain");
	ck_assert_ptr_null(b.problems[1].why);
	ck_assert_ptr_null(b.problems[1].rel);
	venv_plan_release(&a);
	venv_plan_release(&b);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_plan__add_copy_and_sort);
	tcase_add_test(tc, test_plan__dirs_first_keeps_order);
	tcase_add_test(tc, test_plan__declined_copy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
