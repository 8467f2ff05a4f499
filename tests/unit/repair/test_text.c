#include "compat.h"
#include <check.h>
#include "error.h"
#include "text.h"

/*
 * Unit tests for repair/text.c: the prompt literal of pyvenv.cfg and
 * whole-path search. (Its shebang tests went with the shebang reader and
 * writer to tests/unit/common/test_shebang.c.)
 */

START_TEST(test_text__pyliteral)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	ck_assert_int_eq(venv_repair_pyliteral(&out, "'my env'"), 0);
	ck_assert_str_eq(out.buf, "my env");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "\"it's\""), 0);
	ck_assert_str_eq(out.buf, "it's");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'a\\'b\\\\c'"), 0);
	ck_assert_str_eq(out.buf, "a'b\\c");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'caf\\xe9 \\u2603 \\U0001f600'"), 0);
	ck_assert_str_eq(out.buf, "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80");
	/* virtualenv writes the prompt bare. */
	ck_assert_int_eq(venv_repair_pyliteral(&out, "bare prompt"), 0);
	ck_assert_str_eq(out.buf, "bare prompt");
	/* Two literals side by side are not one: kept as written. */
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'a' 'b'"), 0);
	ck_assert_str_eq(out.buf, "'a' 'b'");
	ck_assert_int_eq(venv_repair_pyliteral(&out, "'\\ud800'"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_text__find_path_whole_components)
{
	const char *t = "A=/a/env2 B=/x/a/env C=/a/env.bak D='/a/env' E=/a/env/bin";
	size_t at = venv_repair_find_path(t, strlen(t), 0, "/a/env");

	ck_assert_msg(at != (size_t)-1 && !strncmp(t + at - 1, "'/a/env'", 8),
		      "expected the quoted occurrence first, saw offset %zu", at);
	at = venv_repair_find_path(t, strlen(t), at + 1, "/a/env");
	ck_assert_msg(at != (size_t)-1 && !strcmp(t + at, "/a/env/bin"),
		      "expected /a/env/bin next, saw offset %zu", at);
	ck_assert_msg(venv_repair_find_path(t, strlen(t), at + 1, "/a/env") == (size_t)-1,
		      "expected no more occurrences");
}
END_TEST

START_TEST(test_text__plain_word)
{
	ck_assert_int_eq(venv_repair_plain_word("/srv/u/env-1.2_x"), 1);
	ck_assert_int_eq(venv_repair_plain_word("/srv/u/my env"), 0);
	ck_assert_int_eq(venv_repair_plain_word("/srv/u/$x"), 0);
	ck_assert_int_eq(venv_repair_plain_word(""), 0);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_text__pyliteral);
	tcase_add_test(tc, test_text__find_path_whole_components);
	tcase_add_test(tc, test_text__plain_word);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
