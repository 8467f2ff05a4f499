/* Tests for common/progress.c: the progress line's bytes and pip's steps. */
#include "compat.h"
#include <check.h>
#include "progress.h"

static struct venv_progress line(int escapes, int shown)
{
	struct venv_progress p;

	memset(&p, 0, sizeof(p));
	p.on = 1;
	p.escapes = escapes;
	p.shown = shown;
	return p;
}

START_TEST(test_progress__format)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_progress p = line(1, 0);

	/* The first line: nothing to erase. */
	ck_assert_int_eq(venv_progress_format(&out, &p, "pip: 1 of 2: cext==2.0"), 0);
	ck_assert_str_eq(out.buf, "\rpip: 1 of 2: cext==2.0");
	/* Then erased with the escape... */
	p = line(1, 22);
	vbuf_reset(&out);
	ck_assert_int_eq(venv_progress_format(&out, &p, "pip: 2 of 2: installing"), 0);
	ck_assert_str_eq(out.buf, "\r\033[K\rpip: 2 of 2: installing");
	/* ... or, under NO_COLOR or TERM=dumb, with as many spaces as were shown. */
	p = line(0, 3);
	vbuf_reset(&out);
	ck_assert_int_eq(venv_progress_format(&out, &p, "a\nb"), 0);
	ck_assert_str_eq(out.buf, "\r   \r\ra b");
	ck_assert_ptr_null(strstr(out.buf, "\033"));
	vbuf_reset(&out);
	ck_assert_int_eq(venv_progress_erase(&out, &p), 0);
	ck_assert_str_eq(out.buf, "\r   \r");
	p = line(1, 0);
	vbuf_reset(&out);
	ck_assert_int_eq(venv_progress_erase(&out, &p), 0);
	ck_assert_uint_eq(out.len, 0);
	/* No control character of the text reaches the terminal. */
	p = line(1, 0);
	vbuf_reset(&out);
	ck_assert_int_eq(venv_progress_format(&out, &p, "pip: x\033]0;t\007\033[2J\177\tz"), 0);
	ck_assert_str_eq(out.buf, "\rpip: x ]0;t  [2J  z");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_progress__off_without_a_terminal)
{
	struct venv_progress p;
	int fd = open("/dev/null", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	venv_progress_init(&p, 1, fd);
	ck_assert_int_eq(p.on, 0);
	close(fd);
	setenv("NO_COLOR", "1", 1);
	venv_progress_init(&p, 0, 2);
	ck_assert_int_eq(p.on, 0);
	ck_assert_int_eq(p.escapes, 0);
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	venv_progress_init(&p, 0, 2);
	ck_assert_int_eq(p.escapes, 1);
}
END_TEST

static char steps[512];

static void step(void *payload, const char *what, size_t n, size_t total)
{
	size_t len = strlen(steps);

	(void)payload;
	snprintf(steps + len, sizeof(steps) - len, "%zu/%zu %s|", n, total, what);
}

START_TEST(test_progress__pip_steps)
{
	static const char out[] =
		"Collecting cext==2.0\r\n"
		"  Downloading cext-2.0.tar.gz (1 kB)\n"
		"Processing /tmp/x/wheels/tiny-1.0-py3-none-any.whl\n"
		"Obtaining file:///src/proj\n"
		"Collecting extra==1\n"          /* more than announced: n stops at total */
		"Building wheels for collected packages: cext\n"
		"Installing collected packages: cext, tiny\n"
		"Successfully installed cext-2.0 tiny-1.0\n";
	struct venv_pip_progress pp;
	size_t i;

	/* Fed one byte at a time: lines are put together across chunks. */
	steps[0] = '\0';
	venv_pip_progress_init(&pp, 3, step, NULL);
	for (i = 0; i < sizeof(out) - 1; i++)
		venv_pip_progress_feed(&pp, out + i, 1);
	venv_pip_progress_release(&pp);
	ck_assert_str_eq(steps, "1/3 cext==2.0|2/3 tiny-1.0-py3-none-any.whl|3/3 proj|"
			 "3/3 extra==1|3/3 installing|");
}
END_TEST

static Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("progress");

	tcase_add_test(tc, test_progress__format);
	tcase_add_test(tc, test_progress__off_without_a_terminal);
	tcase_add_test(tc, test_progress__pip_steps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(progress_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
