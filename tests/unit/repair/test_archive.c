#include "compat.h"
#include <dirent.h>
#include <check.h>
#include "error.h"
#include "fs.h"
#include "la.h"
#include "repair.h"
#include "vbuf.h"
#include "archive_int.h"
#include "../unit.h"

/*
 * Unit tests for repair/archive.c: an archive of an environment restores
 * to the same tree (security.md ARC-11), including hard links, sparse
 * files and read-only directories; restore's own extractor refuses
 * hostile archives built here with libarchive's writer, and then nothing
 * outside the staging directory exists or changed (ARC-01..ARC-05, ARC-09).
 * The check after writing reads the archive back: a byte of a file that
 * went wrong in it is caught, by the bytes and by the digest.
 */

UNIT_TMPDIR("archive")

static void put_at(const char *rel, const char *text, mode_t mode)
{
	char p[PATH_MAX];

	PATHF(p, "%s/%s", tmp_root, rel);
	unit_put_file(p, text, strlen(text));
	ck_assert_int_eq(chmod(p, mode), 0);
}

static void set_time(const char *rel, time_t sec, long nsec)
{
	char p[PATH_MAX];
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

	PATHF(p, "%s/%s", tmp_root, rel);
	ck_assert_msg(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) == 0, "utimensat %s: %s",
		      p, strerror(errno));
}

static void mkdir_at(const char *rel, mode_t mode)
{
	char p[PATH_MAX];

	PATHF(p, "%s/%s", tmp_root, rel);
	ck_assert_msg(mkdir(p, mode) == 0, "mkdir %s: %s", p, strerror(errno));
	ck_assert_int_eq(chmod(p, mode), 0);
}

/*
 * A listing of the tree below dir, one line per entry in name order: type,
 * mode, size, mtime to the nanosecond, link value or contents, and for a
 * file with more than one link the first name of its inode in the listing.
 */
struct seen_inode {
	ino_t ino;
	char name[PATH_MAX];
};

static void listing(struct vbuf *out, int dfd, const char *rel, struct seen_inode *inodes,
		    size_t *ninodes)
{
	struct dirent **names;
	int n, i;

	n = scandirat(dfd, ".", &names, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char path[PATH_MAX];
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, "..")) {
			free(names[i]);
			continue;
		}
		PATHF(path, "%s%s%s", rel, *rel ? "/" : "", name);
		ck_assert_int_eq(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
		ck_assert_int_eq(vbuf_addf(out, "%s %o %lld %lld.%09ld ", path, (unsigned)st.st_mode,
					   S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
					   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec), 0);
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t k = readlinkat(dfd, name, target, sizeof(target) - 1);

			ck_assert_int_ge(k, 0);
			target[k] = '\0';
			ck_assert_int_eq(vbuf_addf(out, "-> %s", target), 0);
		} else if (S_ISREG(st.st_mode)) {
			struct vbuf data = VBUF_INIT(1 << 22);
			size_t k;

			ck_assert_int_eq(venv_fs_read_file_at(&data, dfd, name, 1 << 22), 0);
			/* Bytes as hex would be long; a checksum shows any change. */
			{
				unsigned long h = 5381;

				for (k = 0; k < data.len; k++)
					h = h * 33 + (unsigned char)data.buf[k];
				ck_assert_int_eq(vbuf_addf(out, "sum %lx", h), 0);
			}
			vbuf_release(&data);
			if (st.st_nlink > 1) {
				size_t j;

				for (j = 0; j < *ninodes && inodes[j].ino != st.st_ino; j++)
					;
				if (j == *ninodes) {
					inodes[j].ino = st.st_ino;
					PATHF(inodes[j].name, "%s", path);
					(*ninodes)++;
				}
				ck_assert_int_eq(vbuf_addf(out, " inode of %s", inodes[j].name), 0);
			}
		}
		ck_assert_int_eq(vbuf_adds(out, "\n"), 0);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			ck_assert_int_ge(sub, 0);
			listing(out, sub, path, inodes, ninodes);
			close(sub);
		}
		free(names[i]);
	}
	free(names);
}

static void tree_listing(struct vbuf *out, const char *rel)
{
	char p[PATH_MAX];
	struct seen_inode inodes[16];
	size_t n = 0;
	int fd;

	PATHF(p, "%s/%s", tmp_root, rel);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "cannot open %s: %s", p, strerror(errno));
	vbuf_reset(out);
	listing(out, fd, "", inodes, &n);
	close(fd);
}

START_TEST(test_archive__round_trip)
{
	struct vbuf a = VBUF_INIT(1 << 20), b = VBUF_INIT(1 << 20), out = VBUF_INIT(PATH_MAX);
	char env[PATH_MAX], file[PATH_MAX], copy[PATH_MAX], p[PATH_MAX];
	int fd;

	mkdir_at("env", 0755);
	put_at("env/pyvenv.cfg", "home = /usr/bin\n", 0644);
	mkdir_at("env/bin", 0755);
	put_at("env/bin/tool", "#!/bin/sh\n", 0750);
	PATHF(p, "%s/env/bin/python", tmp_root);
	ck_assert_int_eq(symlink("/usr/bin/python3", p), 0);
	put_at("env/first", "one inode, two names\n", 0640);
	PATHF(p, "%s/env/first", tmp_root);
	PATHF(file, "%s/env/bin/second", tmp_root);
	ck_assert_int_eq(link(p, file), 0);
	/* A sparse file: a hole of 1 MiB, then a byte. */
	PATHF(p, "%s/env/sparse", tmp_root);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "z", 1, 1 << 20), 1);
	ck_assert_int_eq(ftruncate(fd, (1 << 20) + 4096), 0);
	close(fd);
	put_at("env/empty", "", 0600);
	mkdir_at("env/ro", 0755);
	put_at("env/ro/inside", "kept\n", 0444);
	set_time("env/ro/inside", 1000000001, 999999999);
	ck_assert_int_eq(chmod(p, 0644), 0);
	set_time("env/first", 1234567890, 123456789);
	set_time("env/bin/python", 1111111111, 0);
	set_time("env/bin", 1222222222, 5);
	PATHF(p, "%s/env/ro", tmp_root);
	ck_assert_int_eq(chmod(p, 0555), 0);
	set_time("env/ro", 1333333333, 7);

	PATHF(env, "%s/env", tmp_root);
	PATHF(file, "%s/env.tar.zst", tmp_root);
	PATHF(copy, "%s/copy", tmp_root);
	tree_listing(&a, "env");
	ck_assert_msg(venv_archive_env(&out, env, file) == 0, "archive: %s", venv_error_last());
	ck_assert_str_eq(out.buf, file);
	ck_assert_msg(venv_restore_env(&out, file, copy, VENV_RESTORE_AS_IS, NULL) == 0,
		      "restore: %s", venv_error_last());
	ck_assert_str_eq(out.buf, copy);
	tree_listing(&b, "copy");
	ck_assert_str_eq(b.buf, a.buf);
	/* The hard link is one inode again, not two copies. */
	ck_assert_msg(strstr(b.buf, "bin/second") && strstr(b.buf, "inode of bin/second"),
		      "expected env/first to share bin/second's inode, saw:\n%s", b.buf);
	vbuf_release(&a);
	vbuf_release(&b);
	vbuf_release(&out);
}
END_TEST

/* Hostile archives written with libarchive's own writer. */
enum member_kind { M_FILE, M_DIR, M_LINK, M_HARD };

struct member {
	enum member_kind kind;
	const char *name;
	const char *value;    /* contents, link value or hard link target */
};

static void write_archive(const char *path, const struct member *m, size_t n)
{
	struct archive *a;
	struct archive_entry *e;
	char meta[PATH_MAX + 64];
	size_t i;

	ck_assert_msg(venv_la_load() == 0, "libarchive: %s", venv_error_last());
	a = LA(archive_write_new)();
	e = LA(archive_entry_new)();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(e);
	LA(archive_write_set_format_pax)(a);
	ck_assert_int_eq(LA(archive_write_add_filter_gzip)(a), ARCHIVE_OK);
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(LA(archive_write_open_fd)(a, fd), ARCHIVE_OK);
		PATHF(meta, "{\"venv-archive\": 1, \"path\": \"%s/restored\"}", tmp_root);
		LA(archive_entry_set_pathname)(e, "venv-archive.json");
		LA(archive_entry_set_filetype)(e, AE_IFREG);
		LA(archive_entry_set_perm)(e, 0644);
		LA(archive_entry_set_size)(e, (la_int64_t)strlen(meta));
		ck_assert_int_eq(LA(archive_write_header)(a, e), ARCHIVE_OK);
		ck_assert_int_eq(LA(archive_write_data)(a, meta, strlen(meta)), (la_ssize_t)strlen(meta));
		for (i = 0; i < n; i++) {
			LA(archive_entry_clear)(e);
			LA(archive_entry_set_pathname)(e, m[i].name);
			LA(archive_entry_set_perm)(e, 0755);
			switch (m[i].kind) {
			case M_DIR:
				LA(archive_entry_set_filetype)(e, AE_IFDIR);
				break;
			case M_LINK:
				LA(archive_entry_set_filetype)(e, AE_IFLNK);
				LA(archive_entry_set_symlink)(e, m[i].value);
				break;
			case M_HARD:
				LA(archive_entry_set_filetype)(e, AE_IFREG);
				LA(archive_entry_set_hardlink)(e, m[i].value);
				break;
			case M_FILE:
				LA(archive_entry_set_filetype)(e, AE_IFREG);
				LA(archive_entry_set_size)(e, (la_int64_t)strlen(m[i].value));
				break;
			}
			ck_assert_int_eq(LA(archive_write_header)(a, e), ARCHIVE_OK);
			if (m[i].kind == M_FILE)
				ck_assert_int_eq(LA(archive_write_data)(a, m[i].value,
									strlen(m[i].value)),
						 (la_ssize_t)strlen(m[i].value));
		}
		ck_assert_int_eq(LA(archive_write_close)(a), ARCHIVE_OK);
		close(fd);
	}
	LA(archive_write_free)(a);
	LA(archive_entry_free)(e);
}

/* Nothing of a refused restore may remain: no target, no staging directory. */
static void expect_nothing_left(const char *what)
{
	DIR *d = opendir(tmp_root);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		ck_assert_msg(!strstr(de->d_name, "restored"),
			      "expected nothing restored after '%s', saw '%s'", what, de->d_name);
	closedir(d);
}

static void expect_refused(const char *what, const struct member *m, size_t n,
			   const char *message)
{
	struct vbuf out = VBUF_INIT(PATH_MAX), before = VBUF_INIT(1 << 16),
		    after = VBUF_INIT(1 << 16);
	char file[PATH_MAX], dir[PATH_MAX];
	int rc;

	PATHF(file, "%s/%s.tar.gz", tmp_root, what);
	PATHF(dir, "%s/restored", tmp_root);
	write_archive(file, m, n);
	tree_listing(&before, "outside");
	/* DIR given: an archive outside venv's archive directory needs it. */
	rc = venv_restore_env(&out, file, dir, 0, NULL);
	ck_assert_msg(rc == VENV_EUNSAFE, "expected '%s' to be refused as unsafe, saw %d (%s)",
		      what, rc, rc ? venv_error_last() : "restored");
	ck_assert_msg(strstr(venv_error_last(), message), "expected '%s' in the refusal of '%s', "
		      "saw '%s'", message, what, venv_error_last());
	tree_listing(&after, "outside");
	ck_assert_str_eq(after.buf, before.buf);
	expect_nothing_left(what);
	vbuf_release(&out);
	vbuf_release(&before);
	vbuf_release(&after);
}

START_TEST(test_archive__hostile)
{
	char out_abs[PATH_MAX], target[PATH_MAX];
	const struct member cfg = { M_FILE, "env/pyvenv.cfg", "home = /usr/bin\n" };
	const struct member env = { M_DIR, "env", NULL };

	mkdir_at("outside", 0755);
	put_at("outside/target", "sentinel\n", 0644);
	PATHF(out_abs, "%s/outside", tmp_root);
	PATHF(target, "%s/outside/target", tmp_root);
	{
		const struct member m[] = { env, cfg, { M_FILE, "env/../outside/target", "owned" } };

		expect_refused("dotdot", m, 3, "'.' or '..' component");
	}
	{
		const struct member m[] = { env, cfg, { M_LINK, "env/d", out_abs },
					    { M_FILE, "env/d/target", "owned" } };

		expect_refused("file-below-link", m, 4, "which is not a directory");
	}
	{
		const struct member m[] = { env, cfg, { M_LINK, "env/d", out_abs },
					    { M_DIR, "env/d", NULL } };

		expect_refused("dir-over-link", m, 4, "appears twice");
	}
	{
		const struct member m[] = { env, cfg, { M_HARD, "env/h", "outside/target" } };

		expect_refused("hard-out", m, 3, "outside the environment's tree");
	}
	{
		const struct member m[] = { env, cfg, { M_LINK, "env/l", target },
					    { M_HARD, "env/h", "env/l" } };

		expect_refused("hard-to-link", m, 4, "which is not a file extracted before it");
	}
	{
		const struct member m[] = { env, cfg, { M_FILE, "env/a/b", "owned" } };

		expect_refused("orphan", m, 3, "not a directory extracted before it");
	}
	{
		const struct member m[] = { { M_LINK, "env", out_abs }, { M_FILE, "env/target", "x" } };

		expect_refused("root-link", m, 2, "does not start with the directory 'env'");
	}
	{
		const struct member m[] = { cfg, env };

		expect_refused("root-later", m, 2, "not a directory extracted before it");
	}
}
END_TEST

START_TEST(test_archive__replace_needs_yes)
{
	struct vbuf out = VBUF_INIT(PATH_MAX);
	char file[PATH_MAX], dir[PATH_MAX];
	const struct member m[] = { { M_DIR, "env", NULL },
				    { M_FILE, "env/pyvenv.cfg", "home = /new\n" } };

	mkdir_at("restored", 0755);
	put_at("restored/pyvenv.cfg", "home = /old\n", 0644);
	PATHF(file, "%s/new.tar.gz", tmp_root);
	PATHF(dir, "%s/restored", tmp_root);
	write_archive(file, m, 2);
	ck_assert_int_eq(venv_restore_env(&out, file, dir, 0, NULL), VENV_EEXISTS);
	ck_assert_msg(strstr(venv_error_last(), "--yes"), "expected a hint at --yes, saw '%s'",
		      venv_error_last());
	ck_assert_msg(venv_restore_env(&out, file, dir, VENV_RESTORE_REPLACE, NULL) == 0,
		      "restore --yes: %s",
		      venv_error_last());
	ck_assert_str_eq(out.buf, dir);
	{
		struct vbuf text = VBUF_INIT(4096);
		char p[PATH_MAX];

		PATHF(p, "%s/pyvenv.cfg", dir);
		ck_assert_int_eq(venv_fs_read_file_at(&text, AT_FDCWD, p, 4096), 0);
		ck_assert_str_eq(text.buf, "home = /new\n");
		vbuf_release(&text);
	}
	vbuf_release(&out);
}
END_TEST

/*
 * Write the .tar.gz file again with the first byte of member's data
 * flipped and every other byte of every member as it was: a write that
 * went wrong inside that file.
 */
static void flip_first_byte(const char *file, const char *member)
{
	char tmp[PATH_MAX], buf[65536];
	struct archive *in, *out;
	struct archive_entry *e;
	int fd, r, flipped = 0;

	ck_assert_msg(venv_la_load() == 0, "libarchive: %s", venv_error_last());
	PATHF(tmp, "%s.flipped", file);
	in = LA(archive_read_new)();
	out = LA(archive_write_new)();
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	LA(archive_read_support_format_tar)(in);
	LA(archive_read_support_filter_gzip)(in);
	ck_assert_int_eq(LA(archive_read_open_filename)(in, file, 65536), ARCHIVE_OK);
	LA(archive_write_set_format_pax)(out);
	ck_assert_int_eq(LA(archive_write_add_filter_gzip)(out), ARCHIVE_OK);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(LA(archive_write_open_fd)(out, fd), ARCHIVE_OK);
	while ((r = LA(archive_read_next_header)(in, &e)) == ARCHIVE_OK) {
		int mine = !strcmp(LA(archive_entry_pathname)(e), member);
		la_ssize_t n;

		ck_assert_int_eq(LA(archive_write_header)(out, e), ARCHIVE_OK);
		while ((n = LA(archive_read_data)(in, buf, sizeof(buf))) > 0) {
			if (mine && !flipped) {
				buf[0] ^= 1;
				flipped = 1;
			}
			ck_assert_int_eq(LA(archive_write_data)(out, buf, (size_t)n), n);
		}
		ck_assert_int_eq(n, 0);
	}
	ck_assert_int_eq(r, ARCHIVE_EOF);
	ck_assert_msg(flipped, "no data of '%s' in '%s'", member, file);
	ck_assert_int_eq(LA(archive_write_close)(out), ARCHIVE_OK);
	close(fd);
	LA(archive_write_free)(out);
	LA(archive_read_free)(in);
	ck_assert_int_eq(rename(tmp, file), 0);
}

/* Flip the first byte of the file rel below tmp_root in place; its size stays. */
static void flip_file_byte(const char *rel)
{
	char p[PATH_MAX], c;
	int fd;

	PATHF(p, "%s/%s", tmp_root, rel);
	fd = open(p, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, 0), 1);
	c ^= 1;
	ck_assert_int_eq(pwrite(fd, &c, 1, 0), 1);
	close(fd);
}

static void expect_verify_fails(const struct venv_archive_written *w, const char *message,
				const char *what)
{
	int rc = venv_archive__verify(w);

	ck_assert_msg(rc == VENV_EIO, "expected the check to fail %s, saw %d (%s)", what, rc,
		      rc ? venv_error_last() : "passed");
	ck_assert_msg(strstr(venv_error_last(), message), "expected '%s' %s, saw '%s'", message,
		      what, venv_error_last());
}

/*
 * The check after writing (venv_archive__verify): an archive as written
 * passes; a byte flipped inside a file's data in the archive fails it,
 * named, against the file on disk; and flipped in the environment's file
 * too, so that the archive agrees with the disk but not with what was
 * hashed as the file went in (what restore checks), it fails it by the
 * digest, named.
 */
START_TEST(test_archive__verify_after_write)
{
	struct venv_archive_written *w = NULL;
	char env[PATH_MAX], file[PATH_MAX], want[PATH_MAX + 64];

	mkdir_at("venv", 0755);
	put_at("venv/pyvenv.cfg", "home = /usr/bin\n", 0644);
	mkdir_at("venv/lib", 0755);
	put_at("venv/lib/data.txt", "the bytes that are archived\n", 0644);
	put_at("venv/lib/other.txt", "left alone\n", 0644);
	PATHF(env, "%s/venv", tmp_root);
	PATHF(file, "%s/written.tar.gz", tmp_root);
	ck_assert_msg(venv_archive__write(&w, env, file, NULL) == 0, "write: %s",
		      venv_error_last());
	ck_assert_msg(venv_archive__verify(w) == 0, "the archive as written: %s",
		      venv_error_last());

	flip_first_byte(file, "env/lib/data.txt");
	PATHF(want, "differs from the environment in '%s/lib/data.txt'", env);
	expect_verify_fails(w, want, "with a byte of data.txt flipped in the archive");

	flip_file_byte("venv/lib/data.txt");
	PATHF(want, "differs from the environment at '%s/lib/data.txt' (digest)", env);
	expect_verify_fails(w, want, "with the same byte flipped in the environment too");
	venv_archive__written_free(w, 0);
}
END_TEST

static Suite *archive_suite(void)
{
	Suite *s = suite_create("archive");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_archive__round_trip);
	tcase_add_test(tc, test_archive__hostile);
	tcase_add_test(tc, test_archive__replace_needs_yes);
	tcase_add_test(tc, test_archive__verify_after_write);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(archive_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
