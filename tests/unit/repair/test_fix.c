#include "compat.h"
#include <check.h>
#include "diag.h"
#include "fix.h"
#include "ruleset.h"
#include "txn.h"
#include "vbuf.h"
#include "../unit.h"

/*
 * Unit tests for repair/fix.c: the table of fixers agrees with the
 * registry, and the values repair takes from check's findings (through
 * the driver, the fixers of repair/fix_cfg.c and repair/fix_layout.c).
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

/*
 * The older version a finding leaves packages of, which `repair --upgrade`
 * moves: VNV114's site-packages, or the VNV106 of a mixed environment
 * (another bin/python3.N beside the version pyvenv.cfg and the interpreter
 * agree on); not the VNV106 of the interpreter itself, nor another ABI.
 */
START_TEST(test_fix__left_minor)
{
	struct venv_model env;
	struct venv_finding f;

	memset(&env, 0, sizeof(env));
	memset(&f, 0, sizeof(f));
	snprintf(env.bin_ver, sizeof(env.bin_ver), "3.13");
	f.code = VENV_DIAG_ORPHANED_SITE_PACKAGES;
	f.relpath = (char *)"lib/python3.12/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), 12);
	f.relpath = (char *)"lib/python3.9/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), 9);
	f.relpath = (char *)"lib/python3.13t/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.relpath = (char *)"lib/python3./site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.relpath = (char *)"lib/python3.999999999999/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.relpath = (char *)"lib/python3.12/site-packages/x";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.relpath = NULL;
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	/* A PyPy's are lib/pypy3.N: CPython's lib/python3.N there is another implementation's. */
	f.relpath = (char *)"lib/pypy3.12/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	snprintf(env.lib_stem, sizeof(env.lib_stem), "pypy");
	snprintf(env.active_ver, sizeof(env.active_ver), "3.10");
	f.relpath = (char *)"lib/pypy3.9/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), 9);
	f.relpath = (char *)"lib/pypy3.10/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.relpath = (char *)"lib/python3.9/site-packages";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	env.lib_stem[0] = env.active_ver[0] = '\0';

	f.code = VENV_DIAG_BASE_VERSION_MISMATCH;
	f.relpath = (char *)"bin/python3.12";
	f.data.found = (char *)"3.12";
	f.data.want = (char *)"3.13";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), 12);
	/* The interpreter runs 3.13, pyvenv.cfg says 3.12: the ordinary minor upgrade. */
	f.relpath = (char *)"bin/python3.13";
	f.data.found = (char *)"3.13";
	f.data.want = (char *)"3.12";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.data.found = NULL;
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
	f.code = VENV_DIAG_STALE_VERSION;
	f.data.found = (char *)"3.12";
	f.data.want = (char *)"3.13";
	ck_assert_int_eq(venv_fix_left_minor(&env, &f), -1);
}
END_TEST

UNIT_TMPDIR("fix")

/*
 * A copied-interpreter environment whose base is gone, and three findings
 * whose data and display text disagree: the plan follows the data (VNV107,
 * VNV108, VNV115), and without data the fixers decline, whatever the text says.
 */
static void plan_for(struct venv_plan *plan, const char *env, const struct venv_finding *fs,
		     size_t n)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct venv_report rep = VENV_REPORT_INIT;
	struct venv_model m;
	size_t i;

	ck_assert_int_eq(venv_envdir_open(&e, env), 0);
	ck_assert_int_eq(venv_model_load_at(&m, e.fd, env, 0), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(venv_report_add_finding(&rep, &fs[i]), 0);
	ck_assert_int_eq(venv_fix_plan(&e, &m, &rep, plan), 0);
	venv_report_release(&rep);
	venv_model_release(&m);
	venv_envdir_close(&e);
}

static const struct venv_fix *planned(const struct venv_plan *plan, const char *path)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (!strcmp(plan->fixes[i].path, path))
			return &plan->fixes[i];
	return NULL;
}

START_TEST(test_fix__data_not_text)
{
	char env[PATH_MAX], p[PATH_MAX], home[PATH_MAX];
	struct venv_plan plan = VENV_PLAN_INIT;
	struct venv_finding fs[3];
	const struct venv_fix *fx;
	const char *cfg = "home = /nonexistent/venv-unit/bin\ninclude-system-site-packages = false\n"
			  "version = 3.12.1\n";

	PATHF(env, "%s/env", tmp_root);
	PATHF(home, "%s/newhome", tmp_root);
	ck_assert_int_eq(mkdir(env, 0755), 0);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	PATHF(p, "%s/pyvenv.cfg", env);
	unit_put_file(p, cfg, strlen(cfg));
	PATHF(p, "%s/bin", env);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/bin/python", env);
	unit_put_file(p, "\177ELF", 4);
	ck_assert_int_eq(chmod(p, 0755), 0);
	PATHF(p, "%s/lib", env);
	ck_assert_int_eq(mkdir(p, 0755), 0);

	memset(fs, 0, sizeof(fs));
	fs[0].code = VENV_DIAG_STALE_VERSION;
	fs[0].relpath = (char *)"pyvenv.cfg";
	fs[0].message = (char *)"stale version";
	fs[0].fix = (char *)"set `version` to '9.9.9'";
	fs[0].data.found = (char *)"3.12.1";
	fs[0].data.want = (char *)"3.12.9";
	fs[1].code = VENV_DIAG_STALE_HOME;
	fs[1].relpath = (char *)"pyvenv.cfg";
	fs[1].message = (char *)"stale home";
	fs[1].fix = (char *)"set `home` to '/usr'";
	fs[1].data.found = (char *)"/nonexistent/venv-unit/bin";
	fs[1].data.want = home;
	fs[2].code = VENV_DIAG_STALE_COPIED_INTERPRETER;
	fs[2].relpath = (char *)"bin/python";
	fs[2].message = (char *)"stale copy";
	fs[2].fix = (char *)"copy '/bin/sh' to 'bin/python' again";
	fs[2].data.found = (char *)"/bin/true";

	plan_for(&plan, env, fs, 3);
	ck_assert_uint_eq(plan.nprob, 0);
	ck_assert_ptr_nonnull(fx = planned(&plan, "pyvenv.cfg"));
	ck_assert_int_eq(fx->kind, VENV_FIX_WRITE);
	ck_assert_ptr_nonnull(strstr(fx->data, "version = 3.12.9\n"));
	ck_assert_ptr_null(strstr(fx->data, "9.9.9"));
	PATHF(p, "home = %s\n", home);
	ck_assert_ptr_nonnull(strstr(fx->data, p));
	ck_assert_ptr_nonnull(fx = planned(&plan, "bin/python"));
	ck_assert_int_eq(fx->kind, VENV_FIX_COPY);
	ck_assert_str_eq(fx->src, "/bin/true");
	venv_plan_release(&plan);

	/* The same text without the data: nothing is taken from the text. */
	memset(&fs[0].data, 0, sizeof(fs[0].data));
	memset(&fs[1].data, 0, sizeof(fs[1].data));
	memset(&fs[2].data, 0, sizeof(fs[2].data));
	plan_for(&plan, env, fs, 3);
	ck_assert_uint_eq(plan.nprob, 3);
	ck_assert_ptr_null(planned(&plan, "bin/python"));
	fx = planned(&plan, "pyvenv.cfg");
	ck_assert(!fx || (!strstr(fx->data, "9.9.9") && !strstr(fx->data, "/usr\n")));
	venv_plan_release(&plan);
}
END_TEST

static unsigned mode_of(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	PATHF(p, "%s/%s", dir, rel);
	ck_assert_int_eq(lstat(p, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

/*
 * VNV415: a console script gets its execute bits back as chmod a+X gives
 * them (x where r is), never others' write (VNV409 on the same file, in
 * either order, leaves it executable); one its owner may not read is
 * declined. The plan's one change of mode does both, applied under the
 * journal.
 */
START_TEST(test_fix__exec_mode)
{
	static const struct { const char *name; unsigned mode; } files[] = {
		{ "a", 0640 }, { "b", 0646 }, { "c", 0000 }, { "d", 0604 }, { "e", 0755 }
	};
	static const int codes[] = {
		VENV_DIAG_SCRIPT_NOT_EXECUTABLE, VENV_DIAG_WORLD_WRITABLE,
		VENV_DIAG_SCRIPT_NOT_EXECUTABLE, VENV_DIAG_WORLD_WRITABLE,
		VENV_DIAG_SCRIPT_NOT_EXECUTABLE, VENV_DIAG_SCRIPT_NOT_EXECUTABLE,
		VENV_DIAG_SCRIPT_NOT_EXECUTABLE
	};
	static const char *const rels[] = {
		"bin/a", "bin/b", "bin/b", "bin/d", "bin/d", "bin/c", "bin/e"
	};
	char env[PATH_MAX], p[PATH_MAX];
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct venv_plan plan = VENV_PLAN_INIT;
	struct venv_finding fs[7];
	size_t i;
	int stale;

	ck_assert_uint_eq(venv_rules_exec_mode(0644), 0755);
	ck_assert_uint_eq(venv_rules_exec_mode(0600), 0700);
	ck_assert_uint_eq(venv_rules_exec_mode(0646), 0755);
	ck_assert_uint_eq(venv_rules_exec_mode(04640), 04750);

	PATHF(env, "%s/env-exec", tmp_root);
	ck_assert_int_eq(mkdir(env, 0755), 0);
	PATHF(p, "%s/bin", env);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	for (i = 0; i < VENV_ARRAY_SIZE(files); i++) {
		PATHF(p, "%s/bin/%s", env, files[i].name);
		unit_put_file(p, "#!/bin/sh\necho ok\n", 18);
		ck_assert_int_eq(chmod(p, files[i].mode), 0);
	}
	memset(fs, 0, sizeof(fs));
	for (i = 0; i < VENV_ARRAY_SIZE(fs); i++) {
		fs[i].code = codes[i];
		fs[i].relpath = (char *)rels[i];
		fs[i].message = (char *)"not executable";
	}
	plan_for(&plan, env, fs, VENV_ARRAY_SIZE(fs));
	/* bin/c (mode 0000) is declined; bin/e (executable by now) needs nothing. */
	ck_assert_uint_eq(plan.nprob, 1);
	ck_assert_int_eq(plan.problems[0].code, VENV_DIAG_SCRIPT_NOT_EXECUTABLE);
	ck_assert_ptr_nonnull(strstr(plan.problems[0].message, "chmod u+rx"));
	ck_assert_ptr_null(planned(&plan, "bin/c"));
	ck_assert_ptr_null(planned(&plan, "bin/e"));
	for (i = 0; i < plan.nr; i++)
		ck_assert_int_eq(plan.fixes[i].kind, VENV_FIX_CHMOD);
	ck_assert_uint_eq(planned(&plan, "bin/a")->mode, 0750);

	ck_assert_int_eq(venv_envdir_open(&e, env), 0);
	ck_assert_int_eq(venv_repair_lock(&e, &stale), 0);
	ck_assert_msg(venv_plan_apply(&e, &plan) == 0, "apply failed: %s", venv_error_last());
	venv_envdir_close(&e);
	venv_plan_release(&plan);
	ck_assert_uint_eq(mode_of(env, "bin/a"), 0750);
	ck_assert_uint_eq(mode_of(env, "bin/b"), 0755);
	ck_assert_uint_eq(mode_of(env, "bin/c"), 0000);
	ck_assert_uint_eq(mode_of(env, "bin/d"), 0705);
	ck_assert_uint_eq(mode_of(env, "bin/e"), 0755);
}
END_TEST

/*
 * A #! finding whose rewrite comes out as the file already is (here: the
 * script runs the environment's python already) plans nothing, and the
 * fixer does not annotate the plan's last change, which is another's or
 * none (it read the last of an empty plan: a crash).
 */
START_TEST(test_fix__shebang_already_right)
{
	char env[PATH_MAX], p[PATH_MAX], text[PATH_MAX + 64];
	struct venv_plan plan = VENV_PLAN_INIT;
	struct venv_finding f;
	int n;

	PATHF(env, "%s/env-same", tmp_root);
	ck_assert_int_eq(mkdir(env, 0755), 0);
	PATHF(p, "%s/bin", env);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/bin/python3", env);
	unit_put_file(p, "#!/bin/sh\n", 10);
	ck_assert_int_eq(chmod(p, 0755), 0);
	n = snprintf(text, sizeof(text), "#!%s/bin/python3\nprint('ok')\n", env);
	PATHF(p, "%s/bin/tool", env);
	unit_put_file(p, text, (size_t)n);
	ck_assert_int_eq(chmod(p, 0755), 0);
	memset(&f, 0, sizeof(f));
	f.code = VENV_DIAG_SHEBANG_OLD_LOCATION;
	f.relpath = (char *)"bin/tool";
	f.message = (char *)"old location";
	plan_for(&plan, env, &f, 1);
	ck_assert_msg(plan.nr == 0, "expected nothing planned, saw %zu change(s), the first for '%s'",
		      plan.nr, plan.nr ? plan.fixes[0].path : "");
	venv_plan_release(&plan);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("repair/fix");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fix__table_matches_registry);
	tcase_add_test(tc, test_fix__rel_of_a_finding);
	tcase_add_test(tc, test_fix__left_minor);
	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_fix__data_not_text);
	tcase_add_test(tc, test_fix__exec_mode);
	tcase_add_test(tc, test_fix__shebang_already_right);
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
