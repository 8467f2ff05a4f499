#include "compat.h"
#include <check.h>
#include "move_int.h"
#include "../unit.h"

/*
 * Unit tests for repair/move.c: which files of a moved package are the old
 * version's bytecode, dropped by a minor upgrade. CPython names it by
 * "cpython-3X", PyPy by "pypy3X" (a PyPy 3.9 package's .pypy39.pyc files
 * were moved along as if they were the user's).
 */
START_TEST(test_move__old_bytecode)
{
	static const struct {
		const char *path;
		int minor, want;
	} cases[] = {
		{ "pkg/__pycache__/mod.cpython-311.pyc", 11, 1 },
		{ "pkg/__pycache__/mod.cpython-311.opt-1.pyc", 11, 1 },
		{ "__pycache__/mod.cpython-311.pyc", 11, 1 },
		{ "pkg/__pycache__/mod.cpython-312.pyc", 11, 0 },    /* the new version's */
		{ "pkg/__pycache__/mod.cpython-31.pyc", 11, 0 },
		{ "pkg/__pycache__/mod.pypy39.pyc", 9, 1 },
		{ "pkg/__pycache__/mod.pypy39.opt-2.pyc", 9, 1 },
		{ "pkg/__pycache__/mod.pypy310.pyc", 10, 1 },
		{ "pkg/__pycache__/mod.pypy310.pyc", 9, 0 },
		{ "pkg/__pycache__/mod.pypy39.pyc", 10, 0 },
		{ "pkg/__pycache__/mod.cpython-311.py", 11, 0 },     /* not bytecode */
		{ "pkg/not__pycache__/mod.cpython-311.pyc", 11, 0 },
		{ "pkg/mod.cpython-311.pyc", 11, 0 },                /* Python 2's place */
		{ "pkg/__pycache__/sub/mod.cpython-311.pyc", 11, 0 },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++)
		ck_assert_msg(venv_move__is_old_bytecode(cases[i].path, cases[i].minor) ==
			      cases[i].want, "'%s' of 3.%d: expected %d, saw %d", cases[i].path,
			      cases[i].minor, cases[i].want,
			      venv_move__is_old_bytecode(cases[i].path, cases[i].minor));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repair/move");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_move__old_bytecode);
	suite_add_tcase(s, tc);
	return unit_run_forked(s);
}
