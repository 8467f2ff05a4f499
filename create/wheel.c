#include "compat.h"
#include <time.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * See wheel.h for the two steps. Everything below dirfd/treefd is reached
 * through directory handles opened with O_NOFOLLOW, one component at a
 * time, and files are created with O_EXCL|O_NOFOLLOW after removing what
 * was in the way: a symbolic link planted anywhere below the roots is
 * refused, never followed (security.md WHL-01, WHL-02, CRA-10).
 */

void venv_wheel_release(struct venv_wheel *w)
{
	size_t i;

	free(w->name);
	free(w->version);
	free(w->dist_info);
	free(w->data_dir);
	for (i = 0; i < w->nfiles; i++)
		free(w->files[i].path);
	free(w->files);
	memset(w, 0, sizeof(*w));
}

char *venv_wheel__strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int venv_wheel__oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

/* ---- names ---- */

int venv_wheel_check_name(const char *name, int *is_dir)
{
	size_t len = strlen(name), i, start = 0, depth = 0;

	*is_dir = 0;
	if (!len)
		return venv_error_set(VENV_EUNSAFE, "the wheel has an entry with an empty name");
	if (len > VENV_WHEEL_MAX_NAME)
		return venv_error_set(VENV_EUNSAFE, "the wheel entry '%.64s...' has a name longer "
				      "than %d bytes", name, VENV_WHEEL_MAX_NAME);
	if (!venv_utf8_valid(name, len))
		return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has a name that is not "
				      "valid UTF-8", name);
	if (name[0] == '/')
		return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is an absolute path", name);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '\\')
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' contains a "
					      "backslash", name);
		/* Drive letters ("C:") and anything else a colon could mean elsewhere. */
		if (c == ':')
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' contains a colon",
					      name);
		if (c < 0x20 || c == 0x7f)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' contains a "
					      "control character", name);
	}
	if (name[len - 1] == '/') {
		*is_dir = 1;
		len--;
	}
	/* Component by component: never a string-prefix test (WHL-02). */
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (i == start)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has an empty "
					      "path component", name);
		if ((i - start == 1 && name[start] == '.') ||
		    (i - start == 2 && name[start] == '.' && name[start + 1] == '.'))
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has a '.' or '..' "
					      "component", name);
		if (i - start > 255)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has a component "
					      "longer than 255 bytes", name);
		if (++depth > VENV_WHEEL_MAX_DEPTH)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is nested more "
					      "than %d levels deep", name, VENV_WHEEL_MAX_DEPTH);
		start = i + 1;
	}
	return 0;
}

/* The value of a lower-case hex digit, or -1. */
int venv_wheel__hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* PEP 503 normalisation, enough to compare a file name with a .dist-info name. */
void venv_wheel__normalize_name(char *out, size_t cap, const char *s, size_t len)
{
	size_t o = 0, i;
	int sep = 0;

	for (i = 0; i < len && o + 1 < cap; i++) {
		char c = s[i];

		if (c == '-' || c == '_' || c == '.') {
			sep = 1;
			continue;
		}
		if (sep && o + 2 < cap)
			out[o++] = '-';
		sep = 0;
		out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	out[o] = '\0';
}

/* ---- directory handles ---- */


void venv_ds_init(struct venv_dirstack *ds, int root, const char *what)
{
	ds->root = root;
	ds->what = what;
	ds->depth = 0;
	ds->cur[0] = '\0';
}

void venv_ds_pop_to(struct venv_dirstack *ds, size_t depth)
{
	while (ds->depth > depth)
		close(ds->fd[--ds->depth]);
}

int venv_ds_top(const struct venv_dirstack *ds)
{
	return ds->depth ? ds->fd[ds->depth - 1] : ds->root;
}

/* Make the directory dir[0..len) (relative to the root, "" = root) current. */
int venv_ds_enter(struct venv_dirstack *ds, const char *dir, size_t len, int create)
{
	size_t keep = 0, pos;

	if (len > VENV_WHEEL_MAX_NAME)
		return venv_error_set(VENV_EUNSAFE, "path too long below '%s'", ds->what);
	while (keep < ds->depth) {
		size_t e = ds->end[keep];

		if (e <= len && !memcmp(ds->cur, dir, e) && (e == len || dir[e] == '/'))
			keep++;
		else
			break;
	}
	venv_ds_pop_to(ds, keep);
	pos = keep ? ds->end[keep - 1] + 1 : 0;
	memcpy(ds->cur, dir, len);
	ds->cur[len] = '\0';
	while (pos < len) {
		const char *slash = memchr(dir + pos, '/', len - pos);
		size_t clen = slash ? (size_t)(slash - (dir + pos)) : len - pos;
		char comp[256];
		int fd, parent = venv_ds_top(ds);

		if (clen == 0 || clen >= sizeof(comp) || ds->depth >= VENV_DS_MAX)
			return venv_error_set(VENV_EUNSAFE, "bad path '%.*s' below '%s'",
					      (int)len, dir, ds->what);
		memcpy(comp, dir + pos, clen);
		comp[clen] = '\0';
		if (create && mkdirat(parent, comp, 0777) < 0 && errno != EEXIST)
			return venv_error_set_errno(venv_error_from_errno(errno),
						    "cannot create directory '%.*s' in '%s'",
						    (int)(pos + clen), dir, ds->what);
		fd = openat(parent, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				return venv_error_set(VENV_EUNSAFE, "refusing to write below '%.*s' "
						      "in '%s': it is a symbolic link or not a "
						      "directory", (int)(pos + clen), dir, ds->what);
			return venv_error_set_errno(venv_error_from_errno(errno),
						    "cannot open directory '%.*s' in '%s'",
						    (int)(pos + clen), dir, ds->what);
		}
		ds->fd[ds->depth] = fd;
		ds->end[ds->depth] = pos + clen;
		ds->depth++;
		pos += clen + 1;
	}
	return 0;
}

/* Enter the parent directory of path; *base gets the last component. */
int venv_ds_enter_parent(struct venv_dirstack *ds, const char *path, int create, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	return venv_ds_enter(ds, path, slash ? (size_t)(slash - path) : 0, create);
}

/* ---- small file helpers ---- */

/*
 * Create `name` in dirfd afresh: whatever is there is unlinked (a link is
 * removed, never followed), then the file is created exclusively. The mode
 * goes through the umask, as pip's files do; `exec` adds the execute bits
 * afterwards the way pip and distlib do.
 */

int venv_wheel__create_fresh(int dirfd, const char *name, int kind, const char *what)
{
	struct stat st;
	int fd, tries;

	/*
	 * Created exclusively; what is in the way (a file, a link) is removed
	 * first only when there is something: most installs are into a fresh
	 * directory, where an unlink before each create is a system call
	 * that fails (ENOENT) a thousand times for pip alone.
	 */
	for (tries = 0; ; tries++) {
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    kind == MODE_EXEC_PIP ? 0777 : 0666);
		if (fd >= 0 || errno != EEXIST || tries)
			break;
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
			if (errno == EISDIR || errno == EPERM)
				return venv_error_set(VENV_EEXISTS, "cannot install '%s' in '%s': a "
						      "directory is in the way", name, what);
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot "
						    "replace '%s' in '%s'", name, what);
		}
	}
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s' "
					    "in '%s'", name, what);
	if (kind != MODE_FILE) {
		mode_t want;

		if (fstat(fd, &st) < 0) {
			close(fd);
			return venv_error_set_errno(VENV_EIO, "cannot stat '%s'", name);
		}
		/* pip: 0777 & ~umask | 0111; distlib's scripts: mode | 0555. */
		want = (st.st_mode & 07777) | (kind == MODE_EXEC_PIP ? 0111 : 0555);
		if (want != (st.st_mode & 07777) && fchmod(fd, want) < 0) {
			close(fd);
			return venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", name);
		}
	}
	return fd;
}

int venv_wheel__write_fresh(int dirfd, const char *name, const void *data, size_t len, int kind,
		       const char *what)
{
	int fd = venv_wheel__create_fresh(dirfd, name, kind, what), error = 0;

	if (fd < 0)
		return fd;
	if (venv_fs_write_all(fd, data, len) < 0)
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot write '%s' "
					     "in '%s'", name, what);
	if (close(fd) < 0 && !error)
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s' in '%s'", name, what);
	return error;
}

/* Read a member of an unpacked tree (never through a link). */
int venv_wheel__read_member(struct vbuf *out, int treefd, const char *path, size_t cap)
{
	struct venv_dirstack ds;
	const char *base;
	int error;

	venv_ds_init(&ds, treefd, "the unpacked wheel");
	if ((error = venv_ds_enter_parent(&ds, path, 0, &base)) >= 0)
		error = venv_fs_read_file_at(out, venv_ds_top(&ds), base, cap);
	venv_ds_pop_to(&ds, 0);
	return error;
}

int venv_wheel_hash_fd(int fd, unsigned char out[VENV_SHA256_LEN])
{
	struct venv_sha256 c = { NULL, 0 };
	char *buf = malloc(VENV_WHEEL_COPY_CHUNK);

	int error;

	if (!buf)
		return venv_wheel__oom();
	if ((error = venv_sha256_init(&c)) < 0)
		goto done;
	for (;;) {
		ssize_t n = read(fd, buf, VENV_WHEEL_COPY_CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = venv_error_set_errno(VENV_EIO, "cannot read the wheel");
			goto done;
		}
		if (n == 0)
			break;
		if ((error = venv_sha256_update(&c, buf, (size_t)n)) < 0)
			goto done;
	}
	error = venv_sha256_final(&c, out);
done:
	venv_sha256_release(&c);
	free(buf);
	return error;
}
