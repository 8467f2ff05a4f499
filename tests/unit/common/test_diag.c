/* Tests for common/diag.c: the registry of diagnostic codes. */
#include "compat.h"
#include <check.h>
#include <ctype.h>
#include "diag.h"
#include "error.h"

START_TEST(test_diag__sorted_unique_and_blocked)
{
	size_t i;

	ck_assert_msg(venv_diags_count >= 40, "expected at least 40 rules, saw %zu", venv_diags_count);
	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];

		/* VNV6xx: installed distributions (issue 13). */
		ck_assert_msg(d->code > 0 && d->code < 700, "expected a code in 1..699, saw %d", d->code);
		/* VNV3xx is reserved for archive contents. */
		ck_assert_msg(d->code / 100 != 3, "expected no VNV3xx rule yet, saw %d", d->code);
		if (i)
			ck_assert_msg(venv_diags[i - 1].code < d->code,
				      "expected codes in increasing order, saw %d after %d", d->code,
				      venv_diags[i - 1].code);
	}
}
END_TEST

START_TEST(test_diag__slugs_are_kebab_case_and_unique)
{
	size_t i, j;

	for (i = 0; i < venv_diags_count; i++) {
		const char *s = venv_diags[i].slug, *p;

		ck_assert_msg(s[0] >= 'a' && s[0] <= 'z', "expected slug '%s' to start with a letter", s);
		for (p = s; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-',
				      "expected kebab-case, saw '%s'", s);
		ck_assert_msg(p[-1] != '-', "expected slug '%s' not to end with '-'", s);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(s, venv_diags[j].slug), "expected unique slugs, '%s' twice", s);
	}
}
END_TEST

START_TEST(test_diag__every_rule_is_documented)
{
	size_t i;

	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];
		const char *fields[] = { d->summary, d->what, d->why, d->example, d->fix, d->since };
		size_t k;

		for (k = 0; k < VENV_ARRAY_SIZE(fields); k++)
			ck_assert_msg(fields[k] && fields[k][0], "expected VNV%03d field %zu to be set",
				      d->code, k);
		/* Summaries are lower case and have no full stop, like messages. */
		ck_assert_msg(!isupper((unsigned char)d->summary[0]) &&
			      d->summary[strlen(d->summary) - 1] != '.',
			      "expected a lower-case summary without full stop, saw '%s'", d->summary);
		ck_assert_msg(d->what[strlen(d->what) - 1] == '.',
			      "expected 'what' of VNV%03d to be sentences", d->code);
		ck_assert_msg(d->severity >= VENV_SEVERITY_INFO && d->severity <= VENV_SEVERITY_ERROR,
			      "expected a severity, saw %d", (int)d->severity);
	}
}
END_TEST

START_TEST(test_diag__issue_rules_exist)
{
	/* The diagnostics issue 5 asks for, by slug. */
	static const char *const slugs[] = {
		"relocated-environment", "shebang-missing-interpreter", "shebang-old-location",
		"shebang-other-environment", "shebang-truncated", "missing-pyvenv-cfg",
		"cfg-unreadable", "cfg-not-utf8", "cfg-bom", "cfg-missing-home", "cfg-duplicate-home",
		"cfg-no-final-newline", "cfg-system-site-packages", "base-missing",
		"dangling-interpreter-link", "stale-version", "stale-copied-interpreter",
		"base-version-mismatch", "orphaned-site-packages", "wrong-abi-extension",
		"missing-interpreter-alias", "missing-lib64", "pth-missing-path",
		"missing-activation-script", "unquoted-activation-template", "world-writable",
		"unfinished-creation", "not-a-venv"
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(slugs); i++)
		ck_assert_msg(venv_diag_find(slugs[i]) != NULL, "expected a rule named '%s'", slugs[i]);
}
END_TEST

START_TEST(test_diag__find_by_code_and_slug)
{
	const struct venv_diag *d = venv_diag_find("VNV401"), *e = venv_diag_find("vnv401");
	char buf[16];

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->code, VENV_DIAG_RELOCATED_ENVIRONMENT);
	ck_assert_ptr_eq(d, e);
	ck_assert_ptr_eq(venv_diag_find("relocated-environment"), d);
	ck_assert_ptr_eq(venv_diag_find("RELOCATED-ENVIRONMENT"), d);
	ck_assert_ptr_eq(venv_diag_get(401), d);
	ck_assert_ptr_null(venv_diag_find("VNV999"));
	ck_assert_ptr_null(venv_diag_find("VNV4"));
	ck_assert_ptr_null(venv_diag_find("VNV40x"));
	ck_assert_ptr_null(venv_diag_find("nope"));
	ck_assert_ptr_null(venv_diag_get(300));
	venv_diag_code_str(buf, sizeof(buf), 1);
	ck_assert_str_eq(buf, "VNV001");
	ck_assert_ptr_eq(venv_diag_find("VNV001"), venv_diag_get(1));
}
END_TEST

START_TEST(test_diag__match_specificity)
{
	const struct venv_diag *d = venv_diag_get(401);

	ck_assert_int_eq(venv_diag_match(d, "ALL"), 1);
	ck_assert_int_gt(venv_diag_match(d, "VNV"), venv_diag_match(d, "ALL"));
	ck_assert_int_gt(venv_diag_match(d, "VNV4"), venv_diag_match(d, "VNV"));
	ck_assert_int_gt(venv_diag_match(d, "VNV40"), venv_diag_match(d, "VNV4"));
	ck_assert_int_gt(venv_diag_match(d, "VNV401"), venv_diag_match(d, "VNV40"));
	ck_assert_int_eq(venv_diag_match(d, "relocated-environment"), venv_diag_match(d, "VNV401"));
	ck_assert_int_eq(venv_diag_match(d, "VNV5"), 0);
	ck_assert_int_eq(venv_diag_match(d, "VNV4010"), 0);
	ck_assert_int_eq(venv_diag_match(d, "VN"), 0);
	ck_assert(venv_diag_selector_valid("VNV2"));
	ck_assert(!venv_diag_selector_valid("VNV3"));
	ck_assert(!venv_diag_selector_valid("bogus"));
}
END_TEST

START_TEST(test_diag__severity_names)
{
	enum venv_severity s;

	ck_assert_str_eq(venv_severity_name(VENV_SEVERITY_ERROR), "error");
	ck_assert_str_eq(venv_severity_name(VENV_SEVERITY_WARNING), "warning");
	ck_assert_str_eq(venv_severity_name(VENV_SEVERITY_INFO), "info");
	ck_assert_int_eq(venv_severity_parse(&s, "Warning"), 0);
	ck_assert_int_eq(s, VENV_SEVERITY_WARNING);
	ck_assert_int_eq(venv_severity_parse(&s, "fatal"), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "'fatal'") != NULL, "expected the name in '%s'",
		      venv_error_last());
}
END_TEST

static Suite *diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, test_diag__sorted_unique_and_blocked);
	tcase_add_test(tc, test_diag__slugs_are_kebab_case_and_unique);
	tcase_add_test(tc, test_diag__every_rule_is_documented);
	tcase_add_test(tc, test_diag__issue_rules_exist);
	tcase_add_test(tc, test_diag__find_by_code_and_slug);
	tcase_add_test(tc, test_diag__match_specificity);
	tcase_add_test(tc, test_diag__severity_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(diag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
