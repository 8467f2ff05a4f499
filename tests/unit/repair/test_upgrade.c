#include "compat.h"
#include <check.h>
#include "upgrade.h"
#include "vbuf.h"
#include "../unit.h"

/*
 * Unit tests for repair/upgrade.c: the old version's lib/ directory that a
 * minor upgrade moves the packages out of is named as the environment's
 * model names it, lib/pythonX.Y for CPython and lib/pypyX.Y for PyPy (a
 * PyPy 3.9 environment upgraded to a PyPy 3.10 read lib/python3.9).
 */
START_TEST(test_upgrade__old_lib_dir)
{
	static const struct {
		int pypy, minor;
		const char *want;
	} cases[] = {
		{ 0, 11, "lib/python3.11" },
		{ 1, 9, "lib/pypy3.9" },
		{ 1, 10, "lib/pypy3.10" },   /* set, not appended to the last */
		{ 0, 8, "lib/python3.8" },
	};
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_scan s;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		s.pypy = cases[i].pypy;
		ck_assert_int_eq(venv_upgrade_lib_dir(&out, &s, cases[i].minor), 0);
		ck_assert_str_eq(out.buf, cases[i].want);
	}
	vbuf_release(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repair/upgrade");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_upgrade__old_lib_dir);
	suite_add_tcase(s, tc);
	return unit_run_forked(s);
}
