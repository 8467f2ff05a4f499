/*
 * Tests for common/regex.c: the PCRE2 patterns and their limits
 * (security.md INS-03: hostile text hits a limit and is reported as
 * VENV_ETOOBIG, "unparseable", never as a match, a crash or a spin; bytes
 * that are not UTF-8 are matched as bytes).
 */
#include "compat.h"
#include <check.h>
#include <pthread.h>
#include "error.h"
#include "regex.h"

static int match(enum venv_re_id id, const char *s, struct venv_re_match *m)
{
	return venv_re_match(id, s, strlen(s), 0, m);
}

START_TEST(test_regex__assignments)
{
	struct venv_re_match m;
	const char *s = "x=1\n    export VIRTUAL_ENV=\"/a b\"\n";

	ck_assert_int_eq(match(VENV_RE_SH_VENV, s, &m), 1);
	ck_assert_uint_eq(m.group_end[0] - m.group_start[0], 6);
	ck_assert(!memcmp(s + m.group_start[0], "\"/a b\"", 6));
	ck_assert_int_eq(match(VENV_RE_FISH_VENV, "set -gx VIRTUAL_ENV '/x'\n", &m), 1);
	ck_assert_int_eq(match(VENV_RE_CSH_VENV, "setenv VIRTUAL_ENV /x\n", &m), 1);
	ck_assert_int_eq(match(VENV_RE_NU_VENV, "    let virtual_env = '/x'\n", &m), 1);
	ck_assert_int_eq(match(VENV_RE_PWSH_VENV, "$ENV:virtual_env = '/x'\n", &m), 1);
	ck_assert_int_eq(match(VENV_RE_SH_VENV, "MY_VIRTUAL_ENV=/x\n", &m), 0);
	ck_assert_int_eq(match(VENV_RE_SH_SELF, "x=$MYINVOCATION\n", &m), 1);
}
END_TEST

START_TEST(test_regex__extension_tags)
{
	struct venv_re_match m;

	ck_assert_int_eq(match(VENV_RE_EXT_TAG, "_x.cpython-312-x86_64-linux-gnu.so", &m), 1);
	ck_assert_uint_eq(m.group_end[1] - m.group_start[1], 2);
	ck_assert_int_eq(match(VENV_RE_EXT_TAG, "_x.cpython-313t-x86_64-linux-gnu.so", &m), 1);
	ck_assert_int_eq(match(VENV_RE_EXT_TAG, "_x.abi3.so", &m), 0);
	ck_assert_int_eq(match(VENV_RE_EXT_TAG, "_x.cpython-312-x86_64-linux-gnu.so.bak", &m), 0);
}
END_TEST

START_TEST(test_regex__bad_requests)
{
	struct venv_re_match m;

	ck_assert_int_eq(venv_re_match(VENV_RE_COUNT, "x", 1, 0, &m), VENV_EINVAL);
	ck_assert_int_eq(venv_re_match(VENV_RE_SH_VENV, "x", 1, 5, &m), VENV_EINVAL);
}
END_TEST

/* subject = pre followed by n copies of unit; the caller frees it. */
static char *repeat(const char *pre, const char *unit, size_t n, size_t *len)
{
	size_t pl = strlen(pre), ul = strlen(unit), i;
	char *b;

	*len = pl + n * ul;
	b = malloc(*len + 1);
	ck_assert_msg(b != NULL, "expected %zu bytes of memory", *len + 1);
	memcpy(b, pre, pl);
	for (i = 0; i < n; i++)
		memcpy(b + pl + i * ul, unit, ul);
	b[*len] = '\0';
	return b;
}

START_TEST(test_regex__limits)
{
	static const char *const units[] = { "x", "\"$0\" \"" };
	struct venv_re_match m;
	size_t len, i;
	char *b;
	int rc;

	/*
	 * The trampoline's lazy interpreter group backtracks once per byte of
	 * a line that never ends in "$0" "$@": 4 MB of it exceeds the match
	 * limit, which must come back as VENV_ETOOBIG, not as "no match".
	 */
	for (i = 0; i < VENV_ARRAY_SIZE(units); i++) {
		b = repeat("#!/bin/sh\n'''exec' ", units[i], (4u << 20) / strlen(units[i]), &len);
		rc = venv_re_match(VENV_RE_TRAMPOLINE, b, len, 0, &m);
		ck_assert_msg(rc == VENV_ETOOBIG, "expected VENV_ETOOBIG (%d) for 4 MB of '%s', saw %d",
			      VENV_ETOOBIG, units[i], rc);
		ck_assert_str_eq(venv_error_last(), "the text exceeds the parser's limits");
		free(b);
		/* The same line, short, is an ordinary non-match. */
		b = repeat("#!/bin/sh\n'''exec' ", units[i], 100, &len);
		rc = venv_re_match(VENV_RE_TRAMPOLINE, b, len, 0, &m);
		ck_assert_msg(rc == 0, "expected no match for a short line of '%s', saw %d", units[i], rc);
		free(b);
	}
	/* A 1 MB single line: linear patterns just answer. */
	b = repeat("VIRTUAL_ENV=", "$(", 1u << 19, &len);
	rc = venv_re_match(VENV_RE_SH_VENV, b, len, 0, &m);
	ck_assert_msg(rc == 1, "expected a match on a 1 MB line, saw %d", rc);
	ck_assert_msg(m.group_end[0] - m.group_start[0] == len - 12,
		      "expected the whole value (%zu bytes) captured, saw %zu", len - 12,
		      m.group_end[0] - m.group_start[0]);
	free(b);
	/* Bytes that are not UTF-8 are bytes: matched, not an error. */
	rc = match(VENV_RE_SH_VENV, "VIRTUAL_ENV=/\xff\xfe\xc3(\xed\xa0\x80\n", &m);
	ck_assert_msg(rc == 1, "expected a match on bytes that are not UTF-8, saw %d", rc);
	ck_assert_uint_eq(m.group_end[0] - m.group_start[0], 8);
	rc = match(VENV_RE_SHEBANG, "#!/opt/\xff\xfe/python \x80" "arg\n", &m);
	ck_assert_msg(rc == 1, "expected a #! match on bytes that are not UTF-8, saw %d", rc);
	ck_assert_uint_eq(m.group_end[0] - m.group_start[0], 14);
}
END_TEST

static void *in_thread(void *arg)
{
	struct venv_re_match m;
	int i, *ok = arg;

	for (i = 0; i < 2000; i++)
		if (match(VENV_RE_SH_VENV, "VIRTUAL_ENV=/x\n", &m) != 1)
			*ok = 0;
	return NULL;
}

START_TEST(test_regex__threads)
{
	pthread_t t[4];
	int ok = 1, i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, in_thread, &ok), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_msg(ok, "expected every match in every thread to succeed");
}
END_TEST

static Suite *regex_suite(void)
{
	Suite *s = suite_create("regex");
	TCase *tc = tcase_create("patterns");

	tcase_add_test(tc, test_regex__assignments);
	tcase_add_test(tc, test_regex__extension_tags);
	tcase_add_test(tc, test_regex__bad_requests);
	tcase_add_test(tc, test_regex__limits);
	tcase_add_test(tc, test_regex__threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(regex_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
