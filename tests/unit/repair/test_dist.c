#include "compat.h"
#include <check.h>
#include "error.h"
#include "fs.h"
#include "dist.h"

/*
 * Unit tests for repair/dist.c: reading the installed distributions of a
 * site-packages directory (names, versions, editable installs, direct
 * URLs, console scripts from RECORD) into what pip is given again.
 */

static char site[PATH_MAX];

static void setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(site, sizeof(site), "%s/venv-unit-dist-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_msg(mkdtemp(site) != NULL, "mkdtemp failed: %s", strerror(errno));
}

static void teardown(void)
{
	venv_fs_remove_tree(site);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", site, dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/%s", site, dir, name);
	f = fopen(p, "w");
	ck_assert_msg(f != NULL, "cannot write %s", p);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_dist__requirements)
{
	struct venv_dists d = VENV_DISTS_INIT;

	put("Tiny_Pkg-1.0.dist-info", "METADATA", "Metadata-Version: 2.1\nName: Tiny_Pkg\n"
	    "Version: 1.0\n\nDescription: Version: 9\n");
	put("Tiny_Pkg-1.0.dist-info", "RECORD", "tiny/__init__.py,sha256=x,1\n"
	    "../../../bin/tiny-hello,sha256=y,2\n\"../../../bin/odd,name\",,\n"
	    "../../../share/x,,\n");
	put("proj-0.1.dist-info", "METADATA", "Name: proj\nVersion: 0.1\n");
	put("proj-0.1.dist-info", "direct_url.json", "{\"url\": \"file:///srv/u/my%20proj\", "
	    "\"dir_info\": {\"editable\": true}}");
	put("lib-2.0.dist-info", "METADATA", "Name: lib\nVersion: 2.0\n");
	put("lib-2.0.dist-info", "direct_url.json", "{\"url\": \"https://h/lib.git\", "
	    "\"vcs_info\": {\"vcs\": \"git\", \"commit_id\": \"abc123\"}}");
	put("old-3.egg-info", "PKG-INFO", "Name: old\nVersion: 3\n");
	put("broken-1.dist-info", "RECORD", "");
	ck_assert_int_eq(venv_repair_dists_read(&d, site), 0);
	ck_assert_msg(d.nr == 4, "expected 4 distributions (the one without METADATA skipped), "
		      "saw %zu", d.nr);
	/* Sorted by name, case-insensitively. */
	ck_assert_str_eq(d.v[0].name, "lib");
	ck_assert_str_eq(d.v[0].req, "lib @ git+https://h/lib.git@abc123");
	ck_assert_str_eq(d.v[1].name, "old");
	ck_assert_str_eq(d.v[1].req, "old==3");
	ck_assert_str_eq(d.v[2].name, "proj");
	ck_assert_int_eq(d.v[2].editable, 1);
	ck_assert_str_eq(d.v[2].req, "/srv/u/my proj");
	ck_assert_str_eq(d.v[3].name, "Tiny_Pkg");
	ck_assert_str_eq(d.v[3].version, "1.0");
	ck_assert_str_eq(d.v[3].req, "Tiny_Pkg==1.0");
	ck_assert_msg(d.v[3].nscripts == 2, "expected 2 scripts in bin/, saw %zu", d.v[3].nscripts);
	ck_assert_str_eq(d.v[3].scripts[0], "tiny-hello");
	ck_assert_str_eq(d.v[3].scripts[1], "odd,name");
	venv_repair_dists_release(&d);
}
END_TEST

START_TEST(test_dist__missing_site_is_empty)
{
	struct venv_dists d = VENV_DISTS_INIT;
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/nothing", site);
	ck_assert_int_eq(venv_repair_dists_read(&d, p), 0);
	ck_assert_int_eq((int)d.nr, 0);
	venv_repair_dists_release(&d);
}
END_TEST

START_TEST(test_dist__normalize_and_url)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);

	ck_assert_int_eq(venv_repair_dist_normalize(&out, "Foo.Bar__baz-Q"), 0);
	ck_assert_str_eq(out.buf, "foo-bar-baz-q");
	ck_assert_int_eq(venv_repair_file_url(&out, "file:///a%2Fb/c%20d"), 0);
	ck_assert_str_eq(out.buf, "/a/b/c d");
	ck_assert_int_eq(venv_repair_file_url(&out, "file://localhost/x"), 0);
	ck_assert_str_eq(out.buf, "/x");
	ck_assert_int_eq(venv_repair_file_url(&out, "https://x/y"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

static Suite *dist_suite(void)
{
	Suite *s = suite_create("dist");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dist__requirements);
	tcase_add_test(tc, test_dist__missing_site_is_empty);
	tcase_add_test(tc, test_dist__normalize_and_url);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dist_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
