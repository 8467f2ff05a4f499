#include "compat.h"
#include <check.h>
#include <sys/resource.h>
#include "error.h"
#include "fs.h"
#include "dist.h"
#include "pep440.h"

/*
 * Unit tests for common/dist.c: reading the installed distributions of a
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

/* dir/name: head, then `line` repeated until the file holds more than `over` bytes. */
static void put_over(const char *dir, const char *name, const char *head, const char *line,
		     size_t over)
{
	char p[PATH_MAX * 2];
	size_t n = strlen(head);
	FILE *f;

	put(dir, name, head);
	snprintf(p, sizeof(p), "%s/%s/%s", site, dir, name);
	f = fopen(p, "a");
	ck_assert_msg(f != NULL, "cannot append to %s", p);
	for (; n <= over; n += strlen(line))
		fputs(line, f);
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
	put("old-3.egg-info", "top_level.txt", "old\r\n\nold_c\n");
	put("broken-1.dist-info", "RECORD", "");
	ck_assert_int_eq(venv_dists_read(&d, site, 0), 0);
	ck_assert_msg(d.nr == 4, "expected 4 distributions (the one without METADATA skipped), "
		      "saw %zu", d.nr);
	/* Sorted by name, case-insensitively. */
	ck_assert_str_eq(d.v[0].name, "lib");
	ck_assert_str_eq(d.v[0].req, "lib @ git+https://h/lib.git@abc123");
	ck_assert_str_eq(d.v[1].name, "old");
	ck_assert_str_eq(d.v[1].req, "old==3");
	ck_assert_uint_eq(d.v[1].ntop_level, 2);
	ck_assert_str_eq(d.v[1].top_level[0], "old");
	ck_assert_str_eq(d.v[1].top_level[1], "old_c");
	ck_assert_str_eq(d.v[2].name, "proj");
	ck_assert_int_eq(d.v[2].editable, 1);
	ck_assert_str_eq(d.v[2].req, "/srv/u/my proj");
	ck_assert_str_eq(d.v[3].name, "Tiny_Pkg");
	ck_assert_str_eq(d.v[3].version, "1.0");
	ck_assert_str_eq(d.v[3].req, "Tiny_Pkg==1.0");
	ck_assert_msg(d.v[3].nscripts == 2, "expected 2 scripts in bin/, saw %zu", d.v[3].nscripts);
	ck_assert_str_eq(d.v[3].scripts[0], "tiny-hello");
	ck_assert_str_eq(d.v[3].scripts[1], "odd,name");
	venv_dists_release(&d);
}
END_TEST

/* METADATA, direct_url.json and only an editable install's RECORD (check's .pth rule). */
START_TEST(test_dist__editables_only)
{
	struct venv_dists d = VENV_DISTS_INIT;
	const struct venv_dist *x;

	put("ed-0.1.dist-info", "METADATA", "Name: ed\nVersion: 0.1\n");
	put("ed-0.1.dist-info", "direct_url.json", "{\"url\": \"file:///src/ed\", "
	    "\"dir_info\": {\"editable\": true}}");
	put("ed-0.1.dist-info", "RECORD", "_ed.pth,,\n");
	put("ed-0.1.dist-info", "entry_points.txt", "[console_scripts]\ned = ed:main\n");
	put("wheel_pkg-1.dist-info", "METADATA", "Name: wheel_pkg\nVersion: 1\n");
	put("wheel_pkg-1.dist-info", "direct_url.json", "{\"url\": \"file:///w/x.whl\", "
	    "\"archive_info\": {}}");
	put("wheel_pkg-1.dist-info", "RECORD", "wheel_pkg.pth,,\n");
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_ALL | VENV_DISTS_METADATA_ONLY |
					 VENV_DISTS_EDITABLES), 0);
	ck_assert_uint_eq(d.nr, 2);
	x = venv_dists_find(&d, "ed");
	ck_assert_int_eq(x->editable, 1);
	ck_assert_uint_eq(x->nrecord, 1);
	ck_assert_str_eq(x->record[0].path, "_ed.pth");
	ck_assert_uint_eq(x->nentries, 0);
	x = venv_dists_find(&d, "wheel-pkg");
	ck_assert_int_eq(x->editable, 0);
	ck_assert_str_eq(x->url, "file:///w/x.whl");
	ck_assert_uint_eq(x->nrecord, 0);
	venv_dists_release(&d);
	/* Without VENV_DISTS_METADATA_ONLY it changes nothing: every RECORD is read. */
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_EDITABLES), 0);
	ck_assert_uint_eq(venv_dists_find(&d, "wheel-pkg")->nrecord, 1);
	ck_assert_uint_eq(venv_dists_find(&d, "ed")->nentries, 1);
	venv_dists_release(&d);
}
END_TEST

START_TEST(test_dist__missing_site_is_empty)
{
	struct venv_dists d = VENV_DISTS_INIT;
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/nothing", site);
	ck_assert_int_eq(venv_dists_read(&d, p, 0), 0);
	ck_assert_int_eq((int)d.nr, 0);
	venv_dists_release(&d);
}
END_TEST

START_TEST(test_dist__normalize_and_url)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);

	ck_assert_int_eq(venv_name_canonicalize(&out, "Foo.Bar__baz-Q"), 0);
	ck_assert_str_eq(out.buf, "foo-bar-baz-q");
	ck_assert_int_eq(venv_dist_file_url(&out, "file:///a%2Fb/c%20d"), 0);
	ck_assert_str_eq(out.buf, "/a/b/c d");
	ck_assert_int_eq(venv_dist_file_url(&out, "file://localhost/x"), 0);
	ck_assert_str_eq(out.buf, "/x");
	ck_assert_int_eq(venv_dist_file_url(&out, "https://x/y"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

/* The seeds venv repair reinstalls (VNV609): by canonical name, nothing else. */
START_TEST(test_dist__is_seed)
{
	ck_assert_int_eq(venv_dist_is_seed("pip"), 1);
	ck_assert_int_eq(venv_dist_is_seed("setuptools"), 1);
	ck_assert_int_eq(venv_dist_is_seed("wheel"), 0);
	ck_assert_int_eq(venv_dist_is_seed("pip-tools"), 0);
	ck_assert_int_eq(venv_dist_is_seed("Pip"), 0);
}
END_TEST

START_TEST(test_dist__model)
{
	struct venv_dists d = VENV_DISTS_INIT;
	const struct venv_dist *x;

	put("demo_pkg-2.0.dist-info", "METADATA", "Metadata-Version: 2.4\r\nName: Demo.Pkg\r\n"
	    "Version: 2.0\r\nRequires-Python: >=3.8\r\nLicense-Expression: MIT OR Apache-2.0\r\n"
	    "License: a long\r\n  folded text\r\nRequires-Dist: b (>=1)\r\n"
	    "requires-dist:   c; extra == \"x\"  \r\n\r\nRequires-Dist: not-a-header\r\n");
	put("demo_pkg-2.0.dist-info", "WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: True\n"
	    "Tag: py3-none-any\nTag: py2-none-any\n");
	put("demo_pkg-2.0.dist-info", "INSTALLER", "pip  \n");
	put("demo_pkg-2.0.dist-info", "entry_points.txt", "# c\n[console_scripts]\n"
	    " demo = demo.cli:main [extra]\nbare=demo\n[gui_scripts]\ndemo-gui = demo.gui:run\n"
	    "[other]\nx = y:z\n");
	put("demo_pkg-2.0.dist-info", "RECORD", "demo/__init__.py,sha256=x,1\n"
	    "demo/_speed.cpython-311-x86_64-linux-gnu.so,,\n");
	put("norecord-1.dist-info", "METADATA", "Name: norecord\nVersion: 1\n");
	put("badrecord-1.dist-info", "METADATA", "Name: badrecord\nVersion: 1\n");
	put("badrecord-1.dist-info", "RECORD", "a,b\n");
	put("nometa-3.dist-info", "RECORD", "");
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_ALL), 0);
	ck_assert_uint_eq(d.nr, 4);
	x = venv_dists_find(&d, "demo-pkg");
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(x->name, "Demo.Pkg");
	ck_assert_str_eq(x->dir_name, "demo_pkg");
	ck_assert_str_eq(x->dir_version, "2.0");
	ck_assert_str_eq(x->requires_python, ">=3.8");
	ck_assert_str_eq(x->license_expression, "MIT OR Apache-2.0");
	ck_assert_str_eq(x->license, "a long");
	ck_assert_uint_eq(x->nrequires, 2);
	ck_assert_str_eq(x->requires[0], "b (>=1)");
	ck_assert_str_eq(x->requires[1], "c; extra == \"x\"");
	ck_assert_int_eq(x->purelib, 1);
	ck_assert_uint_eq(x->ntags, 2);
	ck_assert_str_eq(x->installer, "pip");
	ck_assert_uint_eq(x->nentries, 3);
	ck_assert_str_eq(x->entries[0].name, "demo");
	ck_assert_str_eq(x->entries[0].module, "demo.cli");
	ck_assert_str_eq(x->entries[0].attr, "main");
	ck_assert_str_eq(x->entries[1].module, "demo");
	ck_assert_ptr_null(x->entries[1].attr);
	ck_assert_int_eq(x->entries[2].gui, 1);
	ck_assert_int_eq(x->compiled, 1);
	ck_assert_int_eq(x->record_status, 0);
	ck_assert_uint_eq(x->nrecord, 2);
	x = venv_dists_find(&d, "norecord");
	ck_assert_int_eq(x->record_status, VENV_ENOTFOUND);
	x = venv_dists_find(&d, "badrecord");
	ck_assert_int_eq(x->record_status, VENV_EINVAL);
	ck_assert_ptr_nonnull(x->record_error);
	x = venv_dists_find(&d, "nometa");
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(x->metadata_error);
	ck_assert_str_eq(x->version, "3");
	/* What a read without VENV_DISTS_ALL makes, in its order (repair takes check's list). */
	{
		struct venv_dists without = VENV_DISTS_INIT;
		size_t i;

		venv_dists_drop_unusable(&d);
		ck_assert_int_eq(venv_dists_read(&without, site, 0), 0);
		ck_assert_uint_eq(d.nr, without.nr);
		ck_assert_uint_eq(d.nr, 3);
		for (i = 0; i < d.nr; i++)
			ck_assert_str_eq(d.v[i].dir, without.v[i].dir);
		ck_assert_ptr_null(venv_dists_find(&d, "nometa"));
		venv_dists_release(&without);
	}
	venv_dists_release(&d);
}
END_TEST

/* venv_dist_tags_pure: what repair --upgrade may move to another minor version. */
START_TEST(test_dist__tags_pure)
{
	static const struct {
		const char *tags[3];
		int pure;
		const char *bad;
	} cases[] = {
		{ { NULL }, 1, NULL },
		{ { "py3-none-any" }, 1, NULL },
		{ { "py2.py3-none-any" }, 1, NULL },
		{ { "py3.py2-none-any" }, 1, NULL },
		{ { "py2-none-any", "py3-none-any" }, 1, NULL },
		{ { "py2-none-any" }, 0, NULL },
		{ { "py312-none-any" }, 0, "py312-none-any" },
		{ { "cp311-cp311-manylinux_2_17_x86_64" }, 0, "cp311-cp311-manylinux_2_17_x86_64" },
		{ { "py3-none-any", "cp312-abi3-linux_x86_64" }, 0, "cp312-abi3-linux_x86_64" },
		{ { "py3-abi3-any" }, 0, "py3-abi3-any" },
		{ { "py3-none-linux_x86_64" }, 0, "py3-none-linux_x86_64" },
		{ { "py3--any" }, 0, "py3--any" },
		{ { "py3.-none-any" }, 0, "py3.-none-any" },
		{ { ".py3-none-any" }, 0, ".py3-none-any" },
		{ { "py3-none-any-x" }, 0, "py3-none-any-x" },
		{ { "py3-none" }, 0, "py3-none" },
		{ { "" }, 0, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct venv_dist d;
		const char *bad = "unset";

		memset(&d, 0, sizeof(d));
		d.tags = (char **)cases[i].tags;
		while (d.ntags < 3 && cases[i].tags[d.ntags])
			d.ntags++;
		ck_assert_msg(venv_dist_tags_pure(&d, &bad) == cases[i].pure, "case %zu", i);
		if (cases[i].bad)
			ck_assert_str_eq(bad, cases[i].bad);
		else
			ck_assert_ptr_null(bad);
	}
}
END_TEST

/* entry_points.txt over its cap: said on the distribution, not taken for none. */
START_TEST(test_dist__entry_points_over_cap)
{
	struct venv_dists d = VENV_DISTS_INIT;

	put("big-1.dist-info", "METADATA", "Name: big\nVersion: 1\n");
	put("big-1.dist-info", "RECORD", "");
	put_over("big-1.dist-info", "entry_points.txt", "[console_scripts]\nbig = gone.cli:main\n",
		 "pad = gone.cli:main\n", VBUF_MAX_PROBE);
	put("small-1.dist-info", "METADATA", "Name: small\nVersion: 1\n");
	put("small-1.dist-info", "entry_points.txt", "[console_scripts]\nsmall = s:main\n");
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_ALL), 0);
	ck_assert_uint_eq(d.nr, 2);
	ck_assert_str_eq(d.v[0].dir, "big-1.dist-info");
	ck_assert_uint_eq(d.v[0].nentries, 0);
	ck_assert_ptr_nonnull(d.v[0].entry_points_error);
	ck_assert_ptr_nonnull(strstr(d.v[0].entry_points_error, "larger than"));
	ck_assert_uint_eq(d.v[1].nentries, 1);
	ck_assert_ptr_null(d.v[1].entry_points_error);
	venv_dists_release(&d);
}
END_TEST

START_TEST(test_dist__caps_and_links)
{
	struct venv_dists d = VENV_DISTS_INIT;
	char p[PATH_MAX * 2], q[PATH_MAX * 2];
	int fd;

	/* A METADATA over its cap is an error on the distribution, not a crash. */
	put("huge-1.dist-info", "RECORD", "");
	put_over("huge-1.dist-info", "METADATA", "Name: huge\nVersion: 1\nX: ",
		 "0123456789012345678901234567890123456789012345678901234567890123",
		 VENV_DIST_MAX_METADATA);
	/* A dist-info linked from outside the environment is not one of its own. */
	snprintf(p, sizeof(p), "%s/elsewhere-1.dist-info", site);
	mkdir(p, 0755);
	put("elsewhere-1.dist-info", "METADATA", "Name: elsewhere\nVersion: 1\n");
	snprintf(q, sizeof(q), "%s/lib/python3.11/site-packages", site);
	ck_assert_int_eq(venv_fs_mkdirs(q), 0);
	snprintf(q, sizeof(q), "%s/lib/python3.11/site-packages/elsewhere-1.dist-info", site);
	ck_assert_int_eq(symlink("/proc/self", q), 0);
	snprintf(q, sizeof(q), "%s/lib/python3.11/site-packages/inside-1.dist-info", site);
	ck_assert_int_eq(symlink("../../../elsewhere-1.dist-info", q), 0);
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_ALL), 0);
	ck_assert_uint_eq(d.nr, 2);
	ck_assert_str_eq(d.v[1].dir, "huge-1.dist-info");
	ck_assert_ptr_nonnull(d.v[1].metadata_error);
	venv_dists_release(&d);
	snprintf(q, sizeof(q), "%s/lib/python3.11/site-packages", site);
	ck_assert_int_eq(venv_dists_read(&d, q, 0), 0);
	ck_assert_uint_eq(d.nr, 1);
	ck_assert_str_eq(d.v[0].dir, "inside-1.dist-info");
	ck_assert_int_eq(d.v[0].linked, 1);
	/* The link out that leads to a directory: left out, and said (check's VNV007). */
	ck_assert_uint_eq(d.noutside, 1);
	ck_assert_str_eq(d.outside[0], "elsewhere-1.dist-info");
	venv_dists_release(&d);
	/* Below a handle: the same, and never through a link on the way. */
	fd = open(site, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(venv_dists_read_at(&d, fd, "lib/python3.11/site-packages", "S", 0), 0);
	ck_assert_uint_eq(d.nr, 1);
	ck_assert_int_eq(d.v[0].linked, 1);
	ck_assert_str_eq(d.v[0].path, "S/inside-1.dist-info");
	venv_dists_release(&d);
	snprintf(p, sizeof(p), "%s/lib/python3.11", site);
	snprintf(q, sizeof(q), "%s/lib/real", site);
	ck_assert_int_eq(rename(p, q), 0);
	ck_assert_int_eq(symlink("real", p), 0);
	ck_assert_int_eq(venv_dists_read_at(&d, fd, "lib/python3.11/site-packages", "S", 0), VENV_EIO);
	ck_assert_int_eq(venv_dists_read_at(&d, fd, "lib/python3.11/site-packages", "S",
					    VENV_DISTS_PARTIAL), 0);
	ck_assert_uint_eq(d.nr, 0);
	ck_assert_uint_eq(d.nunread, 1);
	ck_assert_str_eq(d.unread[0].rel, "");
	venv_dists_release(&d);
	ck_assert_int_eq(venv_dists_read_at(&d, fd, "lib/../lib/real/site-packages", "S", 0),
			 VENV_EIO);
	ck_assert_int_eq(venv_dists_read_at(&d, fd, "lib/real/site-packages", "S", 0), 0);
	ck_assert_uint_eq(d.nr, 1);
	venv_dists_release(&d);
	close(fd);
}
END_TEST

/*
 * Leave `slots` descriptors free below the limit: the next open after them
 * fails with EMFILE, which a reader must not take for a missing file. The
 * old limit goes to *old, for teardown's walk.
 */
static void fd_slots(int slots, struct rlimit *old)
{
	struct rlimit rl;
	int fd;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, old), 0);
	for (fd = 0; slots; fd++)
		slots -= fcntl(fd, F_GETFD) < 0;
	rl = *old;
	rl.rlim_cur = (rlim_t)fd;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* What cannot be read is not missing: kept with VENV_DISTS_PARTIAL, else the read fails. */
START_TEST(test_dist__unreadable)
{
	struct venv_dists d = VENV_DISTS_INIT;
	struct rlimit old;
	char q[PATH_MAX * 2];
	const struct venv_dist *x;

	put("x-1.dist-info", "METADATA", "Name: x\nVersion: 1\n");
	put("x-1.dist-info", "RECORD", "x.py,,\n");
	put("x-1.dist-info", "entry_points.txt", "[console_scripts]\nx = x:main\n");
	snprintf(q, sizeof(q), "%s/other", site);
	ck_assert_int_eq(mkdir(q, 0755), 0);
	snprintf(q, sizeof(q), "%s/other/y-2.dist-info", site);
	ck_assert_int_eq(mkdir(q, 0755), 0);
	snprintf(q, sizeof(q), "%s/other/y-2.dist-info/METADATA", site);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, q, "Name: y\nVersion: 2\n", 20, 0644, 0), 0);
	snprintf(q, sizeof(q), "%s/other", site);
	ck_assert_int_eq(venv_dists_read(&d, q, 0), 0);
	ck_assert_uint_eq(d.nr, 1);

	/* site-packages and its listing, then no descriptor for x-1.dist-info. */
	fd_slots(2, &old);
	ck_assert_int_eq(venv_dists_read(&d, site, 0), VENV_EIO);
	ck_assert_msg(strstr(venv_error_last(), "cannot open '") &&
		      strstr(venv_error_last(), "/x-1.dist-info': Too many open files"),
		      "saw: %s", venv_error_last());
	/* Left as it was. */
	ck_assert_uint_eq(d.nr, 1);
	ck_assert_uint_eq(d.nunread, 0);
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_PARTIAL), 0);
	ck_assert_uint_eq(d.nr, 1);
	ck_assert_uint_eq(d.nunread, 1);
	ck_assert_str_eq(d.unread[0].rel, "x-1.dist-info");
	ck_assert_str_eq(d.unread[0].op, "open");
	ck_assert_int_eq(d.unread[0].err, EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	venv_dists_release(&d);

	/* The directory opens; none of the files in it that are there does. */
	fd_slots(3, &old);
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_ALL | VENV_DISTS_PARTIAL), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_uint_eq(d.nunread, 3);
	ck_assert_str_eq(d.unread[0].rel, "x-1.dist-info/METADATA");
	ck_assert_str_eq(d.unread[0].op, "read");
	ck_assert_str_eq(d.unread[1].rel, "x-1.dist-info/RECORD");
	ck_assert_str_eq(d.unread[2].rel, "x-1.dist-info/entry_points.txt");
	x = venv_dists_find(&d, "x");
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->unread, 3);
	ck_assert_ptr_nonnull(x->metadata_error);
	ck_assert_str_eq(x->metadata_error, "cannot read 'METADATA': Too many open files");
	ck_assert_int_eq(x->record_status, VENV_EIO);
	ck_assert_str_eq(x->record_error, "cannot read 'RECORD': Too many open files");
	ck_assert_uint_eq(x->nentries, 0);
	venv_dists_release(&d);
	/* Without VENV_DISTS_ALL the distribution is left out, what was not read is not. */
	fd_slots(3, &old);
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_PARTIAL), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_uint_eq(d.nr, 0);
	ck_assert_uint_eq(d.nunread, 1);
	venv_dists_release(&d);

	/* And with every descriptor it needs, nothing is unread. */
	ck_assert_int_eq(venv_dists_read(&d, site, VENV_DISTS_PARTIAL), 0);
	ck_assert_uint_eq(d.nr, 1);
	ck_assert_uint_eq(d.nunread, 0);
	ck_assert_uint_eq(d.v[0].nentries, 1);
	venv_dists_release(&d);
}
END_TEST

static Suite *dist_suite(void)
{
	Suite *s = suite_create("dist");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dist__requirements);
	tcase_add_test(tc, test_dist__editables_only);
	tcase_add_test(tc, test_dist__model);
	tcase_add_test(tc, test_dist__caps_and_links);
	tcase_add_test(tc, test_dist__entry_points_over_cap);
	tcase_add_test(tc, test_dist__tags_pure);
	tcase_add_test(tc, test_dist__unreadable);
	tcase_add_test(tc, test_dist__missing_site_is_empty);
	tcase_add_test(tc, test_dist__normalize_and_url);
	tcase_add_test(tc, test_dist__is_seed);
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
