#include "compat.h"
#include <check.h>
#include "diag.h"
#include "fix.h"

/*
 * Unit tests for repair/fix.c: the table of fixers agrees with the
 * registry, and the values repair takes from check's findings.
 */

/* A code is marked fixable in the registry exactly when repair has a fixer for it. */
START_TEST(test_fix__table_matches_registry)
{
	size_t i;

	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];
		const struct venv_fixer *f = venv_fixer_get(d->code);

		ck_assert_msg(!d->fixable || f, "VNV%03d (%s) is marked fixable but repair has no "
			      "fixer for it", d->code, d->slug);
		ck_assert_msg(d->fixable || !f, "VNV%03d (%s) has a fixer but is not marked "
			      "fixable in common/diag.c", d->code, d->slug);
	}
	for (i = 0; i < venv_fixers_count; i++) {
		ck_assert_msg(venv_diag_get(venv_fixers[i].code) != NULL,
			      "the fixer of VNV%03d has no entry in the registry", venv_fixers[i].code);
		ck_assert_msg(venv_fixers[i].fix != NULL, "VNV%03d has an empty fixer",
			      venv_fixers[i].code);
		ck_assert_ptr_eq(venv_fixer_get(venv_fixers[i].code), &venv_fixers[i]);
	}
}
END_TEST

START_TEST(test_fix__rel_of_a_finding)
{
	struct venv_finding f;

	memset(&f, 0, sizeof(f));
	f.relpath = (char *)"bin/pip";
	ck_assert_str_eq(venv_fix_rel(&f), "bin/pip");
	/* A file outside the environment is nothing repair changes. */
	f.relpath = (char *)"/elsewhere/x.pth";
	ck_assert_ptr_null(venv_fix_rel(&f));
	f.relpath = NULL;
	ck_assert_ptr_null(venv_fix_rel(&f));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("repair/fix");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fix__table_matches_registry);
	tcase_add_test(tc, test_fix__rel_of_a_finding);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
