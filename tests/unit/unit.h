#ifndef VENV_UNIT_H
#define VENV_UNIT_H

/*
 * Helpers shared by the Check unit tests (included after compat.h, check.h
 * and vbuf.h): a checked path formatter, a private temporary tree per test
 * file, a remover for it, small file makers, the real interpreters of this
 * machine, a way to compare our results with Python's, and the runner of
 * a suite whose tests each need a process of their own.
 *
 * The remover works through directory handles and never follows a symlink,
 * so a test that plants links to outside cannot make its own cleanup escape;
 * it makes directories writable first, so that tests of read-only trees
 * clean up too.
 */
#include <dirent.h>
#include <sys/wait.h>
#include "pyinfo.h"

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

/* A fresh directory root/name (out has n bytes). */
static inline void unit_dir(char *out, size_t n, const char *root, const char *name)
{
	ck_assert_msg(snprintf(out, n, "%s/%s", root, name) < (int)n, "path too long");
	ck_assert_msg(mkdir(out, 0755) == 0, "cannot create '%s': %s", out, strerror(errno));
}

/*
 * Write text to path (created or truncated) and give it mode. A symbolic
 * link in its place fails the test rather than being written through, so
 * that a test cannot write outside its tree by mistake.
 */
static inline void unit_put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	ck_assert_msg(fd >= 0, "cannot create '%s': %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* Whether anything (a dangling link too) is at path. */
static inline int unit_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * Real CPython interpreters, found the way tests/cli/lib.sh's find_pythons
 * does: pyenv's 3.8+ versions under $PYENV_ROOT or ~/.pyenv, else python3
 * on PATH. Tests that need one are skipped when there is none.
 */
struct unit_py {
	char path[PATH_MAX];
	char version[64]; /* the pyenv version directory name, or "" */
	int minor;        /* -1 when unknown */
};

static inline void unit_pyenv_root(char *out, size_t n)
{
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");

	if (root && *root)
		ck_assert_int_lt(snprintf(out, n, "%s", root), (int)n);
	else if (home && *home)
		ck_assert_int_lt(snprintf(out, n, "%s/.pyenv", home), (int)n);
	else
		out[0] = '\0';
}

/* Parse "3.N" or "3.N.x..." into N; -1 when the name is not a plain 3.x version. */
static inline int unit_minor_of(const char *name)
{
	char *end;
	long minor;
	const char *p;

	if (strncmp(name, "3.", 2))
		return -1;
	for (p = name; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
	minor = strtol(name + 2, &end, 10);
	if (end == name + 2 || (*end && *end != '.'))
		return -1;
	return (int)minor;
}

/*
 * The real CPython 3.8+ interpreters of this machine, one per minor
 * version (the newest patch release), oldest first; or python3 from PATH
 * when pyenv has none. Returns how many were found.
 */
static inline size_t unit_find_pythons(struct unit_py *out, size_t max)
{
	char root[PATH_MAX], vdir[PATH_MAX + 16];
	struct dirent *de;
	size_t n = 0, i, j;
	DIR *d;

	unit_pyenv_root(root, sizeof(root));
	PATHF(vdir, "%s/versions", root);
	if (root[0] && (d = opendir(vdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			int minor = unit_minor_of(de->d_name);
			char path[PATH_MAX];

			if (minor < 8 || strlen(de->d_name) >= sizeof(out->version))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s/bin/python3.%d", vdir, de->d_name,
				     minor) >= (int)sizeof(path) || access(path, X_OK))
				continue;
			for (i = 0; i < n && out[i].minor != minor; i++)
				;
			if (i < n) {
				if (strverscmp(de->d_name, out[i].version) <= 0)
					continue;
			} else if (n < max) {
				n++;
			} else {
				continue;
			}
			out[i].minor = minor;
			snprintf(out[i].version, sizeof(out[i].version), "%s", de->d_name);
			snprintf(out[i].path, sizeof(out[i].path), "%s", path);
		}
		closedir(d);
	}
	if (!n && max) {
		struct vbuf found = VBUF_INIT(VBUF_MAX_PATH);

		if (venv_python_find(&found, "python3") == 0 && found.len < sizeof(out->path)) {
			snprintf(out[0].path, sizeof(out[0].path), "%s", found.buf);
			out[0].version[0] = '\0';
			out[0].minor = -1;
			n = 1;
		}
		vbuf_release(&found);
	}
	/* Oldest first. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1].minor > out[j].minor; j--) {
			struct unit_py t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* Fill pys (an array) with unit_find_pythons, or return from the test when there is none. */
#define UNIT_NEED_PYTHONS(pys, n) \
	do { \
		(n) = unit_find_pythons((pys), VENV_ARRAY_SIZE(pys)); \
		if (!(n)) { \
			fprintf(stderr, "note: no Python interpreter found; skipping %s\n", __func__); \
			return; \
		} \
	} while (0)

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

/*
 * Run a suite with every test in a process of its own (whatever CK_FORK
 * says), for tests that change the environment, the working directory or
 * other state of the process; the exit status of main.
 */
static inline int unit_run_forked(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
