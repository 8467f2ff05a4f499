/* Tests for common/suggest.c: edit distance and "did you mean ...?". */
#include "compat.h"
#include <check.h>
#include "suggest.h"

START_TEST(test_suggest__edit_distance)
{
	ck_assert_uint_eq(venv_edit_distance("", ""), 0);
	ck_assert_uint_eq(venv_edit_distance("create", "create"), 0);
	ck_assert_uint_eq(venv_edit_distance("crate", "create"), 1);
	ck_assert_uint_eq(venv_edit_distance("chekc", "check"), 1); /* a swap counts once */
	ck_assert_uint_eq(venv_edit_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(venv_edit_distance("", "abc"), 3);
	ck_assert_uint_eq(venv_edit_distance("abc", ""), 3);
	ck_assert_uint_eq(venv_edit_distance("a", "b"), 1);
	{
		char big[100];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_assert_uint_eq(venv_edit_distance(big, "a"), (size_t)-1);
	}
}
END_TEST

static const char *suggest(const char *word)
{
	static const char *const cands[] = { "check", "create", "help", "repair", "restore" };
	struct venv_suggest s;
	size_t i;

	venv_suggest_init(&s, word);
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		venv_suggest_consider(&s, cands[i]);
	return venv_suggest_result(&s);
}

START_TEST(test_suggest__picks_the_close_one)
{
	ck_assert_str_eq(suggest("crate"), "create");
	ck_assert_str_eq(suggest("chekc"), "check");
	ck_assert_str_eq(suggest("repiar"), "repair");
	ck_assert_str_eq(suggest("hlep"), "help");
	ck_assert_str_eq(suggest("cr"), "create");  /* the start of one command */
	ck_assert_ptr_null(suggest("re"));          /* the start of two */
	ck_assert_ptr_null(suggest("xyzzy"));
	ck_assert_ptr_null(suggest("c"));           /* one letter says too little */
	ck_assert_ptr_null(suggest("check"));       /* an exact name needs no hint */
	ck_assert_ptr_null(suggest(""));
}
END_TEST

static Suite *suggest_suite(void)
{
	Suite *s = suite_create("suggest");
	TCase *tc = tcase_create("suggest");

	tcase_add_test(tc, test_suggest__edit_distance);
	tcase_add_test(tc, test_suggest__picks_the_close_one);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suggest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
