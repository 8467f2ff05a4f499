/* Tests for inspect/format.c: text, JSON, SARIF, --explain, manual pages. */
#include "compat.h"
#include <check.h>
#include "checkopts.h"
#include "format.h"

static struct venv_report rep;
static struct venv_rule_filter all;

static void setup(void)
{
	memset(&rep, 0, sizeof(rep));
	rep.path = strdup("env");
	ck_assert_int_eq(venv_report_add(&rep, 401, "env/bin/activate", 45,
					 "set VIRTUAL_ENV to '/new'", "moved from '%s'", "/old"), 0);
	ck_assert_int_eq(venv_report_add(&rep, 502, "env/bin/activate", 45, NULL, "old template"), 0);
	ck_assert_int_eq(venv_report_add(&rep, 1, NULL, 0, NULL, "nothing \033[31mhere"), 0);
	ck_assert_int_eq(venv_rule_filter_init(&all, NULL, NULL, VENV_SEVERITY_INFO, NULL), 0);
}

static void teardown(void)
{
	venv_report_release(&rep);
}

START_TEST(test_format__text_escape)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_LINE);

	ck_assert_int_eq(venv_text_escape(&b, "a\033[2Jb\nc\\d\xff\xc3\xa9\xe2\x80\xaez"), 0);
	ck_assert_str_eq(b.buf, "a\\x1b[2Jb\\nc\\\\d\\xff\xc3\xa9\\u202ez");
	vbuf_release(&b);
}
END_TEST

START_TEST(test_format__json_string)
{
	json_t *j = venv_json_str("ok\xff\xfe caf\xc3\xa9");

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(j), "ok\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9");
	json_decref(j);
}
END_TEST

START_TEST(test_format__text)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_rule_filter warn;

	ck_assert_int_eq(venv_format_text(&b, &rep, &all, 0), 0);
	ck_assert_msg(strstr(b.buf, "env/bin/activate:45: error: moved from '/old' "
			     "[VNV401 relocated-environment]\n    fix (venv repair): set VIRTUAL_ENV "
			     "to '/new'\n") != NULL, "expected the gcc-like line and fix, saw:\n%s", b.buf);
	ck_assert_msg(strstr(b.buf, "env: error: nothing \\x1b[31mhere [VNV001 not-a-venv]") != NULL,
		      "expected the environment as location and escapes, saw:\n%s", b.buf);
	ck_assert_msg(!strchr(b.buf, '\033'), "expected no escape character without colour");
	vbuf_reset(&b);
	ck_assert_int_eq(venv_rule_filter_init(&warn, NULL, "VNV0", VENV_SEVERITY_WARNING, NULL), 0);
	ck_assert_int_eq(venv_format_text(&b, &rep, &warn, 1), 0);
	ck_assert_msg(!strstr(b.buf, "VNV502") && !strstr(b.buf, "VNV001"),
		      "expected filtered findings hidden, saw:\n%s", b.buf);
	ck_assert_msg(strstr(b.buf, "\033[1;31merror") != NULL, "expected colour, saw:\n%s", b.buf);
	vbuf_release(&b);
}
END_TEST

/*
 * Findings past the cap of a code are dropped: the text says how many and
 * which code was cut short, unless the filter hides that code anyway.
 */
START_TEST(test_format__text_dropped)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_rule_filter no403;
	int i;

	for (i = 0; i < VENV_REPORT_MAX_PER_CODE + 5; i++)
		ck_assert_int_eq(venv_report_add(&rep, 403, "env/bin/s", 1, NULL, "missing %d", i), 0);
	ck_assert_uint_eq(rep.dropped, 5);
	ck_assert_int_eq(venv_format_text(&b, &rep, &all, 0), 0);
	ck_assert_msg(strstr(b.buf, "\nenv: 5 more findings not shown (check keeps the first 20 of "
			     "each code and 1000 in all; cut short: VNV403)\n") != NULL,
		      "expected the dropped findings counted, saw:\n%s", b.buf);
	vbuf_reset(&b);
	ck_assert_int_eq(venv_rule_filter_init(&no403, NULL, "VNV403", VENV_SEVERITY_INFO, NULL), 0);
	ck_assert_int_eq(venv_format_text(&b, &rep, &no403, 0), 0);
	ck_assert_msg(!strstr(b.buf, "not shown"), "expected no note when VNV403 is hidden, saw:\n%s",
		      b.buf);
	vbuf_release(&b);
}
END_TEST

START_TEST(test_format__json)
{
	json_t *o = venv_finding_json(&rep, &rep.findings[0]), *e;

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "VNV401");
	ck_assert_str_eq(json_string_value(json_object_get(o, "slug")), "relocated-environment");
	ck_assert_str_eq(json_string_value(json_object_get(o, "severity")), "error");
	ck_assert_str_eq(json_string_value(json_object_get(o, "file")), "env/bin/activate");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "line")), 45);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "fix"), "description")),
			 "set VIRTUAL_ENV to '/new'");
	json_decref(o);
	o = venv_finding_json(&rep, &rep.findings[2]);
	ck_assert(json_is_null(json_object_get(o, "file")));
	ck_assert(json_is_null(json_object_get(o, "line")));
	ck_assert(json_is_null(json_object_get(o, "fix")));
	json_decref(o);
	e = venv_report_json(&rep, &all);
	ck_assert_str_eq(json_string_value(json_object_get(e, "status")), "findings");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "errors")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "infos")), 1);
	json_decref(e);
}
END_TEST

/*
 * A finding of a fixable code whose rule gave no fix (repair declines it:
 * VNV502 here) claims none in JSON or SARIF, as in text: they gave the
 * code's generic fix, for a finding repair leaves as it is.
 */
START_TEST(test_format__declined_fix)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_LINE);
	json_t *o = venv_finding_json(&rep, &rep.findings[1]), *p;

	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "VNV502");
	ck_assert(json_is_null(json_object_get(o, "fix")));
	ck_assert(json_is_false(json_object_get(o, "fixable")));
	json_decref(o);
	o = venv_finding_json(&rep, &rep.findings[0]);
	ck_assert(json_is_true(json_object_get(o, "fixable")));
	json_decref(o);
	o = venv_finding_json(&rep, &rep.findings[2]);
	ck_assert(json_is_false(json_object_get(o, "fixable")));
	json_decref(o);
	o = venv_sarif_result(&rep, &rep.findings[1], 3);
	ck_assert_ptr_nonnull(o);
	p = json_object_get(o, "properties");
	ck_assert(json_is_null(json_object_get(p, "fix")));
	ck_assert(json_is_false(json_object_get(p, "fixable")));
	ck_assert_ptr_null(json_object_get(o, "fixes"));
	json_decref(o);
	o = venv_sarif_result(&rep, &rep.findings[0], 3);
	p = json_object_get(o, "properties");
	ck_assert_str_eq(json_string_value(json_object_get(p, "fix")), "set VIRTUAL_ENV to '/new'");
	ck_assert(json_is_true(json_object_get(p, "fixable")));
	json_decref(o);
	ck_assert_int_eq(venv_format_text(&b, &rep, &all, 0), 0);
	ck_assert_msg(strstr(b.buf, "[VNV502 unquoted-activation-template]\nenv:") != NULL,
		      "expected no fix line under VNV502, saw:\n%s", b.buf);
	vbuf_release(&b);
}
END_TEST

START_TEST(test_format__sarif)
{
	const struct venv_diag *d = venv_diag_get(401);
	json_t *rule = venv_sarif_rule(d), *res;

	ck_assert_str_eq(json_string_value(json_object_get(rule, "id")), "VNV401");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rule,
		"defaultConfiguration"), "level")), "error");
	json_decref(rule);
	rule = venv_sarif_rule(venv_diag_get(502));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rule,
		"defaultConfiguration"), "level")), "note");
	json_decref(rule);
	res = venv_sarif_result(&rep, &rep.findings[0], 7);
	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(json_integer_value(json_object_get(res, "ruleIndex")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
		json_array_get(json_object_get(res, "locations"), 0), "physicalLocation"), "region"),
		"startLine")), 45);
	json_decref(res);
}
END_TEST

START_TEST(test_format__explain_and_rules)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_RECORD);
	size_t i;

	ck_assert_int_eq(venv_format_explain(&b, venv_diag_get(104), 0), 0);
	ck_assert_msg(!strncmp(b.buf, "dangling-interpreter-link (VNV104)\n", 35), "saw:\n%s", b.buf);
	ck_assert(strstr(b.buf, "\nWhat it does\n") && strstr(b.buf, "\nWhy it matters\n") &&
		  strstr(b.buf, "\nExample\n") && strstr(b.buf, "\nFix\n"));
	vbuf_reset(&b);
	ck_assert_int_eq(venv_format_rules_text(&b, 0), 0);
	for (i = 0; i < venv_diags_count; i++) {
		char code[16];

		venv_diag_code_str(code, sizeof(code), venv_diags[i].code);
		ck_assert_msg(strstr(b.buf, code) && strstr(b.buf, venv_diags[i].slug),
			      "expected %s in --list-rules", code);
	}
	vbuf_release(&b);
}
END_TEST

START_TEST(test_format__man_pages)
{
	struct vbuf one = VBUF_INIT(VBUF_MAX_RECORD), seven = VBUF_INIT(VBUF_MAX_RECORD);
	size_t i;

	ck_assert_int_eq(venv_man_check(&one), 0);
	ck_assert_int_eq(venv_man_diagnostics(&seven), 0);
	ck_assert(strstr(one.buf, ".TH VENV-CHECK 1 ") && strstr(one.buf, "\n.SH SYNOPSIS\n") &&
		  strstr(one.buf, "\n.SH EXIT STATUS\n"));
	ck_assert(strstr(seven.buf, ".TH VENV-DIAGNOSTICS 7 "));
	for (i = 0; i < venv_diags_count; i++) {
		char code[16], ss[64];

		venv_diag_code_str(code, sizeof(code), venv_diags[i].code);
		snprintf(ss, sizeof(ss), ".SS \"%s ", code);
		ck_assert_msg(strstr(seven.buf, ss) != NULL, "expected %s in venv-diagnostics(7)", code);
		ck_assert_msg(strstr(one.buf, code) != NULL, "expected %s in venv-check(1)", code);
	}
	for (i = 0; i < venv_check_optdocs_count; i++)
		ck_assert_msg(strstr(one.buf, venv_check_optdocs[i].help) != NULL,
			      "expected the help of %s in venv-check(1)", venv_check_optdocs[i].names);
	/* No line may start with a quote or dot that roff would take for a request. */
	ck_assert(!strstr(one.buf, "\n'") && !strstr(seven.buf, "\n'"));
	vbuf_release(&one);
	vbuf_release(&seven);
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("output");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_format__text_escape);
	tcase_add_test(tc, test_format__json_string);
	tcase_add_test(tc, test_format__text);
	tcase_add_test(tc, test_format__text_dropped);
	tcase_add_test(tc, test_format__json);
	tcase_add_test(tc, test_format__sarif);
	tcase_add_test(tc, test_format__declined_fix);
	tcase_add_test(tc, test_format__explain_and_rules);
	tcase_add_test(tc, test_format__man_pages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
