#include "compat.h"
#include <dirent.h>
#include <sys/syscall.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif
#include <time.h>
#include "error.h"
#include "fs.h"
#include "path.h"

int venv_fs_umask(void)
{
	struct vbuf st = VBUF_INIT(VBUF_MAX_PROBE);
	const char *p;
	int mask = -1;

	if (venv_fs_read_file_at(&st, AT_FDCWD, "/proc/self/status", VBUF_MAX_PROBE) == 0 &&
	    (p = strstr(st.buf, "\nUmask:")))
		mask = (int)strtol(p + 8, NULL, 8);
	venv_error_clear();
	vbuf_release(&st);
	return mask;
}

int venv_fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int venv_fs_temp_name(struct vbuf *out, const char *base)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long counter;
	struct timespec ts;
	unsigned long long v;
	char suffix[7];
	int i;

	/*
	 * Unpredictability is not what keeps this safe: the name is always
	 * opened with O_CREAT|O_EXCL|O_NOFOLLOW and retried on collision.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	v = ((unsigned long long)getpid() << 32) ^ (unsigned long long)ts.tv_nsec ^
	    ((unsigned long long)ts.tv_sec << 20) ^ (++counter * 0x9e3779b97f4a7c15ULL);
	for (i = 0; i < 6; i++) {
		suffix[i] = chars[v % 36];
		v /= 36;
	}
	suffix[6] = '\0';
	vbuf_reset(out);
	return vbuf_addf(out, "%s.tmp-%s", base, suffix);
}

int venv_fs_write_file_as(int dirfd, const char *name, const char *shown, const void *data,
			  size_t len, mode_t mode, unsigned flags)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	const char *target = name;
	int fd = -1, error = 0, tries;

	if (flags & VENV_FS_ATOMIC) {
		for (tries = 0; tries < 100; tries++) {
			if ((error = venv_fs_temp_name(&tmp, name)) < 0)
				goto done;
			fd = openat(dirfd, tmp.buf,
				    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
			if (fd >= 0 || errno != EEXIST)
				break;
		}
		/* Only a name we created is ours to remove on failure. */
		target = fd >= 0 ? tmp.buf : NULL;
	} else {
		int oflags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;

		oflags |= (flags & VENV_FS_EXCL) ? O_EXCL : O_TRUNC;
		fd = openat(dirfd, name, oflags, mode);
	}
	if (fd < 0) {
		error = venv_error_set_errno(errno == EEXIST ? VENV_EEXISTS :
					     venv_error_from_errno(errno),
					     "cannot create '%s'", shown);
		goto done;
	}
	if ((flags & VENV_FS_EXACT_MODE) && fchmod(fd, mode) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", shown);
		goto done;
	}
	if (venv_fs_write_all(fd, data, len) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno),
					     "cannot write '%s'", shown);
		goto done;
	}
	/* An fsync failure is final: the data may already be lost (fsyncgate). */
	if ((flags & VENV_FS_FSYNC) && fsync(fd) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot sync '%s'", shown);
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = venv_error_set_errno(VENV_EIO, "cannot close '%s'", shown);
		goto done;
	}
	fd = -1;
	/* With EXCL, a hard link publishes the file only if nothing is at the name yet. */
	if ((flags & VENV_FS_ATOMIC) && (flags & VENV_FS_EXCL)) {
		if (linkat(dirfd, tmp.buf, dirfd, name, 0) < 0) {
			error = venv_error_set_errno(errno == EEXIST ? VENV_EEXISTS :
						     venv_error_from_errno(errno),
						     "cannot create '%s'", shown);
			goto done;
		}
		unlinkat(dirfd, tmp.buf, 0);
	} else if ((flags & VENV_FS_ATOMIC) && renameat(dirfd, tmp.buf, dirfd, name) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno),
					     "cannot rename into '%s'", shown);
		goto done;
	}
	target = NULL;
done:
	if (fd >= 0)
		close(fd);
	if (error < 0 && target && (flags & VENV_FS_ATOMIC))
		unlinkat(dirfd, target, 0);
	vbuf_release(&tmp);
	return error;
}

int venv_fs_write_file_at(int dirfd, const char *name, const void *data,
			  size_t len, mode_t mode, unsigned flags)
{
	return venv_fs_write_file_as(dirfd, name, name, data, len, mode, flags);
}

int venv_fs_write_file_mode(int dirfd, const char *name, const void *data,
			    size_t len, mode_t mode, unsigned flags)
{
	return venv_fs_write_file_as(dirfd, name, name, data, len, mode,
				     flags | VENV_FS_EXACT_MODE);
}

int venv_fs_read_capped(int dirfd, const char *name, size_t cap, int partial, struct vbuf *out,
			struct stat *st_out, int *errno_out)
{
	struct stat st, st2;
	char chunk[16384];
	int fd, rc = VENV_RD_OK;

	vbuf_reset(out);
	*errno_out = 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		*errno_out = errno;
		return errno == ENOENT || errno == ENOTDIR ? VENV_RD_MISSING :
		       errno == EACCES ? VENV_RD_DENIED : VENV_RD_IOERR;
	}
	if (st_out)
		*st_out = st;
	if (S_ISLNK(st.st_mode))
		return VENV_RD_LINK;
	if (!S_ISREG(st.st_mode))
		return VENV_RD_SPECIAL;
	if (!partial && (uint64_t)st.st_size > cap)
		return VENV_RD_TOO_BIG;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*errno_out = errno;
		return errno == ELOOP ? VENV_RD_LINK : errno == EACCES ? VENV_RD_DENIED :
		       errno == ENOENT ? VENV_RD_MISSING : VENV_RD_IOERR;
	}
	/* The file may have been swapped between the two looks. */
	if (fstat(fd, &st2) < 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino ||
	    st2.st_dev != st.st_dev) {
		rc = VENV_RD_SPECIAL;
		goto done;
	}
	while (out->len < cap) {
		size_t want = cap - out->len < sizeof(chunk) ? cap - out->len : sizeof(chunk);
		ssize_t n = read(fd, chunk, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*errno_out = errno;
			rc = VENV_RD_IOERR;
			goto done;
		}
		if (n == 0)
			break;
		if (vbuf_add(out, chunk, (size_t)n) < 0) {
			rc = VENV_RD_TOO_BIG;
			goto done;
		}
		/*
		 * A short read of a regular file is its end: no read() that
		 * returns 0 for each of the small files check reads.
		 */
		if ((size_t)n < want && out->len >= (uint64_t)st2.st_size)
			break;
	}
	if (!partial && out->len >= cap) {
		/* The file grew past the cap after fstat. */
		char extra;

		if (read(fd, &extra, 1) > 0)
			rc = VENV_RD_TOO_BIG;
	}
done:
	close(fd);
	return rc;
}

int venv_fs_open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *venv_fs_kind_name(mode_t mode)
{
	return S_ISREG(mode) ? "a regular file" : S_ISDIR(mode) ? "a directory" :
	       S_ISLNK(mode) ? "a symbolic link" : S_ISFIFO(mode) ? "a named pipe (FIFO)" :
	       S_ISSOCK(mode) ? "a socket" : "a device node";
}

int venv_fs_read_error(int rc, int err, const char *name, size_t cap)
{
	switch (rc) {
	case VENV_RD_OK:
		return 0;
	case VENV_RD_LINK:
		return venv_error_set(VENV_EUNSAFE, "'%s' is a symbolic link", name);
	case VENV_RD_SPECIAL:
		return venv_error_set(VENV_EUNSAFE, "'%s' is not a regular file", name);
	case VENV_RD_TOO_BIG:
		return venv_error_set(VENV_ETOOBIG, "'%s' is larger than %zu bytes", name, cap);
	default:
		errno = err ? err : EIO;
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot %s '%s'",
					    rc == VENV_RD_IOERR ? "read" : "open", name);
	}
}

int venv_fs_read_file_at(struct vbuf *out, int dirfd, const char *name, size_t cap)
{
	int err, rc = venv_fs_read_capped(dirfd, name, cap, 0, out, NULL, &err);

	return venv_fs_read_error(rc, err, name, cap);
}

int venv_fs_mkdirs(const char *path)
{
	struct vbuf parent = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error = 0;

	/* Like os.makedirs(): try the leaf first, create parents only when missing. */
	if (mkdir(path, 0777) == 0)
		goto done;
	if (errno == ENOENT) {
		if ((error = venv_path_dirname(&parent, path)) < 0)
			goto done;
		if (parent.len && strcmp(parent.buf, path) &&
		    (error = venv_fs_mkdirs(parent.buf)) < 0)
			goto done;
		if (mkdir(path, 0777) == 0 || errno == EEXIST)
			goto check;
	} else if (errno == EEXIST) {
		goto check;
	}
	error = venv_error_set_errno(venv_error_from_errno(errno),
				     "cannot create directory '%s'", path);
	goto done;
check:
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		error = venv_error_set(VENV_EEXISTS, "cannot create directory '%s': "
				       "something else is in the way", path);
done:
	vbuf_release(&parent);
	return error;
}

/*
 * Remove every entry of the open directory dfd. `dev` is the device of the
 * top of the tree: a subdirectory on another device is a mount point and
 * is refused rather than emptied.
 */
static int clear_fd(int dfd, dev_t dev, const char *what, int depth,
		    const char *const *keep)
{
	struct venv_dir dir;
	const char *name;
	unsigned char type;
	int error = 0;

	if (depth > 512)
		return venv_error_set(VENV_ETOOBIG, "'%s' is nested too deeply", what);
	if (venv_dir_open(&dir, dfd) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot read directory '%s'", what);
	for (;;) {
		struct stat st, st2;
		int sub;

		if (!(name = venv_dir_read(&dir, &type))) {
			if (errno)
				error = venv_error_set_errno(VENV_EIO, "cannot read directory '%s'", what);
			break;
		}
		if (keep) {
			const char *const *k;

			for (k = keep; *k && strcmp(*k, name); k++)
				;
			if (*k)
				continue;
		}
		/*
		 * What the directory says is no directory is unlinked without a
		 * look first (unlinkat without AT_REMOVEDIR never removes one):
		 * one system call a file instead of two.
		 */
		if (type != DT_DIR && type != DT_UNKNOWN) {
			if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR && errno != EPERM) {
				error = venv_error_set_errno(venv_error_from_errno(errno),
							     "cannot remove '%s' in '%s'",
							     name, what);
				break;
			}
		}
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			error = venv_error_set_errno(VENV_EIO, "cannot stat '%s' in '%s'",
						     name, what);
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
				error = venv_error_set_errno(venv_error_from_errno(errno),
							     "cannot remove '%s' in '%s'",
							     name, what);
				break;
			}
			continue;
		}
		if (st.st_dev != dev) {
			error = venv_error_set(VENV_EUNSAFE, "refusing to delete '%s' in '%s': "
					       "it is a mount point", name, what);
			break;
		}
		sub = openat(dfd, name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			/* Swapped for a symlink since we looked: unlink the link itself. */
			if (errno == ELOOP || errno == ENOTDIR) {
				if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
					error = venv_error_set_errno(VENV_EIO, "cannot remove '%s'",
								     name);
					break;
				}
				continue;
			}
			error = venv_error_set_errno(VENV_EIO, "cannot open '%s' in '%s'",
						     name, what);
			break;
		}
		if (fstat(sub, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
			close(sub);
			error = venv_error_set(VENV_EUNSAFE, "'%s' in '%s' changed while it was "
					       "being deleted", name, what);
			break;
		}
		error = clear_fd(sub, dev, name, depth + 1, NULL);
		close(sub);
		if (error < 0)
			break;
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot remove directory '%s' in '%s'",
						     name, what);
			break;
		}
	}
	venv_dir_close(&dir);
	return error;
}

/* One component of rel, opened below fd: ELOOP for a link (O_DIRECTORY says ENOTDIR). */
static int open_component(int fd, const char *comp)
{
	int sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (sub < 0 && errno == ENOTDIR) {
		errno = fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) ?
			ELOOP : ENOTDIR;
	}
	return sub;
}

/* No ".." at all, even one that stays below: what is named is what is opened. */
static int has_dotdot(const char *rel)
{
	const char *p;

	for (p = rel; *p; p += strcspn(p, "/"), p += *p == '/')
		if (p[0] == '.' && p[1] == '.' && (!p[2] || p[2] == '/'))
			return 1;
	return 0;
}

/*
 * The walk of venv_fs_open_below() and venv_fs_mkdirs_below(): rel one
 * component at a time, each opened below the handle of its parent and only
 * then the parent closed. With create, a missing component is made with
 * mkdirat() on that handle and then opened like the others, so a link put
 * in its place meanwhile is ELOOP, not followed. *stop, when the walk
 * fails, is the length of the prefix of rel up to the component it
 * stopped at.
 */
static int walk_below(int topfd, const char *rel, const dev_t *dev, int create, size_t *stop)
{
	char comp[NAME_MAX + 1];
	const char *p = rel;
	int fd = openat(topfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	while (fd >= 0 && *p) {
		size_t n = strcspn(p, "/");
		struct stat st;
		int sub;

		if (stop)
			*stop = (size_t)(p - rel) + n;
		if (n > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + (p[n] == '/');
		if (!n)
			continue;
		sub = open_component(fd, comp);
		if (sub < 0 && errno == ENOENT && create &&
		    (mkdirat(fd, comp, 0777) == 0 || errno == EEXIST))
			sub = open_component(fd, comp);
		close(fd);
		fd = sub;
		if (fd >= 0 && dev && (fstat(fd, &st) < 0 || st.st_dev != *dev)) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
	}
	return fd;
}

int venv_fs_open_below(int topfd, const char *rel, const dev_t *dev)
{
	int fd;

	if (has_dotdot(rel)) {
		errno = EXDEV;
		return -1;
	}
#ifdef SYS_openat2
	/* One descriptor, whatever the depth: the kernel refuses links (and mounts) on the way. */
	if (*rel) {
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH |
			      (dev ? RESOLVE_NO_XDEV : 0);
		fd = (int)syscall(SYS_openat2, topfd, rel, &how, sizeof(how));
		if (fd >= 0) {
			struct stat st;

			if (dev && (fstat(fd, &st) < 0 || st.st_dev != *dev)) {
				close(fd);
				errno = EXDEV;
				return -1;
			}
			return fd;
		}
		/* Anything but "no openat2 here" is the answer; otherwise the walk below. */
		if (errno != ENOSYS && errno != EPERM && errno != EINVAL && errno != E2BIG)
			return -1;
	}
#endif
	return walk_below(topfd, rel, dev, 0, NULL);
}

int venv_fs_lstat_beneath(int topfd, const char *rel, struct stat *st)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH);
	const char *slash = strrchr(rel, '/');
	int fd = -1, rc = -1, err;

	if (!slash)
		return fstatat(topfd, rel, st, AT_SYMLINK_NOFOLLOW);
	if (vbuf_add(&dir, rel, (size_t)(slash - rel)) < 0) {
		venv_error_clear();
		errno = ENAMETOOLONG;
		goto done;
	}
#ifdef SYS_openat2
	{
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, topfd, dir.buf, &how, sizeof(how));
		/* No openat2 here (or a seccomp filter refuses it): as fstatat() would. */
		if (fd < 0 && errno != ENOSYS && errno != EPERM && errno != E2BIG)
			goto done;
	}
#endif
	if (fd < 0 && (fd = openat(topfd, dir.buf, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto done;
	rc = fstatat(fd, slash + 1, st, AT_SYMLINK_NOFOLLOW);
done:
	err = errno;
	if (fd >= 0)
		close(fd);
	vbuf_release(&dir);
	errno = err;
	return rc;
}

int venv_fs_mkdirs_below(int topfd, const char *rel, size_t *stop)
{
	if (stop)
		*stop = 0;
	if (has_dotdot(rel)) {
		errno = EXDEV;
		return -1;
	}
	return walk_below(topfd, rel, NULL, 1, stop);
}

/*
 * clear_fd() with a handful of descriptors, whatever the depth: it holds
 * one directory open at a time and walks down from the top again after
 * each directory it empties. Slow, so only the fallback for when the
 * process is short of descriptors (a clean-up after running out of them).
 * It empties the directory base below topfd ("" for topfd itself), whose
 * lstat() is *top; with openat2() each step holds a single descriptor.
 */
static int clear_frugal_below(int topfd, const char *base, const struct stat *top,
			      const char *what, const char *const *keep)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t baselen = strlen(base);
	dev_t dev = top->st_dev;
	int error = 0, depth = 0;

	if (baselen && (error = vbuf_adds(&rel, base)) < 0)
		return error;
	for (;;) {
		struct dirent *de;
		DIR *d;
		char sub[NAME_MAX + 1] = "";
		int fd = venv_fs_open_below(topfd, rel.buf ? rel.buf : "", &dev);
		struct stat tst;

		/* The top, by name: the directory that was looked at, not one put in its place. */
		if (fd >= 0 && baselen && rel.len == baselen &&
		    (fstat(fd, &tst) < 0 || tst.st_ino != top->st_ino || tst.st_dev != dev)) {
			close(fd);
			error = venv_error_set(VENV_EUNSAFE, "'%s' changed while it was being "
					       "deleted", what);
			break;
		}
		if (fd < 0 || !(d = fdopendir(fd))) {
			if (fd >= 0)
				close(fd);
			error = venv_error_set_errno(errno == ELOOP || errno == ENOTDIR ||
						     errno == EXDEV ? VENV_EUNSAFE : VENV_EIO,
						     "cannot open '%s' in '%s'",
						     rel.len ? rel.buf : ".", what);
			break;
		}
		while ((de = readdir(d))) {
			struct stat st;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (rel.len == baselen && keep) {
				const char *const *k;

				for (k = keep; *k && strcmp(*k, de->d_name); k++)
					;
				if (*k)
					continue;
			}
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			if (S_ISDIR(st.st_mode)) {
				snprintf(sub, sizeof(sub), "%s", de->d_name);
				break;
			}
			if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
				error = venv_error_set_errno(VENV_EIO, "cannot remove '%s' in '%s'",
							     de->d_name, what);
				break;
			}
		}
		closedir(d);
		if (error < 0)
			break;
		if (*sub) {
			/* Down into the first subdirectory. */
			if (++depth > 512) {
				error = venv_error_set(VENV_ETOOBIG, "'%s' is nested too deeply", what);
				break;
			}
			if ((rel.len && (error = vbuf_addch(&rel, '/')) < 0) ||
			    (error = vbuf_adds(&rel, sub)) < 0)
				break;
			continue;
		}
		if (rel.len == baselen || !rel.buf)
			break;   /* the top is empty */
		/* rel is empty now: remove it from its parent and go back up. */
		{
			char *slash = strrchr(rel.buf, '/');
			const char *last = slash ? slash + 1 : rel.buf;
			char name[NAME_MAX + 1];
			int pfd;

			snprintf(name, sizeof(name), "%s", last);
			vbuf_setlen(&rel, slash ? (size_t)(slash - rel.buf) : 0);
			depth--;
			if ((pfd = venv_fs_open_below(topfd, rel.buf, &dev)) < 0) {
				error = venv_error_set_errno(VENV_EIO, "cannot open '%s' in '%s'",
							     rel.len ? rel.buf : ".", what);
				break;
			}
			if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
				error = venv_error_set_errno(VENV_EIO, "cannot remove directory "
							     "'%s' in '%s'", name, what);
			close(pfd);
			if (error < 0)
				break;
		}
	}
	vbuf_release(&rel);
	return error;
}

/* clear_fd(), and when that failed for want of something (descriptors), clear_frugal(). */
static int clear_top(int fd, dev_t dev, const char *what, const char *const *keep)
{
	int error = clear_fd(fd, dev, what, 0, keep);

	if (error == VENV_EIO) {
		struct stat top;

		memset(&top, 0, sizeof(top));
		top.st_dev = dev;
		error = clear_frugal_below(fd, "", &top, what, keep);
	}
	return error;
}

/*
 * path without its trailing slashes ("/" stays "/"): the kernel follows a
 * final symbolic link when the name ends in a slash, even with O_NOFOLLOW,
 * so "link/" must be looked at as "link".
 */
static int strip_slashes(struct vbuf *out, const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	vbuf_reset(out);
	return vbuf_add(out, path, n);
}

static int open_dir_nofollow(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return venv_error_set(VENV_EUNSAFE, "'%s' is not a directory "
					      "(symbolic links are not followed)", path);
		return venv_error_set_errno(venv_error_from_errno(errno),
					    "cannot open '%s'", path);
	}
	if (fstat(fd, st) < 0) {
		close(fd);
		return venv_error_set_errno(VENV_EIO, "cannot stat '%s'", path);
	}
	return fd;
}

int venv_fs_clear_dir_except(const char *path, const char *const *keep)
{
	struct vbuf top = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st = { 0 };
	int fd = -1, error;

	if ((error = strip_slashes(&top, path)) < 0)
		goto done;
	if ((fd = open_dir_nofollow(top.buf, &st)) < 0) {
		error = fd;
		fd = -1;
		goto done;
	}
	error = clear_top(fd, st.st_dev, path, keep);
done:
	if (fd >= 0)
		close(fd);
	vbuf_release(&top);
	return error;
}

int venv_fs_clear_dir(const char *path)
{
	return venv_fs_clear_dir_except(path, NULL);
}

int venv_fs_remove_tree_at(int dirfd, const char *name)
{
	struct stat st, st2;
	int fd, error;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 :
			venv_error_set_errno(VENV_EIO, "cannot stat '%s'", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return venv_error_set_errno(VENV_EIO, "cannot remove '%s'", name);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return venv_error_set_errno(VENV_EIO, "cannot open '%s'", name);
	if (fstat(fd, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev) {
		close(fd);
		return venv_error_set(VENV_EUNSAFE, "'%s' changed while it was being deleted",
				      name);
	}
	error = clear_fd(fd, st.st_dev, name, 0, NULL);
	close(fd);
	/*
	 * Short of descriptors (a clean-up after running out of them): by name
	 * from dirfd, the descriptor of the tree's top given back first.
	 */
	if (error == VENV_EIO)
		error = clear_frugal_below(dirfd, name, &st, name, NULL);
	if (error < 0)
		return error;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return venv_error_set_errno(VENV_EIO, "cannot remove directory '%s'", name);
	return 0;
}

int venv_fs_remove_tree(const char *path)
{
	struct vbuf parent = VBUF_INIT(VBUF_MAX_PATH), base = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf top = VBUF_INIT(VBUF_MAX_PATH);
	int dfd = -1, error;

	if ((error = strip_slashes(&top, path)) < 0 ||
	    (error = venv_path_dirname(&parent, top.buf)) < 0 ||
	    (error = venv_path_basename(&base, top.buf)) < 0)
		goto done;
	/* "/", "." and ".." cannot be removed by name: refuse before emptying them. */
	if (!base.len || !strcmp(base.buf, ".") || !strcmp(base.buf, "..")) {
		error = venv_error_set(VENV_EINVAL, "refusing to remove '%s'", path);
		goto done;
	}
	dfd = open(parent.len ? parent.buf : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", parent.buf);
		goto done;
	}
	error = venv_fs_remove_tree_at(dfd, base.buf);
done:
	if (dfd >= 0)
		close(dfd);
	vbuf_release(&parent);
	vbuf_release(&base);
	vbuf_release(&top);
	return error;
}

int venv_fs_copy_file(const char *src, const char *dst, mode_t mode)
{
	return venv_fs_copy_file_at(src, AT_FDCWD, dst, dst, mode);
}

int venv_fs_copy_file_at(const char *src, int dirfd, const char *name, const char *shown,
			 mode_t mode)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	char buf[65536];
	int in = -1, out = -1, error = 0, tries, made = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", src);
		goto done;
	}
	/*
	 * Written under a name of its own and renamed over `name`: whatever is
	 * there (a dangling interpreter link, one planted there, the old copy)
	 * is replaced, never written through, so the file at name is never
	 * half-written, and another name of the old file (repair's backup, a
	 * hard link) keeps the old bytes.
	 */
	for (tries = 0; tries < 100; tries++) {
		if ((error = venv_fs_temp_name(&tmp, name)) < 0)
			goto done;
		out = openat(dirfd, tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0666);
		if (out >= 0 || errno != EEXIST)
			break;
	}
	if (out < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s'",
					     shown);
		goto done;
	}
	made = 1;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", src);
			goto done;
		}
		if (n == 0)
			break;
		if (venv_fs_write_all(out, buf, (size_t)n) < 0) {
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot write '%s'", shown);
			goto done;
		}
	}
	if (mode && fchmod(out, mode) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", shown);
		goto done;
	}
	if (close(out) < 0) {
		out = -1;
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s'", shown);
		goto done;
	}
	out = -1;
	if (renameat(dirfd, tmp.buf, dirfd, name) < 0)
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s'",
					     shown);
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	/* Only a name this call created is removed. */
	if (error < 0 && made)
		unlinkat(dirfd, tmp.buf, 0);
	vbuf_release(&tmp);
	return error;
}

int venv_fs_dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* As the kernel writes them (struct linux_dirent64). */
struct dirent64_rec {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

#define VENV_DIR_BUF ((size_t)32 * 1024)

int venv_dir_open(struct venv_dir *d, int fd)
{
	d->fd = fd;
	d->pos = d->len = 0;
	if (!(d->buf = malloc(VENV_DIR_BUF))) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const char *venv_dir_read(struct venv_dir *d, unsigned char *type)
{
	for (;;) {
		const struct dirent64_rec *de;

		if (d->pos >= d->len) {
			long n = syscall(SYS_getdents64, d->fd, d->buf, VENV_DIR_BUF);

			if (n <= 0) {
				if (n == 0)
					errno = 0;
				return NULL;
			}
			d->len = (size_t)n;
			d->pos = 0;
		}
		de = (const struct dirent64_rec *)(const void *)(d->buf + d->pos);
		d->pos += de->reclen;
		if (de->name[0] == '.' && (!de->name[1] || (de->name[1] == '.' && !de->name[2])))
			continue;
		if (type)
			*type = de->type;
		return de->name;
	}
}

void venv_dir_close(struct venv_dir *d)
{
	free(d->buf);
	d->buf = NULL;
	d->pos = d->len = 0;
}
