#include "compat.h"
#include <check.h>
#include <archive.h>
#include <archive_entry.h>
#include "error.h"
#include "fs.h"
#include "sha256.h"
#include "vbuf.h"
#include "wheel.h"

static char tmpdir[512];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_wheel.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "expected a temporary directory, saw errno %d", errno);
}

static void teardown(void)
{
	venv_fs_remove_tree(tmpdir);
}

static char *path_in(const char *rel)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, rel);
	return buf;
}

/* ---- names ---- */

START_TEST(test_wheel__names_accepted)
{
	static const char *const ok[] = {
		"pip/__init__.py", "pip-23.2.1.dist-info/RECORD", "a", "a/b/c.txt",
		"d\xc3\xa9j\xc3\xa0/x.py", "pip/_vendor/", "..a/b", "a/.hidden", "a/b..c",
	};
	size_t i;
	int is_dir;

	for (i = 0; i < VENV_ARRAY_SIZE(ok); i++)
		ck_assert_msg(venv_wheel_check_name(ok[i], &is_dir) == 0,
			      "expected '%s' to be accepted, saw: %s", ok[i], venv_error_last());
	venv_wheel_check_name("pip/_vendor/", &is_dir);
	ck_assert_msg(is_dir == 1, "expected a trailing slash to mean a directory");
}
END_TEST

/* security.md WHL-01: each refused before anything is written. */
START_TEST(test_wheel__names_refused)
{
	static const char *const bad[] = {
		"", "../x", "a/../../x", "a/..", "..", ".", "./a", "a/./b", "/abs", "/",
		"C:\\x", "C:/x", "a\\..\\x", "a//b", "a/b//", "a\nb", "a\rb", "a\x7f",
		"\xff\xfe", "\xc0\xaf", "a/\xed\xa0\x80",
	};
	size_t i;
	int is_dir;

	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++)
		ck_assert_msg(venv_wheel_check_name(bad[i], &is_dir) == VENV_EUNSAFE,
			      "expected entry %zu ('%s') to be refused, it was accepted", i, bad[i]);
}
END_TEST

START_TEST(test_wheel__names_caps)
{
	char deep[200] = "", longc[300];
	int is_dir, i;

	for (i = 0; i < 33; i++) {
		size_t n = strlen(deep);

		snprintf(deep + n, sizeof(deep) - n, "%sd", i ? "/" : "");
	}
	ck_assert_msg(venv_wheel_check_name(deep, &is_dir) == VENV_EUNSAFE,
		      "expected 33 levels to be refused");
	memset(longc, 'x', 256);
	longc[256] = '\0';
	ck_assert_msg(venv_wheel_check_name(longc, &is_dir) == VENV_EUNSAFE,
		      "expected a 256-byte component to be refused");
}
END_TEST

/* ---- RECORD ---- */

/* ---- entry points ---- */

START_TEST(test_wheel__entry_points_pip_names)
{
	static const char text[] =
		"[console_scripts]\n"
		"pip = pip._internal.cli.main:main\n"
		"pip3 = pip._internal.cli.main:main\n"
		"pip3.11 = pip._internal.cli.main:main\n"
		"\n"
		"[gui_scripts]\n"
		"tool-gui = pkg.gui:App.run [extra]\n"
		"[distutils.commands]\n"
		"alias = setuptools.command.alias:alias\n";
	struct venv_entry_point *eps = NULL;
	size_t n = 0;

	ck_assert_int_eq(venv_entry_points_parse(text, strlen(text), 3, 12, &eps, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(eps[0].name, "pip");
	ck_assert_str_eq(eps[1].name, "pip3");
	ck_assert_str_eq(eps[2].name, "pip3.12");
	ck_assert_str_eq(eps[2].module, "pip._internal.cli.main");
	ck_assert_str_eq(eps[2].attr, "main");
	ck_assert_str_eq(eps[3].name, "tool-gui");
	ck_assert_str_eq(eps[3].module, "pkg.gui");
	ck_assert_str_eq(eps[3].attr, "App.run");
	venv_entry_points_free(eps, n);
}
END_TEST

START_TEST(test_wheel__entry_points_easy_install)
{
	static const char text[] =
		"[console_scripts]\n"
		"easy_install = setuptools.command.easy_install:main\n"
		"easy_install-3.6 = setuptools.command.easy_install:main\n";
	struct venv_entry_point *eps = NULL;
	size_t n = 0;

	ck_assert_int_eq(venv_entry_points_parse(text, strlen(text), 3, 9, &eps, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(eps[0].name, "easy_install");
	ck_assert_str_eq(eps[1].name, "easy_install-3.9");
	venv_entry_points_free(eps, n);
}
END_TEST

/* WHL-04: names that leave bin/ or shadow the environment, and code as callables. */
START_TEST(test_wheel__entry_points_refused)
{
	static const char *const bad[] = {
		"[console_scripts]\n../x = a:b\n",
		"[console_scripts]\na/b = a:b\n",
		"[console_scripts]\n.hidden = a:b\n",
		"[console_scripts]\npython3 = a:b\n",
		"[console_scripts]\nactivate = a:b\n",
		"[console_scripts]\nx = os:system('id')\n",
		"[console_scripts]\nx = a;b:c\n",
		"[console_scripts]\nx = a.b\n",
		"[console_scripts]\nx = a:b.\n",
		"[console_scripts]\nx = 1a:b\n",
		"[console_scripts]\nnoequals\n",
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++) {
		struct venv_entry_point *eps = NULL;
		size_t n = 0;
		int rc = venv_entry_points_parse(bad[i], strlen(bad[i]), 3, 12, &eps, &n);

		ck_assert_msg(rc < 0, "expected entry points %zu to be refused: %s", i, bad[i]);
		ck_assert_msg(n == 0 && !eps, "expected nothing returned for a refused file");
	}
}
END_TEST

/* ---- shebang (SHB-01..05) ---- */

static int shebang(struct vbuf *out, const char *python)
{
	vbuf_reset(out);
	return venv_wheel_shebang(out, python);
}

/*
 * The one console-script writer that create, repair and upgrade share: the
 * shebang of venv_wheel_shebang() (direct, or the /bin/sh launcher), then
 * distlib's body; a path no form can carry is refused.
 */
START_TEST(test_wheel__console_script_writer)
{
	static const char launcher[] = "#!/bin/sh\n'''exec' '/a b/bin/python' \"$0\" \"$@\"\n' '''"
				       "# -*- coding: utf-8 -*-\n";
	struct venv_entry_point ep = { (char *)"pip", (char *)"pip._internal.cli.main",
				       (char *)"main" };
	struct vbuf out = VBUF_INIT(8192);

	ck_assert_int_eq(venv_write_console_script(&out, "/e/bin/python", &ep), 0);
	ck_assert_str_eq(out.buf, "#!/e/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
			 "from pip._internal.cli.main import main\nif __name__ == '__main__':\n"
			 "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
			 "    sys.exit(main())\n");
	vbuf_reset(&out);
	ck_assert_int_eq(venv_write_console_script(&out, "/a b/bin/python", &ep), 0);
	ck_assert_msg(!strncmp(out.buf, launcher, strlen(launcher)),
		      "expected the /bin/sh launcher for a path with a blank, saw:\n%s", out.buf);
	vbuf_reset(&out);
	ck_assert_int_eq(venv_write_console_script(&out, "/e\n/bin/python", &ep), VENV_EUNSAFE);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_wheel__shebang_lengths)
{
	struct vbuf out = VBUF_INIT(4096), want = VBUF_INIT(4096);
	char path[300];
	size_t len;

	/* "#!" + path + "\n" fits 127 bytes exactly at a 124-byte path. */
	for (len = 120; len <= 260; len++) {
		memset(path, 'p', len);
		path[0] = '/';
		path[len] = '\0';
		ck_assert_int_eq(shebang(&out, path), 0);
		vbuf_reset(&want);
		if (len <= 124)
			ck_assert_int_eq(vbuf_addf(&want, "#!%s\n", path), 0);
		else
			ck_assert_int_eq(vbuf_addf(&want, "#!/bin/sh\n'''exec' '%s' \"$0\" \"$@\"\n' '''", path), 0);
		ck_assert_msg(!strcmp(out.buf, want.buf), "path of %zu bytes: expected %.40s..., saw "
			      "%.40s...", len, want.buf, out.buf);
	}
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_wheel__shebang_quoting)
{
	struct vbuf out = VBUF_INIT(4096);

	ck_assert_int_eq(shebang(&out, "/a b/bin/python3"), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a b/bin/python3' \"$0\" \"$@\"\n' '''");
	ck_assert_int_eq(shebang(&out, "/a $(id) `id` \"x\"/bin/python3"), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/a $(id) `id` \"x\"/bin/python3' \"$0\" "
			 "\"$@\"\n' '''");
	/* No blank, short: direct, whatever the bytes (the kernel interprets nothing). */
	ck_assert_int_eq(shebang(&out, "/a$(id)'/bin/python3"), 0);
	ck_assert_str_eq(out.buf, "#!/a$(id)'/bin/python3\n");
	ck_assert_int_eq(shebang(&out, "/it's here/python"), VENV_EUNSAFE);
	ck_assert_int_eq(shebang(&out, "/back\\slash here/python"), VENV_EUNSAFE);
	ck_assert_int_eq(shebang(&out, "/new\nline/python"), VENV_EUNSAFE);
	/* A tab splits a kernel shebang as a blank does: the trampoline. */
	ck_assert_int_eq(shebang(&out, "/tab\there/python"), 0);
	ck_assert_str_eq(out.buf, "#!/bin/sh\n'''exec' '/tab\there/python' \"$0\" \"$@\"\n' '''");
	ck_assert_int_eq(shebang(&out, "/bad\xff/python"), VENV_EUNSAFE);
	ck_assert_int_eq(shebang(&out, "relative/python"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

/* ---- unpack and install, with wheels written by libarchive ---- */

struct member {
	const char *name;
	const char *data;
	unsigned mode;   /* with the type bits; 0 = regular 0644 */
	const char *link;
};

static void add_record_row(struct vbuf *rec, const char *name, const char *data)
{
	unsigned char d[VENV_SHA256_LEN];
	char b64[VENV_SHA256_B64_LEN + 1];

	venv_sha256(data, strlen(data), d);
	venv_sha256_b64(d, b64);
	ck_assert_int_eq(vbuf_addf(rec, "%s,sha256=%s,%zu\n", name, b64, strlen(data)), 0);
}

/*
 * Write a zip at path with the members and (unless record is given) a
 * correct RECORD; `store` writes them uncompressed, with their sizes in
 * the local headers.
 */
static void write_wheel_opts(const char *path, const struct member *m, size_t n,
			     const char *record, int store)
{
	struct archive *a = archive_write_new();
	struct vbuf rec = VBUF_INIT(1 << 20);
	size_t i;

	ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	if (store)
		ck_assert_int_eq(archive_write_zip_set_compression_store(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i <= n; i++) {
		struct archive_entry *e = archive_entry_new();
		const char *name, *data;
		unsigned mode;

		if (i < n) {
			name = m[i].name;
			data = m[i].data;
			mode = m[i].mode ? m[i].mode : (AE_IFREG | 0644);
			if (!m[i].link && !record)
				add_record_row(&rec, name, data);
		} else {
			ck_assert_int_eq(vbuf_adds(&rec, "demo-1.0.dist-info/RECORD,,\n"), 0);
			name = "demo-1.0.dist-info/RECORD";
			data = record ? record : rec.buf;
			mode = AE_IFREG | 0644;
		}
		archive_entry_set_pathname(e, name);
		archive_entry_set_mode(e, mode);
		if (i < n && m[i].link) {
			archive_entry_set_symlink(e, m[i].link);
			archive_entry_set_size(e, 0);
			ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		} else {
			archive_entry_set_size(e, (la_int64_t)strlen(data));
			ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
			ck_assert_int_eq(archive_write_data(a, data, strlen(data)),
					 (la_ssize_t)strlen(data));
		}
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	vbuf_release(&rec);
}

static void write_wheel(const char *path, const struct member *m, size_t n, const char *record)
{
	write_wheel_opts(path, m, n, record, 0);
}

static const struct member demo[] = {
	{ "demo/__init__.py", "def main():\n    print('hi')\n", 0, NULL },
	{ "demo/run.sh", "#!/bin/sh\n", AE_IFREG | 04755, NULL },
	{ "demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0, NULL },
	{ "demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n", 0, NULL },
	{ "demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo:main\n", 0, NULL },
	{ "demo-1.0.data/scripts/tool", "#!python\nprint('tool')\n", AE_IFREG | 0755, NULL },
	{ "demo-1.0.data/data/share/demo.txt", "data\n", 0, NULL },
};

static int unpack_to(struct venv_wheel *w, const char *wheel, const char *dir, unsigned flags)
{
	int fd, rc;

	mkdir(dir, 0700);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_msg(fd >= 0, "cannot open %s", dir);
	memset(w, 0, sizeof(*w));
	rc = venv_wheel_unpack(w, wheel, fd, flags);
	close(fd);
	return rc;
}

static char *slurp(const char *path)
{
	struct vbuf b = VBUF_INIT(1 << 20);

	ck_assert_msg(venv_fs_read_file_at(&b, AT_FDCWD, path, 1 << 20) == 0, "cannot read %s: %s",
		      path, venv_error_last());
	return vbuf_detach(&b, NULL);
}

START_TEST(test_wheel__unpack_manifest_install)
{
	struct venv_wheel w, back;
	struct venv_wheel_target t;
	char wheel[PATH_MAX], env[1024], lib[PATH_MAX], bin[PATH_MAX], py[PATH_MAX];
	char inc[PATH_MAX], *text;
	struct stat st;
	int fd, i;

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel(wheel, demo, VENV_ARRAY_SIZE(demo), NULL);
	ck_assert_msg(unpack_to(&w, wheel, path_in("tree"), VENV_WHEEL_FIXED) == 0,
		      "unpack failed: %s", venv_error_last());
	ck_assert_str_eq(w.name, "demo");
	ck_assert_str_eq(w.version, "1.0");
	ck_assert_str_eq(w.dist_info, "demo-1.0.dist-info");
	ck_assert_int_eq(w.root_is_purelib, 1);
	ck_assert_uint_eq(w.nfiles, VENV_ARRAY_SIZE(demo));
	for (i = 1; i < (int)w.nfiles; i++)
		ck_assert_msg(strcmp(w.files[i - 1].path, w.files[i].path) < 0, "files not sorted");
	/* The cached copy has fixed modes: no setuid bit survives (WHL-06). */
	ck_assert_int_eq(stat(path_in("tree/demo/run.sh"), &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0755, "expected 0755, saw %o", st.st_mode & 07777);

	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(venv_wheel_manifest_write(&w, fd, "MANIFEST"), 0);
	ck_assert_msg(venv_wheel_manifest_read(&back, fd, "MANIFEST") == 0, "manifest read: %s",
		      venv_error_last());
	close(fd);
	ck_assert_uint_eq(back.nfiles, w.nfiles);
	ck_assert_int_eq(back.mtime == w.mtime, 1);
	for (i = 0; i < (int)w.nfiles; i++) {
		ck_assert_str_eq(back.files[i].path, w.files[i].path);
		ck_assert_int_eq(memcmp(back.files[i].sha256, w.files[i].sha256, VENV_SHA256_LEN), 0);
		ck_assert_int_eq(back.files[i].executable, w.files[i].executable);
	}

	snprintf(env, sizeof(env), "%s", path_in("env"));
	snprintf(lib, sizeof(lib), "%s/lib/python3.12/site-packages", env);
	snprintf(bin, sizeof(bin), "%s/bin", env);
	snprintf(py, sizeof(py), "%s/bin/python3.12", env);
	snprintf(inc, sizeof(inc), "%s/include/site/python3.12/demo", env);
	memset(&t, 0, sizeof(t));
	t.purelib = t.platlib = lib;
	t.scripts = bin;
	t.headers = inc;
	t.data = env;
	t.python = py;
	t.major = 3;
	t.minor = 12;
	t.requested = 1;
	fd = open(path_in("tree"), O_RDONLY | O_DIRECTORY);
	ck_assert_msg(venv_wheel_install(&back, fd, &t, VENV_WHEEL_LINK) == 0, "install: %s",
		      venv_error_last());
	close(fd);

	/* Console script: distlib's text, mode 0755. */
	text = slurp(path_in("env/bin/demo"));
	{
		struct vbuf want = VBUF_INIT(4096);

		ck_assert_int_eq(vbuf_addf(&want, "#!%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
					   "from demo import main\nif __name__ == '__main__':\n"
					   "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
					   "    sys.exit(main())\n", py), 0);
		ck_assert_str_eq(text, want.buf);
		vbuf_release(&want);
	}
	free(text);
	ck_assert_int_eq(stat(path_in("env/bin/demo"), &st), 0);
	ck_assert_msg((st.st_mode & 0111) == 0111, "expected an executable script, saw %o",
		      st.st_mode & 07777);
	/* .data/scripts: "#!python" rewritten; .data/data: below the environment. */
	text = slurp(path_in("env/bin/tool"));
	{
		char want[PATH_MAX + 64];

		snprintf(want, sizeof(want), "#!%s\nprint('tool')\n", py);
		ck_assert_str_eq(text, want);
	}
	free(text);
	text = slurp(path_in("env/share/demo.txt"));
	ck_assert_str_eq(text, "data\n");
	free(text);
	/* INSTALLER, REQUESTED, and a RECORD with every installed file. */
	text = slurp(path_in("env/lib/python3.12/site-packages/demo-1.0.dist-info/INSTALLER"));
	ck_assert_str_eq(text, "pip\n");
	free(text);
	text = slurp(path_in("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD"));
	ck_assert_msg(strstr(text, "../../../bin/demo,sha256=") != NULL, "no bin/demo row in:\n%s",
		      text);
	ck_assert_msg(strstr(text, "../../../bin/tool,sha256=") != NULL, "no bin/tool row");
	ck_assert_msg(strstr(text, "../../../share/demo.txt,sha256=") != NULL, "no data row");
	ck_assert_msg(strstr(text, "demo-1.0.dist-info/INSTALLER,sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg,4\r\n") != NULL,
		      "no INSTALLER row");
	ck_assert_msg(strstr(text, "demo-1.0.dist-info/REQUESTED,sha256=") != NULL, "no REQUESTED row");
	ck_assert_msg(strstr(text, "demo-1.0.dist-info/RECORD,,\r\n") != NULL, "no RECORD row");
	ck_assert_msg(strstr(text, "demo/__init__.py,sha256=") != NULL, "no module row");
	free(text);
	/* Linked from the tree (same inode). */
	{
		struct stat a, b;

		ck_assert_int_eq(stat(path_in("tree/demo/__init__.py"), &a), 0);
		ck_assert_int_eq(stat(path_in("env/lib/python3.12/site-packages/demo/__init__.py"), &b), 0);
		ck_assert_msg(a.st_ino == b.st_ino, "expected a hard link into the tree");
	}
	/* A changed tree file is reported as VENV_ENOTFOUND (a damaged cache). */
	chmod(path_in("tree/demo/__init__.py"), 0600);
	fd = open(path_in("tree"), O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(venv_wheel_install(&back, fd, &t, VENV_WHEEL_LINK), VENV_ENOTFOUND);
	close(fd);
	venv_wheel_release(&w);
	venv_wheel_release(&back);
}
END_TEST

/*
 * With t.reuse (an upgrade's old site-packages), a file the old version
 * has byte for byte, with the mode a copy would get, is hard-linked from
 * there; one that differs in a byte or its mode, one that is a link (even
 * to the same bytes) and one that is missing are copied from the tree.
 */
START_TEST(test_wheel__install_reuses_identical_old_files)
{
	static const struct member m[] = {
		{ "demo/__init__.py", "same = 1\n", 0, NULL },
		{ "demo/differs.py", "new = 22\n", 0, NULL },
		{ "demo/linked.py", "link = 3\n", 0, NULL },
		{ "demo/mode.py", "mode = 4\n", 0, NULL },
		{ "demo/missing.py", "gone = 5\n", 0, NULL },
		{ "demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", 0, NULL },
		{ "demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n", 0, NULL },
	};
	static const char *const copied[] = { "differs.py", "linked.py", "mode.py", "missing.py" };
	struct venv_wheel w;
	struct venv_wheel_target t;
	char wheel[PATH_MAX], env[PATH_MAX], lib[PATH_MAX + 64], old[PATH_MAX + 64];
	char bin[PATH_MAX + 64], a[PATH_MAX * 4], b[PATH_MAX * 2];
	struct stat sa, sb;
	mode_t mask = umask(022);
	size_t i;
	int fd, rc;
	char *text;

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel(wheel, m, VENV_ARRAY_SIZE(m), NULL);
	ck_assert_int_eq(unpack_to(&w, wheel, path_in("tree"), 0), 0);
	snprintf(env, sizeof(env), "%s", path_in("env"));
	snprintf(lib, sizeof(lib), "%s/lib/python3.12/site-packages", env);
	snprintf(old, sizeof(old), "%s/lib/python3.11/site-packages", env);
	snprintf(bin, sizeof(bin), "%s/bin", env);
	snprintf(a, sizeof(a), "mkdir -p '%s/demo' '%s' && cd '%s/demo' && "
		 "printf 'same = 1\\n' > __init__.py && printf 'new = 11\\n' > differs.py && "
		 "printf 'link = 3\\n' > '%s/outside.py' && ln -s '%s/outside.py' linked.py && "
		 "printf 'mode = 4\\n' > mode.py && chmod 600 mode.py", old, bin, old, tmpdir,
		 tmpdir);
	ck_assert_int_eq(system(a), 0);
	memset(&t, 0, sizeof(t));
	t.purelib = t.platlib = lib;
	t.scripts = bin;
	t.headers = t.data = env;
	t.python = "/usr/bin/python3";
	t.major = 3;
	t.minor = 12;
	t.reuse = old;
	fd = open(path_in("tree"), O_RDONLY | O_DIRECTORY);
	rc = venv_wheel_install(&w, fd, &t, 0);
	close(fd);
	umask(mask);
	ck_assert_msg(rc == 0, "install: %s", venv_error_last());
	snprintf(a, sizeof(a), "%s/demo/__init__.py", old);
	snprintf(b, sizeof(b), "%s/demo/__init__.py", lib);
	ck_assert_int_eq(stat(a, &sa), 0);
	ck_assert_int_eq(stat(b, &sb), 0);
	ck_assert_msg(sa.st_ino == sb.st_ino, "expected the identical file to be linked from the "
		      "old site-packages, saw a copy");
	for (i = 0; i < VENV_ARRAY_SIZE(copied); i++) {
		snprintf(a, sizeof(a), "%s/demo/%s", old, copied[i]);
		snprintf(b, sizeof(b), "%s/demo/%s", lib, copied[i]);
		ck_assert_int_eq(lstat(b, &sb), 0);
		ck_assert_msg(S_ISREG(sb.st_mode) && (sb.st_mode & 07777) == 0644,
			      "%s: expected a regular file of mode 644, saw mode %o", copied[i],
			      (unsigned)sb.st_mode);
		ck_assert_msg(lstat(a, &sa) < 0 || sa.st_ino != sb.st_ino, "%s: expected a copy, "
			      "saw the old file linked", copied[i]);
	}
	text = slurp(path_in("env/lib/python3.12/site-packages/demo/differs.py"));
	ck_assert_str_eq(text, "new = 22\n");
	free(text);
	text = slurp(path_in("outside.py"));
	ck_assert_str_eq(text, "link = 3\n");
	free(text);
	text = slurp(path_in("env/lib/python3.12/site-packages/demo-1.0.dist-info/RECORD"));
	ck_assert_msg(strstr(text, "demo/__init__.py,sha256=") != NULL, "no row for the linked "
		      "file in:\n%s", text);
	free(text);
	venv_wheel_release(&w);
}
END_TEST

/* A link planted in the environment is never written through. */
START_TEST(test_wheel__install_refuses_symlink_in_target)
{
	struct venv_wheel w;
	struct venv_wheel_target t;
	char wheel[PATH_MAX], lib[PATH_MAX], outside[PATH_MAX];
	int fd;

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel(wheel, demo, VENV_ARRAY_SIZE(demo), NULL);
	ck_assert_int_eq(unpack_to(&w, wheel, path_in("tree"), 0), 0);
	snprintf(outside, sizeof(outside), "%s", path_in("outside"));
	mkdir(outside, 0700);
	snprintf(lib, sizeof(lib), "%s", path_in("lib"));
	mkdir(lib, 0700);
	ck_assert_int_eq(symlink(outside, path_in("lib/demo")), 0);
	memset(&t, 0, sizeof(t));
	t.purelib = t.platlib = lib;
	t.scripts = t.headers = t.data = path_in("other");
	t.python = "/usr/bin/python3";
	fd = open(path_in("tree"), O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(venv_wheel_install(&w, fd, &t, 0), VENV_EUNSAFE);
	close(fd);
	ck_assert_msg(venv_fs_dir_is_empty(outside), "something was written outside");
	venv_wheel_release(&w);
}
END_TEST

/*
 * A root of the target (site-packages, bin/) that was swapped for a link
 * to a directory outside after create made it: the install is refused and
 * nothing is written outside (pip's files and console scripts were written
 * through it, by path).
 */
START_TEST(test_wheel__install_refuses_swapped_root)
{
	static const char *const roots[] = { "env/lib/python3.12/site-packages", "env/bin",
					     "env/lib" };
	struct venv_wheel w;
	struct venv_wheel_target t;
	char wheel[PATH_MAX], env[PATH_MAX], lib[PATH_MAX + 64], bin[PATH_MAX + 64];
	char outside[PATH_MAX], cmd[PATH_MAX * 6];
	size_t i;
	int fd, rc;

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel(wheel, demo, VENV_ARRAY_SIZE(demo), NULL);
	ck_assert_int_eq(unpack_to(&w, wheel, path_in("tree"), 0), 0);
	snprintf(env, sizeof(env), "%s", path_in("env"));
	snprintf(lib, sizeof(lib), "%s/lib/python3.12/site-packages", env);
	snprintf(bin, sizeof(bin), "%s/bin", env);
	snprintf(outside, sizeof(outside), "%s", path_in("outside"));
	memset(&t, 0, sizeof(t));
	t.purelib = t.platlib = lib;
	t.scripts = bin;
	t.headers = t.data = env;
	t.python = "/usr/bin/python3";
	t.major = 3;
	t.minor = 12;
	for (i = 0; i < VENV_ARRAY_SIZE(roots); i++) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' && mkdir -p '%s' '%s' '%s'", env, outside,
			 lib, bin, outside);
		ck_assert_int_eq(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' && ln -s '%s' '%s'", path_in(roots[i]),
			 outside, path_in(roots[i]));
		ck_assert_int_eq(system(cmd), 0);
		if (i == 2) {
			/* lib -> outside, with the layout below it there. */
			snprintf(cmd, sizeof(cmd), "mkdir -p '%s/python3.12/site-packages'", outside);
			ck_assert_int_eq(system(cmd), 0);
		}
		fd = open(path_in("tree"), O_RDONLY | O_DIRECTORY);
		rc = venv_wheel_install(&w, fd, &t, 0);
		close(fd);
		snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -type f)\"", outside);
		ck_assert_msg(system(cmd) == 0, "%s swapped for a link: something was written "
			      "outside", roots[i]);
		ck_assert_msg(rc < 0, "%s swapped for a link: the install succeeded", roots[i]);
		ck_assert_msg(strstr(venv_error_last(), "a symbolic link is in the way") != NULL,
			      "%s: expected 'a symbolic link is in the way', saw '%s'", roots[i],
			      venv_error_last());
	}
	venv_wheel_release(&w);
}
END_TEST

START_TEST(test_wheel__unpack_refuses_symlink_entry)
{
	struct member m[VENV_ARRAY_SIZE(demo) + 1];
	struct venv_wheel w;
	char wheel[PATH_MAX];

	memcpy(m, demo, sizeof(demo));
	m[VENV_ARRAY_SIZE(demo)].name = "demo/link";
	m[VENV_ARRAY_SIZE(demo)].data = "";
	m[VENV_ARRAY_SIZE(demo)].mode = AE_IFLNK | 0777;
	m[VENV_ARRAY_SIZE(demo)].link = "/etc/passwd";
	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel(wheel, m, VENV_ARRAY_SIZE(m), NULL);
	ck_assert_int_eq(unpack_to(&w, wheel, path_in("tree"), 0), VENV_EUNSAFE);
	ck_assert_msg(strstr(venv_error_last(), "'demo/link' is a link") != NULL,
		      "expected a message about the link, saw: %s", venv_error_last());
	venv_wheel_release(&w);
}
END_TEST

START_TEST(test_wheel__unpack_refuses_bad_record)
{
	struct venv_wheel w;
	char wheel[PATH_MAX];

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	/* A RECORD that omits every file. */
	write_wheel(wheel, demo, VENV_ARRAY_SIZE(demo), "demo-1.0.dist-info/RECORD,,\n");
	ck_assert_int_eq(unpack_to(&w, wheel, path_in("tree"), 0), VENV_EUNSAFE);
	ck_assert_msg(strstr(venv_error_last(), "not in its RECORD") != NULL,
		      "expected a RECORD message, saw: %s", venv_error_last());
	venv_wheel_release(&w);
	/* A file name that does not match the .dist-info. */
	snprintf(wheel, sizeof(wheel), "%s", path_in("other-1.0-py3-none-any.whl"));
	write_wheel(wheel, demo, VENV_ARRAY_SIZE(demo), NULL);
	venv_fs_remove_tree(path_in("tree"));
	ck_assert_int_eq(unpack_to(&w, wheel, path_in("tree"), 0), VENV_EINVAL);
	venv_wheel_release(&w);
}
END_TEST

/*
 * WHL-08: a central directory that disagrees with a local header about an
 * entry's size. libarchive only warns, then reads the local header's size
 * while zipfile (pip) reads the directory's; the unpacker used to accept
 * the warning (found by tests/fuzz/fuzz_zip.c).
 */
START_TEST(test_wheel__unpack_refuses_header_mismatch)
{
	struct venv_wheel w;
	struct vbuf zip = VBUF_INIT(1 << 20);
	char wheel[PATH_MAX];
	size_t i, len = strlen(demo[0].data);
	unsigned char *p;
	int rc;

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel_opts(wheel, demo, VENV_ARRAY_SIZE(demo), NULL, 1);
	rc = unpack_to(&w, wheel, path_in("tree"), 0);
	ck_assert_msg(rc == 0, "expected the stored wheel to unpack, saw %d: %s", rc,
		      venv_error_last());
	venv_wheel_release(&w);
	venv_fs_remove_tree(path_in("tree"));
	ck_assert_int_eq(venv_fs_read_file_at(&zip, AT_FDCWD, wheel, 1 << 20), 0);
	p = (unsigned char *)zip.buf;
	/* The first member has its size in its local header too. */
	ck_assert_msg(zip.len > 30 && !memcmp(p, "PK\3\4", 4) && p[22] == (unsigned char)len,
		      "expected a local header with the size %zu, saw %u", len, (unsigned)p[22]);
	for (i = 0; i + 46 < zip.len && memcmp(p + i, "PK\1\2", 4); i++)
		;
	ck_assert_msg(i + 46 < zip.len && p[i + 24] == (unsigned char)len,
		      "expected a central directory entry of %zu bytes", len);
	/* The directory now says 3 bytes, compressed and not: the local header says more. */
	p[i + 20] = p[i + 24] = 3;
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, wheel, zip.buf, zip.len, 0644, 0), 0);
	rc = unpack_to(&w, wheel, path_in("tree"), 0);
	ck_assert_msg(rc == VENV_EINVAL, "expected VENV_EINVAL, saw %d (%s)", rc, venv_error_last());
	ck_assert_msg(strstr(venv_error_last(), "cannot read the wheel") != NULL,
		      "expected a message about the archive, saw: %s", venv_error_last());
	venv_wheel_release(&w);
	vbuf_release(&zip);
}
END_TEST

START_TEST(test_wheel__unpack_refuses_name_mismatch)
{
	struct venv_wheel w;
	struct vbuf zip = VBUF_INIT(1 << 20);
	char wheel[PATH_MAX];
	size_t n = strlen(demo[0].name);
	unsigned char *p;
	int rc;

	snprintf(wheel, sizeof(wheel), "%s", path_in("demo-1.0-py3-none-any.whl"));
	write_wheel_opts(wheel, demo, VENV_ARRAY_SIZE(demo), NULL, 1);
	ck_assert_int_eq(venv_fs_read_file_at(&zip, AT_FDCWD, wheel, 1 << 20), 0);
	p = (unsigned char *)zip.buf;
	ck_assert_msg(zip.len > 30 + n && !memcmp(p, "PK\3\4", 4) && !memcmp(p + 30, demo[0].name, n),
		      "expected the first local header to name '%s'", demo[0].name);
	/*
	 * Only the local header now names another file: pip's zipfile refuses
	 * such a member, and libarchive alone would unpack it under that name.
	 */
	p[30 + n - 1] = p[30 + n - 1] == 'x' ? 'y' : 'x';
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, wheel, zip.buf, zip.len, 0644, 0), 0);
	rc = unpack_to(&w, wheel, path_in("tree"), 0);
	ck_assert_msg(rc == VENV_EUNSAFE, "expected VENV_EUNSAFE, saw %d (%s)", rc, venv_error_last());
	ck_assert_msg(strstr(venv_error_last(), "named otherwise in the zip's central directory"),
		      "expected a message about the two names, saw: %s", venv_error_last());
	venv_wheel_release(&w);
	vbuf_release(&zip);
}
END_TEST

static Suite *wheel_suite(void)
{
	Suite *s = suite_create("wheel");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wheel__names_accepted);
	tcase_add_test(tc, test_wheel__names_refused);
	tcase_add_test(tc, test_wheel__names_caps);
	tcase_add_test(tc, test_wheel__entry_points_pip_names);
	tcase_add_test(tc, test_wheel__entry_points_easy_install);
	tcase_add_test(tc, test_wheel__entry_points_refused);
	tcase_add_test(tc, test_wheel__shebang_lengths);
	tcase_add_test(tc, test_wheel__shebang_quoting);
	tcase_add_test(tc, test_wheel__console_script_writer);
	tcase_add_test(tc, test_wheel__unpack_manifest_install);
	tcase_add_test(tc, test_wheel__install_reuses_identical_old_files);
	tcase_add_test(tc, test_wheel__install_refuses_symlink_in_target);
	tcase_add_test(tc, test_wheel__install_refuses_swapped_root);
	tcase_add_test(tc, test_wheel__unpack_refuses_symlink_entry);
	tcase_add_test(tc, test_wheel__unpack_refuses_bad_record);
	tcase_add_test(tc, test_wheel__unpack_refuses_header_mismatch);
	tcase_add_test(tc, test_wheel__unpack_refuses_name_mismatch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wheel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
