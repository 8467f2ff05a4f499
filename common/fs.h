#ifndef VENV_FS_H
#define VENV_FS_H

#include <sys/types.h>   /* dev_t */
#include "vbuf.h"

/*
 * File-system helpers that treat the environment as untrusted: no path is
 * resolved through a symbolic link that an attacker could plant, reads are
 * capped and never block, writes go to a temporary file that is renamed
 * into place.
 */

enum venv_fs_write_flags {
	/*
	 * Temp file + rename over the target: readers see the old or the new
	 * file, never a mix. Add VENV_FS_FSYNC where the new content must also
	 * survive a power loss (repair); creation does not need it, since an
	 * unfinished creation is detected by its marker file.
	 */
	VENV_FS_ATOMIC = 1 << 0,
	VENV_FS_EXCL = 1 << 1,   /* fail with VENV_EEXISTS if the target exists */
	VENV_FS_FSYNC = 1 << 2,  /* fsync the data before closing (and renaming) */
	VENV_FS_EXACT_MODE = 1 << 3   /* the mode exactly, umask or not (fchmod) */
};

/*
 * Write len bytes to `name` relative to dirfd (AT_FDCWD allowed) with the
 * given mode (umask applies unless VENV_FS_EXACT_MODE is in flags: see
 * venv_fs_write_file_mode()).
 */
int venv_fs_write_file_at(int dirfd, const char *name, const void *data,
			  size_t len, mode_t mode, unsigned flags);

/* As venv_fs_write_file_at() but the mode is set exactly, ignoring umask. */
int venv_fs_write_file_mode(int dirfd, const char *name, const void *data,
			    size_t len, mode_t mode, unsigned flags);

/*
 * venv_fs_write_file_at() with messages that name the file `shown` (its
 * whole path, say) rather than `name`, its name below dirfd.
 */
int venv_fs_write_file_as(int dirfd, const char *name, const char *shown, const void *data,
			  size_t len, mode_t mode, unsigned flags);

/*
 * Read a regular file without following a final symlink and without
 * blocking on FIFOs or devices. More than `cap` bytes is VENV_ETOOBIG.
 */
int venv_fs_read_file_at(struct vbuf *out, int dirfd, const char *name, size_t cap);

/*
 * Open the directory rel ("lib/python3.12/site-packages"; "" is topfd
 * itself, a new descriptor) below topfd, never through a symbolic link
 * (ELOOP) nor by a ".." component (EXDEV), and when dev is not NULL never
 * onto another file system (EXDEV): -1 with errno on failure.
 */
int venv_fs_open_below(int topfd, const char *rel, const dev_t *dev);

/*
 * lstat() of rel below topfd, never through a symbolic link out of it:
 * links on the way that stay below topfd are followed (as Python follows
 * them), one that leads out is ELOOP or EXDEV. Where openat2() is refused,
 * links on the way are followed, as fstatat() follows them. 0, or -1 with
 * errno set.
 */
int venv_fs_lstat_beneath(int topfd, const char *rel, struct stat *st);

/*
 * os.makedirs(rel, exist_ok=True) below topfd, by handles only: each
 * component of rel is opened below its parent's descriptor as
 * venv_fs_open_below() does, and one that is missing is first made there
 * with mkdirat() (0777 & ~umask). A symbolic link on the way, even one
 * planted after a check or just after the mkdirat(), is ELOOP, never
 * followed; a file is ENOTDIR; a ".." is EXDEV. Returns the directory's
 * descriptor, or -1 with errno set and, when stop is not NULL, *stop the
 * length of the prefix of rel that names the component it failed at.
 */
int venv_fs_mkdirs_below(int topfd, const char *rel, size_t *stop);

/* What venv_fs_read_capped() found; negative, apart from VENV_RD_OK. */
enum venv_fs_read_result {
	VENV_RD_OK = 0,
	VENV_RD_MISSING = -100,
	VENV_RD_LINK,       /* a symbolic link: not followed */
	VENV_RD_SPECIAL,    /* not a regular file (or swapped for another between two looks) */
	VENV_RD_TOO_BIG,
	VENV_RD_DENIED,
	VENV_RD_IOERR
};

/*
 * The one capped reader of untrusted files: `name` relative to dirfd,
 * never through a symbolic link, never opening anything but a regular
 * file (so FIFOs and devices are never opened), at most cap bytes. With
 * partial, a longer file is read up to cap; without, it is VENV_RD_TOO_BIG.
 * st_out (may be NULL) receives the lstat, errno_out the errno of a
 * failure. It sets no error message: the result says what happened.
 */
int venv_fs_read_capped(int dirfd, const char *name, size_t cap, int partial, struct vbuf *out,
			struct stat *st_out, int *errno_out);

/*
 * What a file of this mode is, for messages ("its pyvenv.cfg is a named pipe
 * (FIFO), not a regular file"): "a directory", "a symbolic link", "a named
 * pipe (FIFO)", "a socket", "a device node"; "a regular file" for one.
 */
const char *venv_fs_kind_name(mode_t mode);

/*
 * The error venv_fs_read_file_at() sets for what venv_fs_read_capped()
 * returned (rc, err) reading name with cap: 0 for VENV_RD_OK, else a
 * negative code (VENV_ENOTFOUND for a missing file) with the message set.
 */
int venv_fs_read_error(int rc, int err, const char *name, size_t cap);

/*
 * Open a file outside the environment (following links: the environment
 * names it) for reading, without blocking: a regular file only; -1 else.
 */
int venv_fs_open_regular(const char *path);

/*
 * The process's umask, read from /proc/self/status (umask() would change
 * it, racing other threads): -1 where that file does not say.
 */
int venv_fs_umask(void);

/* write() all of data, retrying on EINTR and short writes; -1 with errno set on failure. */
int venv_fs_write_all(int fd, const void *data, size_t len);

/* os.makedirs(path, exist_ok=True) with mode 0777 & ~umask. */
int venv_fs_mkdirs(const char *path);

/*
 * Delete everything inside the directory `path` (the directory itself is
 * kept), working only through directory handles: every entry is looked at
 * with fstatat(AT_SYMLINK_NOFOLLOW), every subdirectory is opened with
 * O_NOFOLLOW and checked to be the same inode that was looked at, and every
 * removal is an unlinkat() relative to its parent handle. A symbolic link
 * is unlinked, never followed, and no path string is ever resolved below
 * the top. Mount points inside the tree are refused (VENV_EUNSAFE).
 */
int venv_fs_clear_dir(const char *path);

/* As venv_fs_clear_dir(), but the top-level entries named in keep (NULL-terminated) stay. */
int venv_fs_clear_dir_except(const char *path, const char *const *keep);

/* Remove the directory path and everything in it, as above. */
int venv_fs_remove_tree(const char *path);

/* As venv_fs_remove_tree() for the entry `name` of the open directory dirfd. */
int venv_fs_remove_tree_at(int dirfd, const char *name);

/* Copy a file's bytes (following links on src, like shutil.copyfile). */
int venv_fs_copy_file(const char *src, const char *dst, mode_t mode);

/*
 * As venv_fs_copy_file() to `name` below dirfd: written under a temporary
 * name and renamed over name, so whatever is there (a link, an old copy)
 * is replaced, never written through; messages name the copy `shown`.
 */
int venv_fs_copy_file_at(const char *src, int dirfd, const char *name, const char *shown,
			 mode_t mode);

/* 1 when the directory path exists and has no entries. */
int venv_fs_dir_is_empty(const char *path);

/* Create a unique temporary name next to `path` (path + ".tmp-XXXXXX"). */
int venv_fs_temp_name(struct vbuf *out, const char *base);

/*
 * Reading a directory for a walk: what readdir() gives, without the fstat
 * and two fcntl calls fdopendir() makes for each directory, which a walk
 * over thousands of them pays thousands of times. The descriptor stays the
 * caller's (venv_dir_close does not close it).
 */
struct venv_dir {
	int fd;
	size_t pos, len;
	char *buf;
};

/* 0, or -1 with errno set (ENOMEM). */
int venv_dir_open(struct venv_dir *d, int fd);

/*
 * The next entry other than "." and "..": its name (valid until the next
 * call) and, in *type, its DT_* type (DT_UNKNOWN where the file system does
 * not say). NULL at the end (errno 0) or on an error (errno set).
 */
const char *venv_dir_read(struct venv_dir *d, unsigned char *type);

/* Free what venv_dir_open allocated; the descriptor stays open. */
void venv_dir_close(struct venv_dir *d);

#endif
