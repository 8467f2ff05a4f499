#ifndef VENV_UNIT_H
#define VENV_UNIT_H

/*
 * Helpers shared by the Check unit tests (included after compat.h, check.h
 * and vbuf.h): a checked path formatter, a private temporary tree per test
 * file, a remover for it, and a way to compare our results with Python's.
 *
 * The remover works through directory handles and never follows a symlink,
 * so a test that plants links to outside cannot make its own cleanup escape;
 * it makes directories writable first, so that tests of read-only trees
 * clean up too.
 */
#include <dirent.h>
#include <sys/wait.h>

#define PATHF(buf, ...) \
	ck_assert_msg(snprintf((buf), sizeof(buf), __VA_ARGS__) < (int)sizeof(buf), \
		      "path too long for %s", #buf)

static inline void rm_rf_at(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		int fd;
		DIR *d;
		struct dirent *de;

		if (fchmodat(dfd, name, 0700, 0) < 0) {
			/* Best effort: the removal below may still work. */
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
			while ((de = readdir(d)) != NULL)
				if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
					rm_rf_at(dirfd(d), de->d_name);
			closedir(d);
		} else if (fd >= 0) {
			close(fd);
		}
		unlinkat(dfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dfd, name, 0);
	}
}

/* Make a fresh directory $TMPDIR/venv-unit-TAG-XXXXXX in root (PATH_MAX bytes). */
static inline void unit_tmp_make(char *root, size_t n, const char *tag)
{
	const char *t = getenv("TMPDIR");

	if (snprintf(root, n, "%s/venv-unit-%s-XXXXXX", t && *t ? t : "/tmp", tag) >= (int)n ||
	    !mkdtemp(root)) {
		perror("mkdtemp");
		abort();
	}
}

/*
 * Define tmp_root, and tmp_setup()/tmp_teardown() for an unchecked fixture
 * that runs in the parent process, once around the tests of a case.
 */
#define UNIT_TMPDIR(tag) \
	static char tmp_root[PATH_MAX]; \
	static void tmp_setup(void) { unit_tmp_make(tmp_root, sizeof(tmp_root), tag); } \
	static void tmp_teardown(void) { rm_rf_at(AT_FDCWD, tmp_root); }

static inline void unit_put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "cannot create '%s': %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/*
 * Map every NUL-terminated string of inputs through the Python expression
 * func (a function of one str), run by `python3 -I` with the given imports
 * and decoding error handler, and put the NUL-terminated results in out.
 * Returns -1 (after a note on stderr) when python3 cannot be run, so that
 * the caller can skip the comparison.
 */
static inline int unit_py_map(const char *root, const char *imports, const char *errors,
			      const char *func, const struct vbuf *inputs, struct vbuf *out)
{
	char dir[PATH_MAX], in[PATH_MAX + 16], script[PATH_MAX + 16], res[PATH_MAX + 16];
	struct vbuf code = VBUF_INIT(VBUF_MAX_SCRIPT);
	int fd, status = 0;
	pid_t pid;
	ssize_t n;
	char chunk[8192];

	PATHF(dir, "%s/py-XXXXXX", root);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	PATHF(in, "%s/in", dir);
	PATHF(script, "%s/map.py", dir);
	PATHF(res, "%s/out", dir);
	unit_put_file(in, inputs->buf, inputs->len);
	ck_assert_int_eq(vbuf_addf(&code,
		"import %s\n"
		"f = %s\n"
		"d = open(sys.argv[1], 'rb').read().split(b'\\0')[:-1]\n"
		"r = [f(x.decode('utf-8', '%s')).encode('utf-8', '%s') for x in d]\n"
		"open(sys.argv[2], 'wb').write(b''.join(x + b'\\0' for x in r))\n",
		imports, func, errors, errors), 0);
	unit_put_file(script, code.buf, code.len);
	vbuf_release(&code);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execlp("python3", "python3", "-I", script, in, res, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "note: python3 could not be run (status %d); "
			"skipping the comparison with Python\n", status);
		return -1;
	}
	fd = open(res, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	vbuf_reset(out);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(vbuf_add(out, chunk, (size_t)n), 0);
	close(fd);
	return 0;
}

#endif
