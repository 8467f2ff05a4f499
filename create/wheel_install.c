#include "compat.h"
#include <time.h>
#include "array.h"
#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/fs.h>
#endif
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * Installing an unpacked wheel into an environment (step 2 of wheel.h):
 * scheme directories, files placed by copy, reflink, link or rename,
 * console scripts, INSTALLER, REQUESTED and RECORD.
 */

/* ---- install ---- */

struct record_row {
	char *path;
	char hash[8 + VENV_SHA256_B64_LEN + 1];
	char size[24];
};

struct record_rows {
	struct record_row *v;
	size_t n, alloc;
};

static void rows_release(struct record_rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int rows_add(struct record_rows *r, const char *path, const unsigned char *sha,
		    uint64_t size)
{
	struct record_row *row;

	if (VENV_ARRAY_GROW(r->v, r->alloc, r->n + 1, 256) < 0)
		return venv_wheel__oom();
	row = &r->v[r->n];
	if (!(row->path = strdup(path)))
		return venv_wheel__oom();
	row->hash[0] = row->size[0] = '\0';
	if (sha) {
		char b64[VENV_SHA256_B64_LEN + 1];

		venv_sha256_b64(sha, b64);
		snprintf(row->hash, sizeof(row->hash), "sha256=%s", b64);
		snprintf(row->size, sizeof(row->size), "%llu", (unsigned long long)size);
	}
	r->n++;
	return 0;
}

/* pip sorts the rows as tuples of strings. */
static int cmp_row(const void *a, const void *b)
{
	const struct record_row *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (!c)
		c = strcmp(x->hash, y->hash);
	if (!c)
		c = strcmp(x->size, y->size);
	return c;
}

/* Copy `size` bytes; the kernel does it when it can. */
/*
 * Make `out` (new and empty) a reflink of `in`: the two share extents until
 * either is written, when the file system copies what changes, so nothing
 * written through one is seen through the other. 0, or -1 with errno
 * (EOPNOTSUPP, EXDEV, EINVAL, ENOTTY... where the file system cannot).
 */
static int clone_file(int in, int out)
{
#if defined(__linux__) && defined(FICLONE)
	return ioctl(out, FICLONE, in);
#else
	(void)in;
	(void)out;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

static int clone_unsupported(int err)
{
	return err == EOPNOTSUPP || err == ENOTTY || err == EXDEV || err == EINVAL ||
	       err == ENOSYS || err == EPERM || err == EBADF;
}

/*
 * Copy `size` bytes: a reflink where *clone_ok and the file system has
 * them (then clear *clone_ok if it has not), else copy_file_range(), else
 * read and write.
 */
static int copy_data(int in, int out, uint64_t size, const char *name, int *clone_ok)
{
	uint64_t left = size;
	char *buf = NULL;
	int error = 0;

	if (*clone_ok && size) {
		if (clone_file(in, out) == 0)
			return 0;
		if (!clone_unsupported(errno))
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot copy '%s'",
						    name);
		*clone_ok = 0;
	}
#ifdef __linux__
	while (left) {
		ssize_t n = copy_file_range(in, NULL, out, NULL,
					    left > (1u << 30) ? (size_t)1 << 30 : (size_t)left, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == EPERM))
			break;
		if (n < 0)
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot copy '%s'",
						    name);
		if (n == 0)
			return venv_error_set(VENV_EIO, "'%s' changed while it was copied", name);
		left -= (uint64_t)n;
	}
	if (!left)
		return 0;
#endif
	if (!(buf = malloc(VENV_WHEEL_COPY_CHUNK)))
		return venv_wheel__oom();
	while (left) {
		ssize_t n = read(in, buf, left < VENV_WHEEL_COPY_CHUNK ? (size_t)left : VENV_WHEEL_COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = n < 0 ? venv_error_set_errno(VENV_EIO, "cannot read '%s'", name) :
				venv_error_set(VENV_EIO, "'%s' changed while it was copied", name);
			break;
		}
		if (venv_fs_write_all(out, buf, (size_t)n) < 0) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot write "
						     "'%s'", name);
			break;
		}
		left -= (uint64_t)n;
	}
	free(buf);
	return error;
}

/*
 * Does the tree's file still look as it did when it was unpacked? A file
 * that does not is reported as VENV_ENOTFOUND: the tree is damaged.
 */
static int check_tree_file(const struct stat *st, const struct venv_wheel *w,
			   const struct venv_wheel_file *f)
{
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size != f->size ||
	    (w->mtime && ((st->st_mode & 07777) != (f->executable ? 0755u : 0644u) ||
			  (int64_t)st->st_mtim.tv_sec != w->mtime || st->st_mtim.tv_nsec)))
		return venv_error_set(VENV_ENOTFOUND, "'%s' in the unpacked wheel has changed "
				      "since it was unpacked", f->path);
	return 0;
}

/* What place_file() learnt about the file systems, for the next files. */
struct place_state {
	int link_ok;   /* hard links work (drops to 0 after EXDEV, EPERM...) */
	int clone_ok;  /* reflinks may work (drops to 0 when one fails) */
};

static int link_file(int sdir, const char *sname, int ddir, const char *dname,
		     const struct venv_wheel *w, const struct venv_wheel_file *f,
		     struct place_state *ps, const char *what)
{
	struct stat st;
	int tries, error;

	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return venv_error_set_errno(VENV_ENOTFOUND, "cannot find '%s' in the "
					    "unpacked wheel", f->path);
	if ((error = check_tree_file(&st, w, f)) < 0)
		return error;
	for (tries = 0; tries < 2; tries++) {
		if (linkat(sdir, sname, ddir, dname, 0) == 0)
			return 0;
		if (errno != EEXIST)
			break;
		/* Replace what is in the way; a directory stays an error. */
		if (unlinkat(ddir, dname, 0) < 0 && errno != ENOENT)
			return venv_error_set(VENV_EEXISTS, "cannot install '%s' in '%s': "
					      "something is in the way", dname, what);
	}
	if (errno == EXDEV || errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS)
		ps->link_ok = 0;
	else if (errno != EMLINK)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot link "
					    "'%s' into '%s'", f->path, what);
	return 1; /* copy it instead */
}

/*
 * Put one file of the tree at its destination: a hard link with
 * VENV_WHEEL_LINK (with VENV_WHEEL_AUTO, only where reflinks do not work),
 * a rename with VENV_WHEEL_MOVE, else a copy (a reflink where possible).
 */
static int place_file(int sdir, const char *sname, int ddir, const char *dname,
		      const struct venv_wheel *w, const struct venv_wheel_file *f,
		      unsigned flags, struct place_state *ps, const char *what)
{
	struct stat st;
	int in = -1, out = -1, error = 0;

	if ((flags & VENV_WHEEL_LINK) && ps->link_ok &&
	    !((flags & VENV_WHEEL_AUTO) && ps->clone_ok)) {
		if ((error = link_file(sdir, sname, ddir, dname, w, f, ps, what)) <= 0)
			return error;
		/* Fall back to a copy. */
	}
	if (flags & VENV_WHEEL_MOVE) {
		if (renameat(sdir, sname, ddir, dname) == 0)
			return 0;
		if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
			return venv_error_set(VENV_EEXISTS, "cannot install '%s' in '%s': a "
					      "directory is in the way", dname, what);
		if (errno != EXDEV)
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot move "
						    "'%s' into '%s'", f->path, what);
	}
	in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (in < 0) {
		error = venv_error_set_errno(VENV_ENOTFOUND, "cannot open '%s' in the unpacked "
					     "wheel", f->path);
		goto done;
	}
	/* The cache is ours, but a file that changed is not what RECORD says. */
	if (fstat(in, &st) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", f->path);
		goto done;
	}
	if ((error = check_tree_file(&st, w, f)) < 0)
		goto done;
	out = venv_wheel__create_fresh(ddir, dname, f->executable ? MODE_EXEC_PIP : MODE_FILE, what);
	if (out < 0) {
		error = out;
		goto done;
	}
	if ((flags & VENV_WHEEL_LINK) && (flags & VENV_WHEEL_AUTO) && ps->clone_ok &&
	    ps->link_ok) {
		/* Auto: a reflink, or if this file system has none, a hard link. */
		if (f->size == 0 || clone_file(in, out) == 0)
			goto done;
		if (!clone_unsupported(errno)) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot copy "
						     "'%s'", f->path);
			goto done;
		}
		ps->clone_ok = 0;
		close(out);
		out = -1;
		if ((error = link_file(sdir, sname, ddir, dname, w, f, ps, what)) <= 0)
			goto done;
		out = venv_wheel__create_fresh(ddir, dname, f->executable ? MODE_EXEC_PIP : MODE_FILE, what);
		if (out < 0) {
			error = out;
			goto done;
		}
	}
	error = copy_data(in, out, f->size, f->path, &ps->clone_ok);
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !error)
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s' in '%s'", dname, what);
	return error;
}

/*
 * A file of .data/scripts: pip rewrites a "#!python" first line to run the
 * environment's interpreter. We use the console scripts' shebang rules for
 * it, so that long paths and paths with blanks work too.
 */
static int place_script(int sdir, const char *sname, int ddir, const char *dname,
			const struct venv_wheel_file *f, const char *python, const char *what,
			unsigned char *sha, uint64_t *size)
{
	struct vbuf in = VBUF_INIT(VBUF_MAX_SCRIPT), out = VBUF_INIT(VBUF_MAX_SCRIPT + 4096);
	size_t header;
	int error;

	if ((error = venv_fs_read_file_at(&in, sdir, sname, VBUF_MAX_SCRIPT)) < 0)
		goto done;
	if ((header = venv_shebang_placeholder(in.buf, in.len)) > 0)
		error = venv_shebang_rewrite(&out, in.buf, in.len, header, python, NULL);
	else
		error = vbuf_add(&out, in.buf, in.len);
	if (error < 0)
		goto done;
	(void)f;
	if ((error = venv_wheel__write_fresh(ddir, dname, out.buf, out.len, MODE_EXEC_PIP, what)) == 0)
		error = venv_sha256(out.buf, out.len, sha);
	*size = out.len;
done:
	vbuf_release(&in);
	vbuf_release(&out);
	return error;
}

static int record_path(struct vbuf *out, const char *root, const char *rel, const char *lib_dir)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (!strcmp(root, lib_dir))
		return vbuf_sets(out, rel);
	if ((error = venv_path_join(&abs, root, rel)) >= 0)
		error = venv_path_relative(out, abs.buf, lib_dir);
	vbuf_release(&abs);
	return error;
}

/*
 * A root of the target (site-packages, bin/, a headers directory), made if
 * missing and opened. One below the environment's directory (t->data) is
 * made and opened from it by handles: a directory swapped for a link after
 * create made it is refused (ELOOP), never followed out of the
 * environment, as pip's files and console scripts were. Another (an
 * extended builder's scheme elsewhere) is made by path.
 */
/*
 * A directory below t->data (the tree the wheel is installed into), opened
 * from t->data by handles, so that a link swapped in on the way is never
 * followed: made where missing when `make`. -2 when path is not below
 * t->data; -1 with errno on failure.
 */
static int open_below_data(const struct venv_wheel_target *t, const char *path, int make)
{
	size_t n = t->data ? strlen(t->data) : 0;
	const char *rel;
	int fd, top, err;

	if (!n || strncmp(path, t->data, n) || path[n] != '/')
		return -2;
	for (rel = path + n; *rel == '/'; rel++)
		;
	top = open(t->data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0)
		return -1;
	fd = make ? venv_fs_mkdirs_below(top, rel, NULL) : venv_fs_open_below(top, rel, NULL);
	err = errno;
	close(top);
	errno = err;
	return fd;
}

static int open_root(const struct venv_wheel_target *t, const char *path)
{
	int fd = open_below_data(t, path, 1), error;

	if (fd >= 0)
		return fd;
	if (fd == -1)
		return venv_error_set_errno(errno == ELOOP ? VENV_EUNSAFE :
					    venv_error_from_errno(errno), "cannot open '%s'%s", path,
					    errno == ELOOP ? " (a symbolic link is in the way)" : "");
	if ((error = venv_fs_mkdirs(path)) < 0)
		return error;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", path);
	return fd;
}


/* The entry points of the unpacked wheel (none when it has no entry_points.txt). */
static int read_entry_points(const struct venv_wheel *w, int treefd,
			     const struct venv_wheel_target *t, struct venv_entry_point **eps,
			     size_t *neps)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_CFG), rel = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	*eps = NULL;
	*neps = 0;
	if ((error = vbuf_addf(&rel, "%s/entry_points.txt", w->dist_info)) < 0 ||
	    !venv_wheel__find_file(w, rel.buf))
		goto done;
	if ((error = venv_wheel__read_member(&text, treefd, rel.buf, VBUF_MAX_CFG)) < 0)
		goto done;
	error = venv_entry_points_parse(text.buf, text.len, t->major, t->minor, eps, neps);
done:
	vbuf_release(&text);
	vbuf_release(&rel);
	return error;
}

static int install_scripts(const struct venv_wheel_target *t, const char *lib_dir,
			   const struct venv_entry_point *eps, size_t neps,
			   struct record_rows *rows)
{
	struct vbuf shebang = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf text = VBUF_INIT(VBUF_MAX_SCRIPT), rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int error = 0, bindir = -1;

	if (!neps)
		goto done;
	if ((error = venv_wheel_shebang(&shebang, t->python)) < 0)
		goto done;
	if ((bindir = open_root(t, t->scripts)) < 0) {
		error = bindir;
		goto done;
	}
	for (i = 0; i < neps; i++) {
		unsigned char sha[VENV_SHA256_LEN];

		vbuf_reset(&text);
		if ((error = venv_wheel_script_text(&text, shebang.buf, &eps[i])) < 0 ||
		    (error = venv_wheel__write_fresh(bindir, eps[i].name, text.buf, text.len,
					 MODE_EXEC_SCRIPT, t->scripts)) < 0 ||
		    (error = record_path(&rel, t->scripts, eps[i].name, lib_dir)) < 0)
			goto done;
		if ((error = venv_sha256(text.buf, text.len, sha)) < 0 ||
		    (error = rows_add(rows, rel.buf, sha, text.len)) < 0)
			goto done;
	}
done:
	if (bindir >= 0)
		close(bindir);
	vbuf_release(&shebang);
	vbuf_release(&text);
	vbuf_release(&rel);
	return error;
}

/* INSTALLER, REQUESTED and RECORD in the installed .dist-info. */
static int write_metadata(const struct venv_wheel *w, const struct venv_wheel_target *t,
			  const char *lib_dir, struct record_rows *rows)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), out = VBUF_INIT(VBUF_MAX_RECORD);
	struct venv_dirstack ds;
	unsigned char sha[VENV_SHA256_LEN];
	int libfd, dfd, error;
	size_t i;

	if ((libfd = open_root(t, lib_dir)) < 0)
		return libfd;
	venv_ds_init(&ds, libfd, lib_dir);
	if ((error = venv_ds_enter(&ds, w->dist_info, strlen(w->dist_info), 1)) < 0)
		goto done;
	dfd = venv_ds_top(&ds);
	/* ensurepip's pip writes "pip" here, and REQUESTED for what it was asked for. */
	if ((error = venv_wheel__write_fresh(dfd, "INSTALLER", "pip\n", 4, MODE_FILE, w->dist_info)) < 0 ||
	    (error = vbuf_addf(&rel, "%s/INSTALLER", w->dist_info)) < 0)
		goto done;
	if ((error = venv_sha256("pip\n", 4, sha)) < 0 ||
	    (error = rows_add(rows, rel.buf, sha, 4)) < 0)
		goto done;
	if (t->requested) {
		vbuf_reset(&rel);
		if ((error = venv_wheel__write_fresh(dfd, "REQUESTED", "", 0, MODE_FILE, w->dist_info)) < 0 ||
		    (error = vbuf_addf(&rel, "%s/REQUESTED", w->dist_info)) < 0)
			goto done;
		if ((error = venv_sha256("", 0, sha)) < 0 ||
		    (error = rows_add(rows, rel.buf, sha, 0)) < 0)
			goto done;
	}
	vbuf_reset(&rel);
	if ((error = vbuf_addf(&rel, "%s/RECORD", w->dist_info)) < 0 ||
	    (error = rows_add(rows, rel.buf, NULL, 0)) < 0)
		goto done;
	if (rows->n > 1)
		qsort(rows->v, rows->n, sizeof(*rows->v), cmp_row);
	for (i = 0; i < rows->n; i++) {
		if ((error = venv_record_add_field(&out, rows->v[i].path)) < 0 ||
		    (error = vbuf_addf(&out, ",%s,%s\r\n", rows->v[i].hash, rows->v[i].size)) < 0)
			goto done;
	}
	error = venv_wheel__write_fresh(dfd, "RECORD", out.buf, out.len, MODE_FILE, w->dist_info);
done:
	venv_ds_pop_to(&ds, 0);
	close(libfd);
	vbuf_release(&rel);
	vbuf_release(&out);
	return error;
}

/*
 * The old site-packages of t->reuse, opened below t->data without following
 * a link: -1 when there is none or it cannot be opened that way (then
 * every file is copied; reusing is only ever a shortcut).
 */
static int open_reuse(const struct venv_wheel_target *t)
{
	int fd = t->reuse ? open_below_data(t, t->reuse, 0) : -1;

	return fd < 0 ? -1 : fd;
}

/*
 * Put `path` (relative to the wheel's lib directory) at ddir/dname as a
 * hard link to the same file of the old site-packages (t->reuse) when that
 * file is exactly what the wheel has: a regular file of ours, of the size,
 * SHA-256 and mode a copy would have. 1 when linked; 0 when the caller is
 * to copy it (whatever went wrong here: a missing or different file, a
 * link on the way, another file system). The name linked is checked to
 * lead to the very inode that was hashed, so a file swapped meanwhile is
 * never taken.
 */
/*
 * A directory of the wheel that the old site-packages does not have (or
 * cannot be entered): the files below it are copied without looking
 * there, instead of opening the directories on the way for each one (the
 * wheel's files come sorted, so they come together).
 */
struct reuse_missing {
	char dir[VENV_WHEEL_MAX_NAME + 1];
	size_t len;              /* 0: none */
};

static int below_missing(const struct reuse_missing *miss, const char *path)
{
	return miss->len && !strncmp(path, miss->dir, miss->len) && path[miss->len] == '/';
}

static int reuse_file(struct venv_dirstack *rs, struct reuse_missing *miss, const char *path,
		      int ddir, const char *dname, const struct venv_wheel_file *f,
		      int umask_bits, uid_t euid)
{
	unsigned char sha[VENV_SHA256_LEN];
	struct stat st, lst;
	const char *rbase, *slash = strrchr(path, '/');
	mode_t want = f->executable ? ((0777 & ~(mode_t)umask_bits) | 0111) :
		      (0666 & ~(mode_t)umask_bits);
	int fd = -1, linked = 0;

	if (below_missing(miss, path))
		return 0;
	if (venv_ds_enter_parent(rs, path, 0, &rbase) < 0) {
		venv_error_clear();
		venv_ds_pop_to(rs, 0);
		/* Its whole directory is taken for missing: a shortcut missed, never a wrong link. */
		miss->len = 0;
		if (slash && (size_t)(slash - path) < sizeof(miss->dir)) {
			miss->len = (size_t)(slash - path);
			memcpy(miss->dir, path, miss->len);
			miss->dir[miss->len] = '\0';
		}
		return 0;
	}
	fd = openat(venv_ds_top(rs), rbase, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != f->size ||
	    st.st_uid != euid || (st.st_mode & 07777) != want)
		goto done;
	if (venv_wheel_hash_fd(fd, sha) < 0) {
		venv_error_clear();
		goto done;
	}
	if (memcmp(sha, f->sha256, sizeof(sha)) ||
	    linkat(venv_ds_top(rs), rbase, ddir, dname, 0) < 0)
		goto done;
	if (fstatat(ddir, dname, &lst, AT_SYMLINK_NOFOLLOW) == 0 && lst.st_dev == st.st_dev &&
	    lst.st_ino == st.st_ino)
		linked = 1;
	else
		(void)unlinkat(ddir, dname, 0);
done:
	close(fd);
	return linked;
}

int venv_wheel_install(const struct venv_wheel *w, int treefd,
		       const struct venv_wheel_target *t, unsigned flags)
{
	const char *lib_dir = w->root_is_purelib ? t->purelib : t->platlib;
	const char *cur_root = NULL;
	struct venv_dirstack src, dst;
	struct record_rows rows;
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), shebang = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_entry_point *eps = NULL;
	size_t dd = strlen(w->data_dir), i, neps = 0;
	struct place_state ps = { 1, 1 };
	struct venv_dirstack reuse;
	struct reuse_missing miss = { "", 0 };
	int dst_root = -1, reuse_root = -1, umask_bits = -1, error = 0;
	uid_t euid = geteuid();

	memset(&rows, 0, sizeof(rows));
	venv_ds_init(&src, treefd, "the unpacked wheel");
	venv_ds_init(&dst, -1, "");
	venv_ds_init(&reuse, -1, "");
	if (!t->purelib || !t->platlib || !t->scripts || !t->headers || !t->data || !t->python)
		return venv_error_set(VENV_EINVAL, "incomplete install target");
	/*
	 * Everything that can refuse the wheel or the interpreter path is
	 * checked before the first file is placed (and before a move empties
	 * the tree).
	 */
	if ((error = read_entry_points(w, treefd, t, &eps, &neps)) < 0 ||
	    (error = venv_wheel_shebang(&shebang, t->python)) < 0)
		goto done;
	/* Linking from the tree (LINK) or moving it (MOVE) is already cheaper. */
	if (t->reuse && !(flags & (VENV_WHEEL_LINK | VENV_WHEEL_MOVE)) &&
	    (umask_bits = venv_fs_umask()) >= 0 && (reuse_root = open_reuse(t)) >= 0)
		venv_ds_init(&reuse, reuse_root, t->reuse);
	for (i = 0; i < w->nfiles; i++) {
		const struct venv_wheel_file *f = &w->files[i];
		const char *root = lib_dir, *path = f->path, *sbase, *dbase;
		unsigned char sha[VENV_SHA256_LEN];
		uint64_t size = f->size;
		int script = 0;

		if (!strncmp(path, w->data_dir, dd) && path[dd] == '/') {
			const char *scheme = path + dd + 1, *slash = strchr(scheme, '/');
			size_t sl = slash ? (size_t)(slash - scheme) : 0;

			if (!slash) {
				error = venv_error_set(VENV_EUNSAFE, "'%s' is not inside a scheme "
						       "directory of %s", path, w->data_dir);
				goto done;
			}
			/* Only the five schemes of the wheel spec (WHL-03). */
			if (sl == 7 && !memcmp(scheme, "purelib", 7))
				root = t->purelib;
			else if (sl == 7 && !memcmp(scheme, "platlib", 7))
				root = t->platlib;
			else if (sl == 7 && !memcmp(scheme, "headers", 7))
				root = t->headers;
			else if (sl == 4 && !memcmp(scheme, "data", 4))
				root = t->data;
			else if (sl == 7 && !memcmp(scheme, "scripts", 7))
				root = t->scripts, script = 1;
			else {
				error = venv_error_set(VENV_EUNSAFE, "'%s' uses the unknown scheme "
						       "'%.*s'", path, (int)sl, scheme);
				goto done;
			}
			path = slash + 1;
			if (script && strchr(path, '/')) {
				error = venv_error_set(VENV_EUNSAFE, "the script '%s' is in a "
						       "subdirectory", f->path);
				goto done;
			}
		}
		if (root != cur_root) {
			venv_ds_pop_to(&dst, 0);
			if (dst_root >= 0)
				close(dst_root);
			if ((dst_root = open_root(t, root)) < 0) {
				error = dst_root;
				goto done;
			}
			venv_ds_init(&dst, dst_root, root);
			cur_root = root;
		}
		if ((error = venv_ds_enter_parent(&src, f->path, 0, &sbase)) < 0 ||
		    (error = venv_ds_enter_parent(&dst, path, 1, &dbase)) < 0)
			goto done;
		memcpy(sha, f->sha256, sizeof(sha));
		if (!script && root == lib_dir && reuse_root >= 0 &&
		    reuse_file(&reuse, &miss, path, venv_ds_top(&dst), dbase, f, umask_bits, euid))
			error = 0;
		else if (script)
			error = place_script(venv_ds_top(&src), sbase, venv_ds_top(&dst), dbase, f, t->python,
					     root, sha, &size);
		else
			error = place_file(venv_ds_top(&src), sbase, venv_ds_top(&dst), dbase, w, f, flags,
					   &ps, root);
		if (error < 0 ||
		    (error = record_path(&rel, root, path, lib_dir)) < 0 ||
		    (error = rows_add(&rows, rel.buf, sha, size)) < 0)
			goto done;
	}
	venv_ds_pop_to(&dst, 0);
	venv_ds_pop_to(&src, 0);
	if ((error = install_scripts(t, lib_dir, eps, neps, &rows)) < 0)
		goto done;
	error = write_metadata(w, t, lib_dir, &rows);
done:
	venv_ds_pop_to(&dst, 0);
	venv_ds_pop_to(&src, 0);
	venv_ds_pop_to(&reuse, 0);
	if (dst_root >= 0)
		close(dst_root);
	if (reuse_root >= 0)
		close(reuse_root);
	venv_entry_points_free(eps, neps);
	rows_release(&rows);
	vbuf_release(&rel);
	vbuf_release(&shebang);
	return error;
}
