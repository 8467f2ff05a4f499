#include "compat.h"
#include <dirent.h>
#include "array.h"
#include "error.h"
#include "inspect.h"
#include "log.h"

/* Directories nest deeper than this only in hostile trees. */
#define DISCOVER_MAX_DEPTH 128
#define DISCOVER_MAX_NAMES 1000000

struct discover {
	unsigned flags;
	dev_t dev;
	venv_discover_found_fn found;
	venv_discover_problem_fn problem;
	void *payload;
	struct vbuf path;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void problem(struct discover *d, const char *fmt, ...) VENV_PRINTF(2, 3);

/* The common formatter's callback, as the caller's problem callback (with the path). */
static void problem_at(void *payload, enum venv_log_level level, const char *msg)
{
	struct discover *d = payload;

	(void)level;
	d->problem(d->payload, d->path.buf, msg);
}

static void problem(struct discover *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	venv_vlogf(d->problem ? problem_at : NULL, d, VENV_LOG_WARNING, fmt, ap);
	va_end(ap);
}

static int has(char **names, size_t n, const char *name)
{
	return n && bsearch(&name, names, n, sizeof(*names), cmp_names) != NULL;
}

/*
 * A directory without pyvenv.cfg still counts when it has bin/activate, or
 * a Python in bin/ and lib/pythonX.Y/site-packages without the standard
 * library next to it (which would make it a Python installation).
 */
static int looks_like_env(int root)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, python = 0, site = 0, stdlib = 0;

	if (fstatat(root, "bin/activate", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		return 1;
	fd = openat(root, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) && !python)
		python = !strncmp(de->d_name, "python", 6);
	closedir(d);
	if (!python)
		return 0;
	fd = openat(root, "lib", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		char p[300];

		if (strncmp(de->d_name, "python", 6))
			continue;
		snprintf(p, sizeof(p), "%.200s/site-packages", de->d_name);
		if (fstatat(dirfd(d), p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			site = 1;
		snprintf(p, sizeof(p), "%.200s/os.py", de->d_name);
		if (fstatat(dirfd(d), p, &st, AT_SYMLINK_NOFOLLOW) == 0)
			stdlib = 1;
	}
	closedir(d);
	return site && !stdlib;
}

static int search(struct discover *d, int fd, int depth)
{
	char **names = NULL;
	size_t n = 0, alloc = 0, i, base_len = d->path.len;
	DIR *dir = NULL;
	struct dirent *de;
	int dupfd, error = 0;

	if ((dupfd = dup(fd)) < 0 || !(dir = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		problem(d, "cannot list directory: %s", strerror(errno));
		return 0;
	}
	errno = 0;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == DISCOVER_MAX_NAMES) {
			problem(d, "more than %d entries; the rest were not searched",
				DISCOVER_MAX_NAMES);
			break;
		}
		if ((error = VENV_ARRAY_GROW(names, alloc, n + 1, 32)) < 0)
			goto done;
		if (!(names[n] = strdup(de->d_name))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	closedir(dir);
	dir = NULL;
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);

	/* pyvenv.cfg, or the marker of a creation venv create did not finish. */
	if (has(names, n, "pyvenv.cfg") || has(names, n, ".venv-incomplete") ||
	    (has(names, n, "bin") && has(names, n, "lib") && looks_like_env(fd))) {
		error = d->found(d->payload, d->path.buf, fd);
		goto done;
	}
	for (i = 0; i < n && error >= 0; i++) {
		struct stat st;
		int child;

		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		/*
		 * .NAME.venv-trash: what an upgrade of NAME no longer needs, being
		 * deleted (repair/trash.c). Its backup of bin/ and pyvenv.cfg is
		 * no environment to report.
		 */
		if (names[i][0] == '.' && strlen(names[i]) > sizeof(VENV_MODEL_TRASH_SUFFIX) - 1 &&
		    !strcmp(names[i] + strlen(names[i]) - (sizeof(VENV_MODEL_TRASH_SUFFIX) - 1),
			    VENV_MODEL_TRASH_SUFFIX))
			continue;
		if (st.st_dev != d->dev && !(d->flags & VENV_CHECK_CROSS_DEVICES))
			continue;
		vbuf_setlen(&d->path, base_len);
		if ((base_len && d->path.buf[base_len - 1] != '/' && vbuf_addch(&d->path, '/') < 0) ||
		    vbuf_adds(&d->path, names[i]) < 0) {
			vbuf_setlen(&d->path, base_len);
			problem(d, "path too long; '%s' not searched", names[i]);
			continue;
		}
		if (depth + 1 > DISCOVER_MAX_DEPTH) {
			problem(d, "nested deeper than %d levels; not searched", DISCOVER_MAX_DEPTH);
			continue;
		}
		child = openat(fd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (child < 0) {
			problem(d, "cannot open directory: %s", strerror(errno));
			continue;
		}
		error = search(d, child, depth + 1);
		close(child);
	}
	vbuf_setlen(&d->path, base_len);
done:
	if (dir)
		closedir(dir);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return error;
}

int venv_discover(const char *root, unsigned flags, venv_discover_found_fn found,
		  venv_discover_problem_fn problem_fn, void *payload)
{
	struct discover d;
	struct stat st;
	int fd, error;

	memset(&d, 0, sizeof(d));
	d.flags = flags;
	d.found = found;
	d.problem = problem_fn;
	d.payload = payload;
	vbuf_init(&d.path, VBUF_MAX_PATH);
	/* The root itself may be reached through a link: the user named it. */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", root);
	if (fstat(fd, &st) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", root);
		goto done;
	}
	d.dev = st.st_dev;
	if ((error = vbuf_adds(&d.path, root)) < 0)
		goto done;
	while (d.path.len > 1 && d.path.buf[d.path.len - 1] == '/')
		vbuf_setlen(&d.path, d.path.len - 1);
	error = search(&d, fd, 0);
done:
	close(fd);
	vbuf_release(&d.path);
	return error;
}
