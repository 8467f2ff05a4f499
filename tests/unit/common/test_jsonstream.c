/* Tests for common/jsonstream.c: a document written in pieces is json_dumps's text. */
#include "compat.h"
#include <check.h>
#include "error.h"
#include "jsonstream.h"
#include "vbuf.h"
#include "../unit.h"

/* What json_dumps prints for the whole document (with the newline the commands add). */
static void assert_dumps(const struct vbuf *got, json_t *doc)
{
	char *want = json_dumps(doc, JSON_INDENT(2));

	ck_assert_ptr_nonnull(want);
	ck_assert_str_eq(got->buf, want);
	free(want);
	json_decref(doc);
}

START_TEST(test_jsonstream__as_dumps)
{
	struct venv_jsonstream js = VENV_JSONSTREAM_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_REPORT);
	json_t *v;
	int i;

	ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 0), 0);
	v = json_pack("{s:s, s:[i, {}], s:{}}", "name", "two\nlines \"quoted\"", "a", 1, "o");
	ck_assert_int_eq(venv_jsonstream_add(&js, &out, "first", v), 0);
	json_decref(v);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, "items", 1), 0);
	for (i = 0; i < 3; i++) {
		v = json_pack("{s:i, s:[s]}", "n", i, "deep", "x");
		ck_assert_int_eq(venv_jsonstream_add(&js, &out, NULL, v), 0);
		json_decref(v);
	}
	ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, "none", 1), 0);
	ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, "nested", 1), 0);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 0), 0);
	v = json_integer(7);
	ck_assert_int_eq(venv_jsonstream_add(&js, &out, "seven", v), 0);
	json_decref(v);
	ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 0), 0);
	ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
	ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
	ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
	ck_assert_uint_eq(js.depth, 0);
	assert_dumps(&out, json_pack("{s:{s:s, s:[i, {}], s:{}}, s:[{s:i, s:[s]}, {s:i, s:[s]}, "
				     "{s:i, s:[s]}], s:[], s:[{s:i}, {}]}",
				     "first", "name", "two\nlines \"quoted\"", "a", 1, "o",
				     "items", "n", 0, "deep", "x", "n", 1, "deep", "x", "n", 2,
				     "deep", "x", "none", "nested", "seven", 7));
	vbuf_release(&out);
}
END_TEST

/* Members written apart (venv check's json diagnostics) and spliced in. */
START_TEST(test_jsonstream__join)
{
	struct venv_jsonstream js = VENV_JSONSTREAM_INIT, part;
	struct vbuf out = VBUF_INIT(VBUF_MAX_REPORT), apart = VBUF_INIT(VBUF_MAX_REPORT);
	json_t *v = json_pack("{s:s}", "k", "v");
	int n;

	for (n = 0; n < 3; n++) {
		int i;

		vbuf_reset(&out);
		vbuf_reset(&apart);
		memset(&js, 0, sizeof(js));
		ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 0), 0);
		ck_assert_int_eq(venv_jsonstream_open(&js, &out, "a", 1), 0);
		part = js;
		for (i = 0; i < n; i++)
			ck_assert_int_eq(venv_jsonstream_add(&part, &apart, NULL, v), 0);
		ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
		ck_assert_int_eq(venv_jsonstream_open(&js, &out, "b", 1), 0);
		ck_assert_int_eq(vbuf_add(&out, apart.buf, apart.len), 0);
		venv_jsonstream_join(&js, &part);
		ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
		ck_assert_int_eq(venv_jsonstream_close(&js, &out), 0);
		assert_dumps(&out, json_pack("{s:[], s:o}", "a", "b",
					     n == 0 ? json_pack("[]") : n == 1 ? json_pack("[O]", v) :
					     json_pack("[O, O]", v, v)));
	}
	json_decref(v);
	vbuf_release(&out);
	vbuf_release(&apart);
}
END_TEST

START_TEST(test_jsonstream__misuse)
{
	struct venv_jsonstream js = VENV_JSONSTREAM_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_REPORT);
	json_t *v = json_true();
	int i;

	ck_assert_int_eq(venv_jsonstream_close(&js, &out), VENV_EINVAL);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, "key", 0), VENV_EINVAL);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 0), 0);
	/* An object's member needs a key, an array's has none; keys are plain. */
	ck_assert_int_eq(venv_jsonstream_add(&js, &out, NULL, v), VENV_EINVAL);
	ck_assert_int_eq(venv_jsonstream_add(&js, &out, "a\"b", v), VENV_EINVAL);
	ck_assert_int_eq(venv_jsonstream_add(&js, &out, "x", NULL), VENV_ENOMEM);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, "a", 1), 0);
	ck_assert_int_eq(venv_jsonstream_add(&js, &out, "b", v), VENV_EINVAL);
	for (i = 2; i < VENV_JSONSTREAM_MAX_DEPTH; i++)
		ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 1), 0);
	ck_assert_int_eq(venv_jsonstream_open(&js, &out, NULL, 1), VENV_ETOOBIG);
	/* A full buffer is an error, not a truncated document. */
	{
		struct vbuf tiny = VBUF_INIT(4);

		ck_assert_int_lt(venv_jsonstream_add(&js, &tiny, NULL, v), 0);
		vbuf_release(&tiny);
	}
	vbuf_release(&out);
}
END_TEST

static Suite *jsonstream_suite(void)
{
	Suite *s = suite_create("jsonstream");
	TCase *tc = tcase_create("jsonstream");

	tcase_add_test(tc, test_jsonstream__as_dumps);
	tcase_add_test(tc, test_jsonstream__join);
	tcase_add_test(tc, test_jsonstream__misuse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsonstream_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
