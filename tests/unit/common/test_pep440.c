#include "compat.h"
#include <check.h>
#include "error.h"
#include "pep440.h"
#include "pep508.h"
#include "vbuf.h"

/* The specification's ordering example (version-specifiers, "Summary"). */
START_TEST(test_pep440__ordering)
{
	static const char *const order[] = {
		"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456",
		"1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0",
		"1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15",
		"1.1.dev1", "1!0.1",
	};
	size_t i;

	for (i = 0; i + 1 < VENV_ARRAY_SIZE(order); i++) {
		struct venv_pep440 a, b;

		ck_assert_int_eq(venv_pep440_parse(&a, order[i]), 0);
		ck_assert_int_eq(venv_pep440_parse(&b, order[i + 1]), 0);
		ck_assert_msg(venv_pep440_cmp(&a, &b) < 0, "expected %s < %s", order[i], order[i + 1]);
		ck_assert_int_gt(venv_pep440_cmp(&b, &a), 0);
	}
}
END_TEST

START_TEST(test_pep440__normalise)
{
	static const char *const pairs[][2] = {
		{ "1.0-1", "1.0.post1" }, { "1.0RC1", "1.0rc1" }, { "  v1.0 ", "1.0" },
		{ "1.0+Ubuntu-1", "1.0+ubuntu.1" }, { "2.0.0-beta.1", "2.0.0b1" },
		{ "1.0.a.1", "1.0a1" }, { "1.0-dev", "1.0.dev0" }, { "01.02", "1.2" },
	};
	static const char *const bad[] = { "1.0-foo", "1.0+", "latest", "1.0a1b2", "", "99999999999999999999999" };
	struct vbuf out = VBUF_INIT(1024);
	struct venv_pep440 v;
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(pairs); i++) {
		ck_assert_int_eq(venv_pep440_parse(&v, pairs[i][0]), 0);
		ck_assert_int_eq(venv_pep440_str(&out, &v), 0);
		ck_assert_str_eq(out.buf, pairs[i][1]);
	}
	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++)
		ck_assert_int_eq(venv_pep440_parse(&v, bad[i]), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

static int contains(const char *spec, const char *version)
{
	struct venv_specset set;
	struct venv_pep440 v;
	int r;

	ck_assert_int_eq(venv_specset_parse(&set, spec), 0);
	ck_assert_int_eq(venv_pep440_parse(&v, version), 0);
	r = venv_specset_contains(&set, &v);
	venv_specset_release(&set);
	return r;
}

/* The specification's examples, with pip check's prereleases=True. */
START_TEST(test_pep440__specifiers)
{
	ck_assert_int_eq(contains("~=2.2", "2.9"), 1);
	ck_assert_int_eq(contains("~=2.2", "3.0"), 0);
	ck_assert_int_eq(contains("~=1.4.5a4", "1.4.5"), 1);
	ck_assert_int_eq(contains("==1.1.*", "1.1.0.dev1"), 1);
	ck_assert_int_eq(contains("==1.0", "1.0+local"), 1);
	ck_assert_int_eq(contains("<1.0", "1.0a1"), 0);
	ck_assert_int_eq(contains(">1.0", "1.0.post1"), 0);
	ck_assert_int_eq(contains(">1.7.post2", "1.7.0.post3"), 1);
	ck_assert_int_eq(contains("===1.00", "1.00"), 0);
	ck_assert_int_eq(contains("", "1.0a1"), 1);
	ck_assert_int_eq(contains(">=2,<1", "1.5"), 0);
	{
		struct venv_specset set;

		ck_assert_int_eq(venv_specset_parse(&set, "~=1"), VENV_EINVAL);
		ck_assert_int_eq(venv_specset_parse(&set, ">=1.0+local"), VENV_EINVAL);
	}
}
END_TEST

START_TEST(test_pep508__requirements_and_markers)
{
	struct venv_requirement r;
	struct venv_marker_env env;
	struct vbuf out = VBUF_INIT(4096);

	ck_assert_int_eq(venv_requirement_parse(&r, "c[x]>=2 ; python_version >= \"3\""), 0);
	ck_assert_int_eq(venv_requirement_str(&out, &r), 0);
	ck_assert_str_eq(out.buf, "c[x]>=2; python_version >= \"3\"");
	venv_marker_env_init(&env, "3.9.18");
	ck_assert_int_eq(venv_requirement_applies(&r, &env), 1);
	venv_requirement_release(&r);

	ck_assert_int_eq(venv_requirement_parse(&r, "tomli; python_version < \"3.11\""), 0);
	ck_assert_int_eq(venv_requirement_applies(&r, &env), 1);
	venv_marker_env_init(&env, "3.12.1");
	ck_assert_int_eq(venv_requirement_applies(&r, &env), 0);
	venv_requirement_release(&r);

	/* Extras as pip check asks: extra "" drops "extra == x", keeps "!=". */
	ck_assert_int_eq(venv_requirement_parse(&r, "opt; extra == \"Test_Extra\""), 0);
	ck_assert_int_eq(venv_requirement_applies(&r, &env), 0);
	env.value[VENV_MV_EXTRA] = "test-extra";
	ck_assert_int_eq(venv_requirement_applies(&r, &env), 1);
	venv_requirement_release(&r);

	ck_assert_int_eq(venv_requirement_parse(&r, "x @ https://h/x.whl;os_name==\"posix\""), 0);
	ck_assert_str_eq(r.url, "https://h/x.whl;os_name==\"posix\"");
	venv_requirement_release(&r);
	ck_assert_int_eq(venv_requirement_parse(&r, "name; python_version ~= \"3\""), 0);
	ck_assert_int_eq(venv_requirement_applies(&r, &env), VENV_EINVAL);
	venv_requirement_release(&r);
	ck_assert_int_eq(venv_requirement_parse(&r, "name; \"a\" in extras"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_pep508__caps)
{
	/* Deep nesting and long input: errors, not a blown stack. */
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD);
	struct venv_requirement r;
	size_t i;

	ck_assert_int_eq(vbuf_adds(&text, "n; "), 0);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(vbuf_addch(&text, '('), 0);
	ck_assert_int_eq(venv_requirement_parse(&r, text.buf), VENV_EINVAL);
	vbuf_reset(&text);
	ck_assert_int_eq(vbuf_adds(&text, "n; "), 0);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(vbuf_addch(&text, '('), 0);
	ck_assert_int_eq(vbuf_adds(&text, "os_name == 'posix'"), 0);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(vbuf_addch(&text, ')'), 0);
	ck_assert_int_eq(venv_requirement_parse(&r, text.buf), VENV_EINVAL);
	vbuf_release(&text);
}
END_TEST

static Suite *pep440_suite(void)
{
	Suite *s = suite_create("pep440");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pep440__ordering);
	tcase_add_test(tc, test_pep440__normalise);
	tcase_add_test(tc, test_pep440__specifiers);
	tcase_add_test(tc, test_pep508__requirements_and_markers);
	tcase_add_test(tc, test_pep508__caps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pep440_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
