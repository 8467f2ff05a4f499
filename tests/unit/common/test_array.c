#include "compat.h"
#include <check.h>
#include "array.h"

/* Unit tests for common/array.h: the one way an array grows. */

START_TEST(test_array__grows_by_doubling)
{
	struct pair { int a, b; } *v = NULL;
	size_t alloc = 0, i;

	ck_assert_int_eq(VENV_ARRAY_GROW(v, alloc, 1, 4), 0);
	ck_assert_uint_eq(alloc, 4);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 4; i++)
		v[i].a = (int)i;
	/* Room enough: nothing moves. */
	ck_assert_int_eq(VENV_ARRAY_GROW(v, alloc, 4, 4), 0);
	ck_assert_uint_eq(alloc, 4);
	ck_assert_int_eq(VENV_ARRAY_GROW(v, alloc, 5, 4), 0);
	ck_assert_uint_eq(alloc, 8);
	ck_assert_int_eq(VENV_ARRAY_GROW(v, alloc, 33, 4), 0);
	ck_assert_uint_eq(alloc, 64);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(v[i].a, (int)i);
	free(v);
}
END_TEST

START_TEST(test_array__too_large_is_refused)
{
	char *v = NULL;
	size_t alloc = 0;

	ck_assert_int_eq(VENV_ARRAY_GROW(v, alloc, SIZE_MAX, 16), VENV_ENOMEM);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(alloc, 0);
}
END_TEST

static Suite *array_suite(void)
{
	Suite *s = suite_create("array");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_array__grows_by_doubling);
	tcase_add_test(tc, test_array__too_large_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(array_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
