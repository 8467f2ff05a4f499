#include "compat.h"
#include <check.h>
#include "log.h"

/*
 * Unit tests for common/log.c: the one formatter of the library's log
 * callbacks, and of the messages of findings and problems.
 */

struct seen {
	int calls;
	enum venv_log_level level;
	char msg[8192];
};

static void keep(void *payload, enum venv_log_level level, const char *msg)
{
	struct seen *s = payload;

	s->calls++;
	s->level = level;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

START_TEST(test_log__formats_whole_messages)
{
	struct seen s = { 0, VENV_LOG_DEBUG, "" };
	char path[5000];

	venv_logf(keep, &s, VENV_LOG_WARNING, "cannot use '%s': %d", "x y", 42);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_int_eq(s.level, VENV_LOG_WARNING);
	ck_assert_str_eq(s.msg, "cannot use 'x y': 42");
	/* Longer than the buffers each module had: not cut. */
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	venv_logf(keep, &s, VENV_LOG_INFO, "'%s'.", path);
	ck_assert_uint_eq(strlen(s.msg), sizeof(path) - 1 + 3);
	ck_assert_int_eq(s.msg[strlen(s.msg) - 1], '.');
	/* No callback: nothing happens. */
	venv_logf(NULL, &s, VENV_LOG_INFO, "%s", "x");
	ck_assert_int_eq(s.calls, 2);
}
END_TEST

static int vformat(struct vbuf *msg, const char *fmt, ...) VENV_PRINTF(2, 3);

static int vformat(struct vbuf *msg, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = venv_message_vformat(msg, fmt, ap);
	va_end(ap);
	return error;
}

START_TEST(test_log__message_too_long_is_said)
{
	struct vbuf msg = VBUF_INIT(32);

	ck_assert_int_eq(vformat(&msg, "%s %d", "short", 1), 0);
	ck_assert_str_eq(msg.buf, "short 1");
	vbuf_reset(&msg);
	ck_assert_int_eq(vformat(&msg, "%s", "a message longer than thirty-two bytes"), 0);
	ck_assert_str_eq(msg.buf, "(message too long)");
	vbuf_release(&msg);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_log__formats_whole_messages);
	tcase_add_test(tc, test_log__message_too_long_is_said);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
