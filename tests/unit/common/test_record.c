#include "compat.h"
#include <check.h>
#include "error.h"
#include "record.h"
#include "vbuf.h"

START_TEST(test_record__record_parse)
{
	static const char text[] =
		"pip/__init__.py,sha256=abc,357\r\n"
		"\"a,b.py\",sha256=def,1\n"
		"\n"
		"\"q\"\"uote\",,\n"
		"pip-1.dist-info/RECORD,,";
	struct venv_record_row *rows = NULL;
	size_t n = 0;

	ck_assert_int_eq(venv_record_parse(text, strlen(text), &rows, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(rows[0].path, "pip/__init__.py");
	ck_assert_str_eq(rows[0].hash, "sha256=abc");
	ck_assert_str_eq(rows[0].size, "357");
	ck_assert_str_eq(rows[1].path, "a,b.py");
	ck_assert_str_eq(rows[2].path, "q\"uote");
	ck_assert_str_eq(rows[2].hash, "");
	ck_assert_str_eq(rows[3].path, "pip-1.dist-info/RECORD");
	venv_record_rows_free(rows, n);
}
END_TEST

START_TEST(test_record__record_parse_errors)
{
	static const char *const bad[] = {
		"a,b\n", "a,b,c,d\n", "\"a,b,c\n", "a\"b,c,d\n", "\"a\"x,b,c\n",
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++) {
		struct venv_record_row *rows = NULL;
		size_t n = 0;
		int rc = venv_record_parse(bad[i], strlen(bad[i]), &rows, &n);

		ck_assert_msg(rc == VENV_EINVAL, "expected RECORD text %zu to be refused, saw %d",
			      i, rc);
		venv_record_rows_free(rows, n);
	}
}
END_TEST

START_TEST(test_record__record_field_quoting)
{
	struct vbuf out = VBUF_INIT(1024);

	venv_record_add_field(&out, "plain/path.py");
	ck_assert_int_eq(vbuf_addch(&out, '|'), 0);
	venv_record_add_field(&out, "a,b");
	ck_assert_int_eq(vbuf_addch(&out, '|'), 0);
	venv_record_add_field(&out, "say \"hi\"");
	ck_assert_str_eq(out.buf, "plain/path.py|\"a,b\"|\"say \"\"hi\"\"\"");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_record__row_cap)
{
	/* More rows than the cap: an error, not unbounded memory. */
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD);
	struct venv_record_row *rows = NULL;
	size_t n = 0, i;

	for (i = 0; i <= VENV_RECORD_MAX_ROWS; i++)
		ck_assert_int_eq(vbuf_adds(&text, "a,,\n"), 0);
	ck_assert_int_eq(venv_record_parse(text.buf, text.len, &rows, &n), VENV_ETOOBIG);
	venv_record_rows_free(rows, n);
	vbuf_release(&text);
}
END_TEST

START_TEST(test_record__field_cap)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD);
	struct venv_record_row *rows = NULL;
	size_t n = 0, i;

	for (i = 0; i <= VENV_RECORD_MAX_FIELD; i++)
		ck_assert_int_eq(vbuf_addch(&text, 'x'), 0);
	ck_assert_int_eq(vbuf_adds(&text, ",,\n"), 0);
	ck_assert_int_eq(venv_record_parse(text.buf, text.len, &rows, &n), VENV_ETOOBIG);
	venv_record_rows_free(rows, n);
	vbuf_release(&text);
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_record__record_parse);
	tcase_add_test(tc, test_record__record_parse_errors);
	tcase_add_test(tc, test_record__record_field_quoting);
	tcase_add_test(tc, test_record__row_cap);
	tcase_add_test(tc, test_record__field_cap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(record_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
