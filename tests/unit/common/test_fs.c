#include "compat.h"
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <check.h>
#include "error.h"
#include "fs.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("fs")

/*
 * Unit tests for common/fs.c, the file operations that treat an
 * environment as untrusted (security.md CFG-05, INS-02, INS-05, DEL-02,
 * DEL-03, DEL-05, CRA-08, CRA-10). Every test works in its own directory
 * below one temporary root that the parent process removes at the end.
 */

/* A fresh directory for one test: <root>/<name>, and chdir into it. */
static void test_dir(char *out, size_t n, const char *name)
{
	unit_dir(out, n, tmp_root, name);
	ck_assert_int_eq(chdir(out), 0);
}

/* The whole content of a file (following links), for comparisons. */
static char *slurp(const char *path)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_RECORD);
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "cannot open '%s': %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(vbuf_add(&b, chunk, (size_t)n), 0);
	close(fd);
	return vbuf_detach(&b, NULL);
}

static void assert_content(const char *path, const char *want)
{
	char *got = slurp(path);

	ck_assert_msg(!strcmp(got, want), "'%s': expected content '%s', saw '%s'", path, want, got);
	free(got);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "cannot stat '%s': %s", path, strerror(errno));
	return st.st_mode & 07777;
}

static int is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int is_reg(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Entries of a directory other than "." and "..". */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "cannot open '%s': %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* 1 if the directory holds an entry whose name contains `part`. */
static int has_entry_like(const char *path, const char *part)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int found = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, part))
			found = 1;
	closedir(d);
	return found;
}

/* An "outside" tree that deletions must never touch: dir/keep + file. */
static void make_sentinels(const char *base)
{
	char p[PATH_MAX];

	PATHF(p, "%s/outside", base);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/outside/keep", base);
	unit_put(p, "precious", 0644);
	PATHF(p, "%s/outside/sub", base);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/outside/sub/deep", base);
	unit_put(p, "deep", 0644);
	PATHF(p, "%s/outside-file", base);
	unit_put(p, "lonely", 0444);
}

static void assert_sentinels(const char *base)
{
	char p[PATH_MAX];

	PATHF(p, "%s/outside", base);
	ck_assert_int_eq(count_entries(p), 2);
	ck_assert_int_eq(mode_of(p), 0755);
	PATHF(p, "%s/outside/keep", base);
	assert_content(p, "precious");
	ck_assert_int_eq(mode_of(p), 0644);
	PATHF(p, "%s/outside/sub/deep", base);
	assert_content(p, "deep");
	PATHF(p, "%s/outside-file", base);
	assert_content(p, "lonely");
	ck_assert_int_eq(mode_of(p), 0444);
}

/* ---- write_file_at ---- */

START_TEST(test_fs__write_creates_with_umask)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-umask");
	umask(027);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "a", "hello", 5, 0666, 0), 0);
	assert_content("a", "hello");
	ck_assert_int_eq(mode_of("a"), 0640);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "b", "x", 1, 0755, VENV_FS_ATOMIC), 0);
	ck_assert_int_eq(mode_of("b"), 0750);
	/* Overwriting an existing file in place truncates it. */
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "a", "hi", 2, 0666, 0), 0);
	assert_content("a", "hi");
}
END_TEST

START_TEST(test_fs__write_mode_is_exact)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-mode");
	umask(077);
	ck_assert_int_eq(venv_fs_write_file_mode(AT_FDCWD, "a", "x", 1, 0644, 0), 0);
	ck_assert_int_eq(mode_of("a"), 0644);
	ck_assert_int_eq(venv_fs_write_file_mode(AT_FDCWD, "b", "x", 1, 0755, VENV_FS_ATOMIC), 0);
	ck_assert_int_eq(mode_of("b"), 0755);
	ck_assert_int_eq(venv_fs_write_file_mode(AT_FDCWD, "c", "x", 1, 0600, VENV_FS_EXCL), 0);
	ck_assert_int_eq(mode_of("c"), 0600);
	/* An existing file gets the requested mode too, in place or atomically. */
	unit_put("d", "old", 0600);
	ck_assert_int_eq(venv_fs_write_file_mode(AT_FDCWD, "d", "new", 3, 0664, 0), 0);
	ck_assert_int_eq(mode_of("d"), 0664);
	assert_content("d", "new");
	unit_put("e", "old", 0600);
	ck_assert_int_eq(venv_fs_write_file_mode(AT_FDCWD, "e", "new", 3, 0751, VENV_FS_ATOMIC), 0);
	ck_assert_int_eq(mode_of("e"), 0751);
	assert_content("e", "new");
}
END_TEST

START_TEST(test_fs__write_binary_and_empty)
{
	static const char data[] = { 'a', '\0', '\n', '\r', (char)0xff, '\0' };
	char d[PATH_MAX];
	struct vbuf b = VBUF_INIT(100);

	test_dir(d, sizeof(d), "write-binary");
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "bin", data, sizeof(data), 0644,
					       VENV_FS_ATOMIC), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "bin", 100), 0);
	ck_assert_uint_eq(b.len, sizeof(data));
	ck_assert_mem_eq(b.buf, data, sizeof(data));
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "empty", "", 0, 0644, VENV_FS_FSYNC), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "empty", 100), 0);
	ck_assert_uint_eq(b.len, 0);
	vbuf_release(&b);
}
END_TEST

START_TEST(test_fs__write_relative_to_dirfd)
{
	char d[PATH_MAX];
	int dfd;

	test_dir(d, sizeof(d), "write-dirfd");
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	dfd = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(venv_fs_write_file_at(dfd, "f", "at", 2, 0644, VENV_FS_ATOMIC), 0);
	ck_assert_int_eq(venv_fs_write_file_at(dfd, "g", "at", 2, 0644, 0), 0);
	close(dfd);
	ck_assert_int_eq(chdir(d), 0);
	assert_content("sub/f", "at");
	assert_content("sub/g", "at");
	ck_assert_int_eq(count_entries("sub"), 2);
}
END_TEST

START_TEST(test_fs__write_excl)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-excl");
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "new", "one", 3, 0644, VENV_FS_EXCL), 0);
	assert_content("new", "one");
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "new", "two", 3, 0644, VENV_FS_EXCL),
			 VENV_EEXISTS);
	assert_content("new", "one");
	ck_assert_msg(strstr(venv_error_last(), "'new'") != NULL,
		      "expected the message to name the file, saw '%s'", venv_error_last());
	/* CRA-10: a planted (even dangling) link at the name is "in the way", not followed. */
	ck_assert_int_eq(symlink("planted-target", "planted"), 0);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "planted", "x", 1, 0644, VENV_FS_EXCL),
			 VENV_EEXISTS);
	ck_assert_msg(!unit_exists("planted-target"), "expected nothing created through the link");
}
END_TEST

START_TEST(test_fs__write_atomic_excl)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-atomic-excl");
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "f", "one", 3, 0644,
					       VENV_FS_ATOMIC | VENV_FS_EXCL), 0);
	assert_content("f", "one");
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "f", "two", 3, 0644,
					       VENV_FS_ATOMIC | VENV_FS_EXCL), VENV_EEXISTS);
	assert_content("f", "one");
	ck_assert_int_eq(symlink("dangling-target", "link"), 0);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "link", "x", 1, 0644,
					       VENV_FS_ATOMIC | VENV_FS_EXCL), VENV_EEXISTS);
	ck_assert_msg(is_link("link"), "expected the link left in place");
	ck_assert_msg(!unit_exists("dangling-target"), "expected nothing written through the link");
	ck_assert_msg(!has_entry_like(".", ".tmp-"), "expected no temporary file left behind");
	ck_assert_int_eq(count_entries("."), 2);
}
END_TEST

START_TEST(test_fs__write_atomic_replaces)
{
	char d[PATH_MAX];
	struct stat before, after;

	test_dir(d, sizeof(d), "write-atomic");
	unit_put("f", "old content that is longer", 0644);
	ck_assert_int_eq(stat("f", &before), 0);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "f", "new", 3, 0644, VENV_FS_ATOMIC), 0);
	assert_content("f", "new");
	ck_assert_int_eq(stat("f", &after), 0);
	/* Renamed into place: a new inode, never a truncate-and-write of the old one. */
	ck_assert_msg(before.st_ino != after.st_ino, "expected a new inode for an atomic write");
	ck_assert_msg(!has_entry_like(".", ".tmp-"), "expected no temporary file left behind");
	ck_assert_int_eq(count_entries("."), 1);
}
END_TEST

START_TEST(test_fs__write_atomic_over_symlink_replaces_link)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-atomic-link");
	make_sentinels(d);
	ck_assert_int_eq(symlink("outside/keep", "f"), 0);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "f", "mine", 4, 0644, VENV_FS_ATOMIC), 0);
	ck_assert_msg(is_reg("f"), "expected the link replaced by a regular file");
	assert_content("f", "mine");
	assert_sentinels(d);
}
END_TEST

START_TEST(test_fs__write_in_place_refuses_symlink)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-link");
	make_sentinels(d);
	ck_assert_int_eq(symlink("outside/keep", "f"), 0);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "f", "evil", 4, 0644, 0), VENV_EUNSAFE);
	ck_assert_msg(is_link("f"), "expected the link left alone");
	assert_sentinels(d);
}
END_TEST

START_TEST(test_fs__write_failures_leave_nothing)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "write-fail");
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "missing/f", "x", 1, 0644, 0),
			 VENV_ENOTFOUND);
	ck_assert_int_eq(venv_fs_write_file_at(AT_FDCWD, "missing/f", "x", 1, 0644,
					       VENV_FS_ATOMIC), VENV_ENOTFOUND);
	/* The rename onto a directory fails: the temporary file must go. */
	ck_assert_int_eq(mkdir("adir", 0755), 0);
	ck_assert_msg(venv_fs_write_file_at(AT_FDCWD, "adir", "x", 1, 0644, VENV_FS_ATOMIC) < 0,
		      "expected writing over a directory to fail");
	ck_assert_msg(!has_entry_like(".", ".tmp-"), "expected no temporary file left behind");
	ck_assert_int_eq(count_entries("."), 1);
	ck_assert_int_eq(count_entries("adir"), 0);
}
END_TEST

START_TEST(test_fs__temp_name)
{
	struct vbuf a = VBUF_INIT(VBUF_MAX_PATH), b = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	ck_assert_int_eq(venv_fs_temp_name(&a, "dir/file"), 0);
	ck_assert_int_eq(venv_fs_temp_name(&b, "dir/file"), 0);
	ck_assert_uint_eq(a.len, strlen("dir/file.tmp-") + 6);
	ck_assert_msg(!strncmp(a.buf, "dir/file.tmp-", 13), "expected the prefix, saw '%s'", a.buf);
	for (i = 13; i < a.len; i++)
		ck_assert_msg((a.buf[i] >= 'a' && a.buf[i] <= 'z') || (a.buf[i] >= '0' && a.buf[i] <= '9'),
			      "unexpected character in '%s'", a.buf);
	ck_assert_msg(strcmp(a.buf, b.buf), "expected two different names, saw '%s' twice", a.buf);
	vbuf_release(&a);
	vbuf_release(&b);
}
END_TEST

/* ---- read_file_at ---- */

START_TEST(test_fs__read_regular)
{
	char d[PATH_MAX];
	struct vbuf b = VBUF_INIT(VBUF_MAX_CFG);

	test_dir(d, sizeof(d), "read");
	unit_put("f", "home = /usr/bin\n", 0644);
	ck_assert_int_eq(vbuf_adds(&b, "stale"), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "f", 1000), 0);
	ck_assert_str_eq(b.buf, "home = /usr/bin\n");
	/* Exactly at the cap is fine, one byte over is not. */
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "f", 16), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "f", 15), VENV_ETOOBIG);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "missing", 100), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "'missing'") != NULL,
		      "expected the message to name the file, saw '%s'", venv_error_last());
	vbuf_release(&b);
}
END_TEST

START_TEST(test_fs__read_large_and_buffer_cap)
{
	char d[PATH_MAX];
	struct vbuf b = VBUF_INIT(VBUF_MAX_RECORD), small = VBUF_INIT(1000);
	char *big = malloc(100000 + 1);
	int fd;

	test_dir(d, sizeof(d), "read-large");
	ck_assert_ptr_nonnull(big);
	memset(big, 'z', 100000);
	big[100000] = '\0';
	fd = open("big", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_eq(write(fd, big, 100000), 100000);
	close(fd);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "big", 200000), 0);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_mem_eq(b.buf, big, 100000);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "big", 99999), VENV_ETOOBIG);
	/* The output buffer's own cap is honoured too. */
	ck_assert_int_eq(venv_fs_read_file_at(&small, AT_FDCWD, "big", 200000), VENV_ETOOBIG);
	ck_assert_msg(small.len <= 1000, "expected at most 1000 bytes kept, saw %zu", small.len);
	free(big);
	vbuf_release(&b);
	vbuf_release(&small);
}
END_TEST

START_TEST(test_fs__read_refuses_symlink)
{
	char d[PATH_MAX];
	struct vbuf b = VBUF_INIT(1000);

	test_dir(d, sizeof(d), "read-link");
	unit_put("real", "data", 0644);
	ck_assert_int_eq(symlink("real", "link"), 0);
	ck_assert_int_eq(symlink("nowhere", "dangling"), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "link", 1000), VENV_EUNSAFE);
	ck_assert_msg(strstr(venv_error_last(), "symbolic link") != NULL,
		      "expected a message about a symbolic link, saw '%s'", venv_error_last());
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "dangling", 1000), VENV_EUNSAFE);
	ck_assert_uint_eq(b.len, 0);
	vbuf_release(&b);
}
END_TEST

START_TEST(test_fs__read_refuses_fifo_without_blocking)
{
	char d[PATH_MAX];
	struct vbuf b = VBUF_INIT(1000);

	test_dir(d, sizeof(d), "read-fifo");
	ck_assert_int_eq(mkfifo("fifo", 0644), 0);
	/* With no writer, a blocking open would hang here; the alarm turns that into a failure. */
	alarm(10);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "fifo", 1000), VENV_EUNSAFE);
	alarm(0);
	ck_assert_msg(strstr(venv_error_last(), "not a regular file") != NULL,
		      "expected 'not a regular file', saw '%s'", venv_error_last());
	vbuf_release(&b);
}
END_TEST

START_TEST(test_fs__read_refuses_directory_device_socket)
{
	char d[PATH_MAX];
	struct vbuf b = VBUF_INIT(1000);
	struct sockaddr_un sa;
	int s;

	test_dir(d, sizeof(d), "read-special");
	ck_assert_int_eq(mkdir("dir", 0755), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "dir", 1000), VENV_EUNSAFE);
	/* INS-02: a device that never ends must not be read at all. */
	alarm(10);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "/dev/zero", 1000), VENV_EUNSAFE);
	alarm(0);
	ck_assert_int_eq(symlink("/dev/zero", "zero"), 0);
	ck_assert_int_eq(venv_fs_read_file_at(&b, AT_FDCWD, "zero", 1000), VENV_EUNSAFE);
	/* A socket cannot even be opened: an error, not a hang. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	PATHF(sa.sun_path, "sock");
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_msg(venv_fs_read_file_at(&b, AT_FDCWD, "sock", 1000) < 0,
		      "expected reading a socket to fail");
	close(s);
	vbuf_release(&b);
}
END_TEST

/* ---- mkdirs ---- */

START_TEST(test_fs__mkdirs)
{
	char d[PATH_MAX], p[PATH_MAX + 64];

	test_dir(d, sizeof(d), "mkdirs");
	umask(022);
	PATHF(p, "%s/a/b/c", d);
	ck_assert_int_eq(venv_fs_mkdirs(p), 0);
	ck_assert_int_eq(mode_of(p), 0755);
	PATHF(p, "%s/a", d);
	ck_assert_int_eq(mode_of(p), 0755);
	/* exist_ok=True */
	PATHF(p, "%s/a/b/c", d);
	ck_assert_int_eq(venv_fs_mkdirs(p), 0);
	PATHF(p, "%s/a//b/./c/d/", d);
	ck_assert_int_eq(venv_fs_mkdirs(p), 0);
	ck_assert_int_eq(count_entries("a/b/c"), 1);
	/* Relative to the current directory. */
	ck_assert_int_eq(venv_fs_mkdirs("rel/x"), 0);
	ck_assert_int_eq(count_entries("rel"), 1);
	umask(077);
	ck_assert_int_eq(venv_fs_mkdirs("tight/y"), 0);
	ck_assert_int_eq(mode_of("tight/y"), 0700);
	ck_assert_int_eq(venv_fs_mkdirs("/"), 0);
	ck_assert_int_eq(venv_fs_mkdirs("."), 0);
}
END_TEST

START_TEST(test_fs__mkdirs_something_in_the_way)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "mkdirs-way");
	unit_put("file", "x", 0644);
	ck_assert_int_eq(venv_fs_mkdirs("file"), VENV_EEXISTS);
	ck_assert_msg(venv_fs_mkdirs("file/sub") < 0, "expected a file in the path to fail");
	ck_assert_msg(is_reg("file"), "expected the file left alone");
	ck_assert_msg(venv_fs_mkdirs("") < 0, "expected the empty path to be refused");
}
END_TEST

/*
 * mkdirs below a handle: made and opened one component at a time below its
 * parent's descriptor; a link on the way (dangling too) is ELOOP and not
 * followed, a file ENOTDIR, a ".." EXDEV; *stop says which component.
 */
START_TEST(test_fs__mkdirs_below)
{
	char d[PATH_MAX];
	struct stat st, got;
	size_t stop;
	int top, fd;

	test_dir(d, sizeof(d), "mkdirs-below");
	umask(022);
	ck_assert_int_eq(mkdir("top", 0755), 0);
	ck_assert_int_eq(mkdir("out", 0755), 0);
	top = open("top", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(top, 0);
	fd = venv_fs_mkdirs_below(top, "a/b//c", &stop);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mode_of("top/a/b/c"), 0755);
	ck_assert_int_eq(fstat(fd, &got), 0);
	ck_assert_int_eq(lstat("top/a/b/c", &st), 0);
	ck_assert_msg(st.st_ino == got.st_ino && st.st_dev == got.st_dev,
		      "expected the descriptor of top/a/b/c");
	close(fd);
	/* exist_ok, and "" is the top itself. */
	fd = venv_fs_mkdirs_below(top, "a/b", NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = venv_fs_mkdirs_below(top, "", NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(count_entries("top/a/b"), 1);

	ck_assert_int_eq(symlink("../out", "top/link"), 0);
	ck_assert_int_eq(venv_fs_mkdirs_below(top, "link/x", &stop), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(stop, strlen("link"));
	ck_assert_int_eq(symlink("../../out/gone", "top/a/dangling"), 0);
	ck_assert_int_eq(venv_fs_mkdirs_below(top, "a/dangling", &stop), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(stop, strlen("a/dangling"));
	ck_assert_int_eq(count_entries("out"), 0);
	unit_put("top/a/file", "x", 0644);
	ck_assert_int_eq(venv_fs_mkdirs_below(top, "a/file/sub", &stop), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(stop, strlen("a/file"));
	ck_assert_msg(is_reg("top/a/file"), "expected the file left alone");
	ck_assert_int_eq(venv_fs_mkdirs_below(top, "a/../x", NULL), -1);
	ck_assert_int_eq(errno, EXDEV);
	ck_assert_msg(!unit_exists("top/x") && !unit_exists("x"), "expected nothing made for '..'");
	close(top);
}
END_TEST

/* ---- clear_dir / remove_tree ---- */

/*
 * A tree that exercises every kind of entry: nested directories, a
 * read-only file, links to the outside (DEL-02) and a dangling one, a
 * FIFO, a socket and a hidden file.
 */
static void make_tree(const char *base, const char *name)
{
	char p[PATH_MAX];
	struct sockaddr_un sa;
	int s;

	PATHF(p, "%s/%s", base, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/%s/pyvenv.cfg", base, name);
	unit_put(p, "home = /usr/bin\n", 0644);
	PATHF(p, "%s/%s/lib", base, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/%s/lib/python3.12", base, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/%s/lib/python3.12/site-packages", base, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	PATHF(p, "%s/%s/lib/python3.12/site-packages/mod.py", base, name);
	unit_put(p, "x = 1\n", 0444);
	PATHF(p, "%s/%s/lib64", base, name);
	ck_assert_int_eq(symlink("lib", p), 0);
	PATHF(p, "%s/%s/src", base, name);
	ck_assert_int_eq(symlink("../outside", p), 0);
	PATHF(p, "%s/%s/abs-src", base, name);
	{
		char target[PATH_MAX];

		PATHF(target, "%s/outside", base);
		ck_assert_int_eq(symlink(target, p), 0);
	}
	PATHF(p, "%s/%s/file-link", base, name);
	ck_assert_int_eq(symlink("../outside-file", p), 0);
	PATHF(p, "%s/%s/dangling", base, name);
	ck_assert_int_eq(symlink("/nonexistent/venv/target", p), 0);
	PATHF(p, "%s/%s/.hidden", base, name);
	unit_put(p, "h", 0000);
	PATHF(p, "%s/%s/fifo", base, name);
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	PATHF(p, "%s/%s/lib/empty-dir", base, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	/* Sockets need a short path: bind by a relative name from inside the tree. */
	PATHF(p, "%s/%s", base, name);
	ck_assert_int_eq(chdir(p), 0);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	PATHF(sa.sun_path, "sock");
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	ck_assert_int_eq(chdir(base), 0);
}

START_TEST(test_fs__clear_dir_keeps_outside_targets)
{
	char d[PATH_MAX], env[PATH_MAX + 8];

	test_dir(d, sizeof(d), "clear");
	make_sentinels(d);
	make_tree(d, "env");
	PATHF(env, "%s/env", d);
	ck_assert_int_eq(venv_fs_clear_dir(env), 0);
	ck_assert_msg(unit_exists(env), "expected the directory itself kept");
	ck_assert_int_eq(count_entries(env), 0);
	ck_assert_int_eq(mode_of(env), 0755);
	assert_sentinels(d);
	/* Clearing an empty directory is fine. */
	ck_assert_int_eq(venv_fs_clear_dir(env), 0);
}
END_TEST

START_TEST(test_fs__clear_dir_refuses_symlink)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "clear-link");
	make_sentinels(d);
	ck_assert_int_eq(symlink("outside", "env"), 0);
	ck_assert_int_eq(venv_fs_clear_dir("env"), VENV_EUNSAFE);
	assert_sentinels(d);
	/* DEL-03/F5: a trailing slash must not turn into "follow the link". */
	ck_assert_int_eq(venv_fs_clear_dir("env/"), VENV_EUNSAFE);
	assert_sentinels(d);
	ck_assert_int_eq(venv_fs_clear_dir("env//"), VENV_EUNSAFE);
	assert_sentinels(d);
	ck_assert_msg(is_link("env"), "expected the link itself kept");
}
END_TEST

START_TEST(test_fs__clear_dir_trailing_slash_and_errors)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "clear-slash");
	make_sentinels(d);
	make_tree(d, "env");
	ck_assert_int_eq(venv_fs_clear_dir("env/"), 0);
	ck_assert_int_eq(count_entries("env"), 0);
	assert_sentinels(d);
	ck_assert_int_eq(venv_fs_clear_dir("missing"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_fs_clear_dir("outside-file"), VENV_EUNSAFE);
	assert_sentinels(d);
}
END_TEST

/* Create depth nested directories with long names; returns nothing, asserts. */
static void make_deep(const char *top, int depth, size_t namelen)
{
	char name[256];
	int fd, i;

	ck_assert_uint_lt(namelen, sizeof(name));
	memset(name, 'n', namelen);
	name[namelen] = '\0';
	fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < depth; i++) {
		int sub;

		ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(sub, 0);
		if (i % 50 == 0) {
			int f = openat(sub, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

			ck_assert_int_ge(f, 0);
			close(f);
		}
		close(fd);
		fd = sub;
	}
	close(fd);
}

START_TEST(test_fs__clear_dir_deeper_than_path_max)
{
	char d[PATH_MAX];

	/* INS-05: 100 levels of 100-byte names is ~10 KB of path, more than PATH_MAX. */
	test_dir(d, sizeof(d), "clear-deep");
	ck_assert_int_eq(mkdir("env", 0755), 0);
	make_deep("env", 100, 100);
	ck_assert_int_eq(venv_fs_clear_dir("env"), 0);
	ck_assert_int_eq(count_entries("env"), 0);
}
END_TEST

START_TEST(test_fs__clear_dir_refuses_mount_point)
{
	char d[PATH_MAX];
	int ok;

	/*
	 * DEL-05: a file system mounted inside the tree is refused, not
	 * emptied. Mounting needs a private mount namespace; this test runs
	 * in its own process, so the namespace dies with it. Skipped where
	 * namespaces or mounts are not allowed.
	 */
	test_dir(d, sizeof(d), "clear-mount");
	ck_assert_int_eq(mkdir("env", 0755), 0);
	ck_assert_int_eq(mkdir("env/a-dir", 0755), 0);
	ck_assert_int_eq(mkdir("env/mnt", 0755), 0);
	ok = unshare(CLONE_NEWNS) == 0 ||
	     unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0;
	ok = ok && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	ok = ok && mount("venv-test", "env/mnt", "tmpfs", 0, "size=1m") == 0;
	if (!ok) {
		fprintf(stderr, "note: cannot mount a tmpfs here (%s); skipping the mount-point "
			"case\n", strerror(errno));
		return;
	}
	unit_put("env/mnt/on-other-fs", "keep", 0644);
	ck_assert_int_eq(venv_fs_clear_dir("env"), VENV_EUNSAFE);
	ck_assert_msg(strstr(venv_error_last(), "mount point") != NULL,
		      "expected a message about a mount point, saw '%s'", venv_error_last());
	assert_content("env/mnt/on-other-fs", "keep");
	ck_assert_int_eq(venv_fs_remove_tree("env"), VENV_EUNSAFE);
	assert_content("env/mnt/on-other-fs", "keep");
	ck_assert_int_eq(umount("env/mnt"), 0);
}
END_TEST

START_TEST(test_fs__remove_tree)
{
	char d[PATH_MAX], env[PATH_MAX + 8];

	test_dir(d, sizeof(d), "remove");
	make_sentinels(d);
	make_tree(d, "env");
	PATHF(env, "%s/env", d);
	ck_assert_int_eq(venv_fs_remove_tree(env), 0);
	ck_assert_msg(!unit_exists(env), "expected the tree gone");
	assert_sentinels(d);
	/* Like rm -f: nothing to remove is not an error. */
	ck_assert_int_eq(venv_fs_remove_tree(env), 0);
	/* A relative path, a plain file. */
	unit_put("plain", "x", 0444);
	ck_assert_int_eq(venv_fs_remove_tree("plain"), 0);
	ck_assert_msg(!unit_exists("plain"), "expected the file gone");
	make_tree(d, "rel");
	ck_assert_int_eq(venv_fs_remove_tree("rel"), 0);
	ck_assert_msg(!unit_exists("rel"), "expected the relative tree gone");
	assert_sentinels(d);
}
END_TEST

START_TEST(test_fs__remove_tree_symlink_removes_link_only)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "remove-link");
	make_sentinels(d);
	ck_assert_int_eq(symlink("outside", "env"), 0);
	ck_assert_int_eq(venv_fs_remove_tree("env"), 0);
	ck_assert_msg(!unit_exists("env"), "expected the link removed");
	assert_sentinels(d);
	/* DEL-03/F5: "link/" never deletes through the link. */
	ck_assert_int_eq(symlink("outside", "env2"), 0);
	venv_fs_remove_tree("env2/");
	assert_sentinels(d);
}
END_TEST

START_TEST(test_fs__remove_tree_trailing_slash)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "remove-slash");
	make_sentinels(d);
	make_tree(d, "env");
	ck_assert_int_eq(venv_fs_remove_tree("env/"), 0);
	ck_assert_msg(!unit_exists("env"), "expected 'env/' removed");
	make_tree(d, "env");
	ck_assert_int_eq(venv_fs_remove_tree("env///"), 0);
	ck_assert_msg(!unit_exists("env"), "expected 'env///' removed");
	assert_sentinels(d);
}
END_TEST

START_TEST(test_fs__remove_tree_refuses_dot_names)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "remove-dots");
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	unit_put("sub/keep", "k", 0644);
	ck_assert_int_eq(chdir("sub"), 0);
	ck_assert_msg(venv_fs_remove_tree(".") < 0, "expected '.' to be refused");
	ck_assert_msg(venv_fs_remove_tree("./") < 0, "expected './' to be refused");
	ck_assert_int_eq(chdir(d), 0);
	ck_assert_msg(venv_fs_remove_tree("sub/.") < 0, "expected 'sub/.' to be refused");
	ck_assert_msg(venv_fs_remove_tree("sub/..") < 0, "expected 'sub/..' to be refused");
	assert_content("sub/keep", "k");
}
END_TEST

START_TEST(test_fs__remove_tree_at)
{
	char d[PATH_MAX];
	int dfd;

	test_dir(d, sizeof(d), "remove-at");
	make_sentinels(d);
	make_tree(d, "env");
	dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(venv_fs_remove_tree_at(dfd, "env"), 0);
	ck_assert_int_eq(venv_fs_remove_tree_at(dfd, "env"), 0);
	close(dfd);
	ck_assert_int_eq(chdir(d), 0);
	ck_assert_msg(!unit_exists("env"), "expected the tree gone");
	assert_sentinels(d);
}
END_TEST

/* ---- copy_file ---- */

START_TEST(test_fs__copy_file)
{
	char d[PATH_MAX];
	struct vbuf want = VBUF_INIT(VBUF_MAX_RECORD), got = VBUF_INIT(VBUF_MAX_RECORD);
	int i, fd;

	test_dir(d, sizeof(d), "copy");
	/* More than one 64 KiB read, with every byte value. */
	for (i = 0; i < 200000; i++)
		ck_assert_int_eq(vbuf_addch(&want, (i * 7 + i / 256) & 0xff), 0);
	fd = open("src", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_eq(write(fd, want.buf, want.len), (ssize_t)want.len);
	close(fd);
	umask(077);
	ck_assert_int_eq(venv_fs_copy_file("src", "dst", 0755), 0);
	ck_assert_int_eq(mode_of("dst"), 0755);
	ck_assert_int_eq(venv_fs_read_file_at(&got, AT_FDCWD, "dst", VBUF_MAX_RECORD), 0);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_msg(!memcmp(got.buf, want.buf, want.len), "expected identical bytes");
	/* mode 0 means the default 0666 & ~umask. */
	umask(022);
	ck_assert_int_eq(venv_fs_copy_file("src", "dst0", 0), 0);
	ck_assert_int_eq(mode_of("dst0"), 0644);
	/* A longer existing destination is truncated. */
	unit_put("short", "tiny", 0644);
	ck_assert_int_eq(venv_fs_copy_file("short", "dst", 0644), 0);
	assert_content("dst", "tiny");
	ck_assert_int_eq(venv_fs_copy_file("missing", "dst2", 0644), VENV_ENOTFOUND);
	ck_assert_msg(!unit_exists("dst2"), "expected no destination for a missing source");
	vbuf_release(&want);
	vbuf_release(&got);
}
END_TEST

START_TEST(test_fs__copy_file_replaces_symlink_destination)
{
	char d[PATH_MAX];

	/* CRA-08: a link at the destination is replaced, never written through. */
	test_dir(d, sizeof(d), "copy-link");
	make_sentinels(d);
	unit_put("src", "fresh", 0644);
	ck_assert_int_eq(symlink("outside/keep", "dst"), 0);
	ck_assert_int_eq(venv_fs_copy_file("src", "dst", 0755), 0);
	ck_assert_msg(is_reg("dst"), "expected the link replaced by a regular file");
	assert_content("dst", "fresh");
	ck_assert_int_eq(mode_of("dst"), 0755);
	ck_assert_int_eq(symlink("/nonexistent/venv/python", "dangling"), 0);
	ck_assert_int_eq(venv_fs_copy_file("src", "dangling", 0755), 0);
	ck_assert_msg(is_reg("dangling"), "expected the dangling link replaced");
	ck_assert_int_eq(symlink("outside-file", "dst3"), 0);
	ck_assert_int_eq(venv_fs_copy_file("src", "dst3", 0), 0);
	assert_content("dst3", "fresh");
	assert_sentinels(d);
}
END_TEST

/*
 * The copy is written under a name of its own and renamed over the
 * destination: another name of the old file (repair's backup of bin/ is
 * a hard link) keeps the old bytes, and nothing else is left.
 */
START_TEST(test_fs__copy_file_replaces_not_in_place)
{
	char d[PATH_MAX];
	DIR *dir;
	struct dirent *de;
	int n = 0;

	test_dir(d, sizeof(d), "copy-replace");
	unit_put("src", "new bytes", 0644);
	unit_put("dst", "old", 0755);
	ck_assert_int_eq(link("dst", "backup"), 0);
	ck_assert_int_eq(venv_fs_copy_file("src", "dst", 0755), 0);
	assert_content("dst", "new bytes");
	assert_content("backup", "old");
	ck_assert_ptr_nonnull(dir = opendir("."));
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(test_fs__copy_file_follows_source_link)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "copy-src-link");
	unit_put("real", "through the link", 0644);
	ck_assert_int_eq(symlink("real", "src"), 0);
	ck_assert_int_eq(venv_fs_copy_file("src", "dst", 0644), 0);
	ck_assert_msg(is_reg("dst"), "expected a regular file copy");
	assert_content("dst", "through the link");
}
END_TEST

/* ---- dir_is_empty ---- */

START_TEST(test_fs__dir_is_empty)
{
	char d[PATH_MAX];

	test_dir(d, sizeof(d), "empty");
	ck_assert_int_eq(mkdir("e", 0755), 0);
	ck_assert_int_eq(venv_fs_dir_is_empty("e"), 1);
	unit_put("e/.hidden", "", 0644);
	ck_assert_int_eq(venv_fs_dir_is_empty("e"), 0);
	ck_assert_int_eq(mkdir("f", 0755), 0);
	ck_assert_int_eq(mkdir("f/sub", 0755), 0);
	ck_assert_int_eq(venv_fs_dir_is_empty("f"), 0);
	ck_assert_int_eq(venv_fs_dir_is_empty("f/sub"), 1);
	ck_assert_int_eq(venv_fs_dir_is_empty("missing"), 0);
	unit_put("file", "", 0644);
	ck_assert_int_eq(venv_fs_dir_is_empty("file"), 0);
}
END_TEST

static Suite *fs_suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fs__write_creates_with_umask);
	tcase_add_test(tc, test_fs__write_mode_is_exact);
	tcase_add_test(tc, test_fs__write_binary_and_empty);
	tcase_add_test(tc, test_fs__write_relative_to_dirfd);
	tcase_add_test(tc, test_fs__write_excl);
	tcase_add_test(tc, test_fs__write_atomic_excl);
	tcase_add_test(tc, test_fs__write_atomic_replaces);
	tcase_add_test(tc, test_fs__write_atomic_over_symlink_replaces_link);
	tcase_add_test(tc, test_fs__write_in_place_refuses_symlink);
	tcase_add_test(tc, test_fs__write_failures_leave_nothing);
	tcase_add_test(tc, test_fs__temp_name);
	tcase_add_test(tc, test_fs__read_regular);
	tcase_add_test(tc, test_fs__read_large_and_buffer_cap);
	tcase_add_test(tc, test_fs__read_refuses_symlink);
	tcase_add_test(tc, test_fs__read_refuses_fifo_without_blocking);
	tcase_add_test(tc, test_fs__read_refuses_directory_device_socket);
	tcase_add_test(tc, test_fs__mkdirs);
	tcase_add_test(tc, test_fs__mkdirs_something_in_the_way);
	tcase_add_test(tc, test_fs__mkdirs_below);
	tcase_add_test(tc, test_fs__clear_dir_keeps_outside_targets);
	tcase_add_test(tc, test_fs__clear_dir_refuses_symlink);
	tcase_add_test(tc, test_fs__clear_dir_trailing_slash_and_errors);
	tcase_add_test(tc, test_fs__clear_dir_deeper_than_path_max);
	tcase_add_test(tc, test_fs__clear_dir_refuses_mount_point);
	tcase_add_test(tc, test_fs__remove_tree);
	tcase_add_test(tc, test_fs__remove_tree_symlink_removes_link_only);
	tcase_add_test(tc, test_fs__remove_tree_trailing_slash);
	tcase_add_test(tc, test_fs__remove_tree_refuses_dot_names);
	tcase_add_test(tc, test_fs__remove_tree_at);
	tcase_add_test(tc, test_fs__copy_file);
	tcase_add_test(tc, test_fs__copy_file_replaces_symlink_destination);
	tcase_add_test(tc, test_fs__copy_file_replaces_not_in_place);
	tcase_add_test(tc, test_fs__copy_file_follows_source_link);
	tcase_add_test(tc, test_fs__dir_is_empty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests chdir, change the umask and unshare namespaces: one process each. */
	return unit_run_forked(fs_suite());
}
