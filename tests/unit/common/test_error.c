#include "compat.h"
#include <pthread.h>
#include <check.h>
#include "error.h"

/*
 * Unit tests for common/error.c: the per-thread "last error" message and
 * the errno mapping every library function relies on.
 */

START_TEST(test_error__codes_are_stable)
{
	/* The values are ABI: a change here breaks every caller compiled before. */
	ck_assert_int_eq(VENV_OK, 0);
	ck_assert_int_eq(VENV_ERROR, -1);
	ck_assert_int_eq(VENV_ENOTFOUND, -2);
	ck_assert_int_eq(VENV_EEXISTS, -3);
	ck_assert_int_eq(VENV_EINVAL, -4);
	ck_assert_int_eq(VENV_ENOMEM, -5);
	ck_assert_int_eq(VENV_ETOOBIG, -6);
	ck_assert_int_eq(VENV_EUNSAFE, -7);
	ck_assert_int_eq(VENV_EIO, -8);
	ck_assert_int_eq(VENV_ECHILD, -9);
}
END_TEST

START_TEST(test_error__set_returns_code_and_formats)
{
	ck_assert_int_eq(venv_error_set(VENV_EINVAL, "cannot use '%s': %d%%", "x y", 42), VENV_EINVAL);
	ck_assert_str_eq(venv_error_last(), "cannot use 'x y': 42%");
	ck_assert_int_eq(venv_error_set(VENV_ENOTFOUND, "second"), VENV_ENOTFOUND);
	ck_assert_str_eq(venv_error_last(), "second");
	/* A literal percent sign passed through %s is not interpreted. */
	venv_error_set(VENV_ERROR, "%s", "100%s %d");
	ck_assert_str_eq(venv_error_last(), "100%s %d");
}
END_TEST

START_TEST(test_error__wrap_previous_message)
{
	/*
	 * Callers add context to the message of a failed call by passing
	 * venv_error_last() as an argument: the new message is formatted from
	 * the old one, which must not be overwritten while it is being read.
	 */
	char want[256];

	venv_error_set(VENV_EINVAL, "incomplete facts from the interpreter");
	venv_error_set(VENV_EINVAL, "'%s' does not look like Python (%s)", "/bin/true",
		       venv_error_last());
	ck_assert_str_eq(venv_error_last(),
			 "'/bin/true' does not look like Python (incomplete facts from the interpreter)");
	errno = ENOENT;
	venv_error_set(VENV_EIO, "inner");
	venv_error_set_errno(VENV_EIO, "outer: %s", venv_error_last());
	snprintf(want, sizeof(want), "outer: inner: %s", strerror(ENOENT));
	ck_assert_str_eq(venv_error_last(), want);
}
END_TEST

START_TEST(test_error__last_never_null)
{
	venv_error_clear();
	ck_assert_ptr_nonnull(venv_error_last());
	ck_assert_str_eq(venv_error_last(), "unknown error");
	venv_error_set(VENV_ERROR, "%s", "");
	ck_assert_str_eq(venv_error_last(), "unknown error");
	venv_error_set(VENV_ERROR, "something");
	venv_error_clear();
	ck_assert_str_eq(venv_error_last(), "unknown error");
}
END_TEST

START_TEST(test_error__long_message_truncated)
{
	char big[3000];
	const char *m;

	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	venv_error_set(VENV_ERROR, "start %s end", big);
	m = venv_error_last();
	ck_assert_msg(strlen(m) == 1023, "expected a 1023-byte message, saw %zu bytes", strlen(m));
	ck_assert_msg(!strncmp(m, "start mmm", 9), "expected the start kept, saw '%.20s'", m);
	/* The errno variant must not overflow when the message already fills the buffer. */
	errno = ENOENT;
	venv_error_set_errno(VENV_ERROR, "%s", big);
	ck_assert_uint_eq(strlen(venv_error_last()), 1023);
}
END_TEST

START_TEST(test_error__set_errno_appends_strerror)
{
	char want[256];

	errno = ENOENT;
	ck_assert_int_eq(venv_error_set_errno(VENV_ENOTFOUND, "cannot open '%s'", "f"), VENV_ENOTFOUND);
	snprintf(want, sizeof(want), "cannot open 'f': %s", strerror(ENOENT));
	ck_assert_str_eq(venv_error_last(), want);
	ck_assert_msg(errno == ENOENT, "expected errno to be kept (ENOENT), saw %d", errno);

	errno = EACCES;
	venv_error_set_errno(VENV_EIO, "cannot write '%s'", "a b");
	snprintf(want, sizeof(want), "cannot write 'a b': %s", strerror(EACCES));
	ck_assert_str_eq(venv_error_last(), want);
	ck_assert_int_eq(errno, EACCES);
}
END_TEST

START_TEST(test_error__set_errno_with_zero_errno)
{
	char want[256];

	/* No errno at all still yields a reason rather than "Success". */
	errno = 0;
	venv_error_set_errno(VENV_EIO, "cannot sync");
	snprintf(want, sizeof(want), "cannot sync: %s", strerror(EIO));
	ck_assert_str_eq(venv_error_last(), want);
	ck_assert_int_eq(errno, 0);
}
END_TEST

START_TEST(test_error__errno_mapping)
{
	static const struct {
		int err, code;
	} cases[] = {
		{ ENOENT, VENV_ENOTFOUND },
		{ ENOTDIR, VENV_ENOTFOUND },
		{ EEXIST, VENV_EEXISTS },
		{ ENOTEMPTY, VENV_EEXISTS },
		{ ENOMEM, VENV_ENOMEM },
		{ ELOOP, VENV_EUNSAFE },
		{ EFBIG, VENV_ETOOBIG },
		{ ENAMETOOLONG, VENV_ETOOBIG },
		{ EACCES, VENV_EIO },
		{ EPERM, VENV_EIO },
		{ EIO, VENV_EIO },
		{ ENOSPC, VENV_EIO },
		{ EROFS, VENV_EIO },
		{ EINTR, VENV_EIO },
		{ 0, VENV_EIO },
		{ 99999, VENV_EIO },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		int got = venv_error_from_errno(cases[i].err);

		ck_assert_msg(got == cases[i].code, "errno %d: expected %d, saw %d",
			      cases[i].err, cases[i].code, got);
		ck_assert_msg(got < 0, "errno %d mapped to a non-negative code %d", cases[i].err, got);
	}
}
END_TEST

struct thread_arg {
	const char *text;
	int rounds;
	int mismatches;
	char last_seen[64];
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	int i;

	for (i = 0; i < a->rounds; i++) {
		venv_error_set(VENV_ERROR, "%s %d", a->text, i);
		{
			char want[64];

			snprintf(want, sizeof(want), "%s %d", a->text, i);
			if (strcmp(venv_error_last(), want))
				a->mismatches++;
		}
	}
	snprintf(a->last_seen, sizeof(a->last_seen), "%s", venv_error_last());
	return NULL;
}

START_TEST(test_error__message_is_thread_local)
{
	struct thread_arg a = { "alpha", 20000, 0, "" }, b = { "beta", 20000, 0, "" };
	pthread_t ta, tb;

	venv_error_set(VENV_ERROR, "main thread");
	ck_assert_int_eq(pthread_create(&ta, NULL, thread_main, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, thread_main, &b), 0);
	ck_assert_int_eq(pthread_join(ta, NULL), 0);
	ck_assert_int_eq(pthread_join(tb, NULL), 0);
	ck_assert_msg(a.mismatches == 0 && b.mismatches == 0,
		      "expected each thread to read its own message, saw %d and %d mismatches",
		      a.mismatches, b.mismatches);
	ck_assert_str_eq(a.last_seen, "alpha 19999");
	ck_assert_str_eq(b.last_seen, "beta 19999");
	ck_assert_str_eq(venv_error_last(), "main thread");
}
END_TEST

static void *fresh_thread(void *p)
{
	const char **out = p;

	/* A new thread starts without the creator's message. */
	*out = strcmp(venv_error_last(), "unknown error") ? "inherited" : "clean";
	return NULL;
}

START_TEST(test_error__new_thread_starts_clean)
{
	const char *result = NULL;
	pthread_t t;

	venv_error_set(VENV_EIO, "from main");
	ck_assert_int_eq(pthread_create(&t, NULL, fresh_thread, &result), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_str_eq(result, "clean");
	ck_assert_str_eq(venv_error_last(), "from main");
}
END_TEST

static Suite *error_suite(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_error__codes_are_stable);
	tcase_add_test(tc, test_error__set_returns_code_and_formats);
	tcase_add_test(tc, test_error__wrap_previous_message);
	tcase_add_test(tc, test_error__last_never_null);
	tcase_add_test(tc, test_error__long_message_truncated);
	tcase_add_test(tc, test_error__set_errno_appends_strerror);
	tcase_add_test(tc, test_error__set_errno_with_zero_errno);
	tcase_add_test(tc, test_error__errno_mapping);
	tcase_add_test(tc, test_error__message_is_thread_local);
	tcase_add_test(tc, test_error__new_thread_starts_clean);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(error_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
