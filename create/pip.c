#include "compat.h"
#include <dirent.h>
#include <time.h>
#include "fs.h"
#include "log.h"
#include "path.h"
#include "pep440.h"
#include "pip.h"
#include "sha256.h"
#include "wheel.h"

/*
 * pip without running Python: the wheels ensurepip would install are
 * unpacked once into the user's cache, verified against their RECORD, and
 * copied from there into each new environment (see wheel.h for the
 * installer itself).
 *
 * Cache layout, below venv_cache_dir():
 *   wheels-v1/<sha256 of the wheel>/MANIFEST   what venv_wheel_unpack() found
 *   wheels-v1/<sha256 of the wheel>/tree/      the wheel's files
 *   wheels-v1/.tmp-XXXXXX/                     an entry being filled
 * An entry is filled in a temporary directory and renamed into place only
 * when complete and synced, so a crash at any point leaves either no entry
 * or a whole one (a leftover .tmp- directory is ignored and later removed).
 *
 * By default each environment gets its own copy of every file: a reflink
 * (FICLONE) where the file system has them, which costs about what a link
 * costs and shares only blocks that are copied when written, and
 * copy_file_range() elsewhere. An environment must not share a file that
 * can be written in place (`>>`, most editors) with the cache and so with
 * every other environment (issue 14).
 *
 * On request (--link-mode=hardlink or auto, VENV_LINK_MODE) files are
 * hard-linked from the cache instead, as uv does, because creating ~500
 * inodes costs more than linking them. A link shares the inode, so we
 * make sure that sharing cannot go unnoticed or change what a later
 * environment gets:
 *  - pip never writes through an installed file: it unlinks before it
 *    writes (its wheel installer says so for hard links and mmap'd .so
 *    files) and uninstalls by renaming; Python writes .pyc files as new
 *    files. RECORD, INSTALLER, REQUESTED and the scripts are always new
 *    files, never links.
 *  - Cached files have mode 0644/0755 and one fixed modification time.
 *    Before each link the file is checked (type, size, mode, time): an
 *    in-place edit or chmod made through some environment is seen, that
 *    cache entry is dropped and the wheel unpacked again (the edit itself
 *    stays visible in every environment linked to the old entry).
 *  - Links are only used when the umask is 022, where pip would give the
 *    same modes; otherwise, and across file systems or past the link limit,
 *    files are copied.
 */

#define CACHE_SUBDIR "wheels-v1"
#define STALE_TMP_SECONDS 3600

/* Failures that mean "this wheel is bad", as opposed to "the cache could not be used". */
static int is_wheel_error(int error)
{
	return error == VENV_EINVAL || error == VENV_EUNSAFE || error == VENV_ETOOBIG;
}

/* A fresh, private directory named prefix + random suffix inside dirfd. */
static int make_temp_dir(int dirfd, const char *prefix, struct vbuf *name)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		int error = venv_fs_temp_name(name, prefix);

		if (error < 0)
			return error;
		if (mkdirat(dirfd, name->buf, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return venv_error_set_errno(venv_error_from_errno(errno),
						    "cannot create a temporary directory");
	}
	return venv_error_set(VENV_EEXISTS, "cannot create a temporary directory");
}

/*
 * The cache directory for unpacked wheels, or -1 when there is none we may
 * use: it must be ours and writable by nobody else, since whatever is in it
 * ends up in every environment.
 */
static int open_cache(venv_log_fn *log, void *payload)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int root = -1, fd = -1;

	if (getenv("VENV_NO_CACHE") || venv_cache_dir(&dir) < 0 || venv_fs_mkdirs(dir.buf) < 0)
		goto done;
	root = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		goto done;
	if (mkdirat(root, CACHE_SUBDIR, 0700) < 0 && errno != EEXIST)
		goto done;
	fd = openat(root, CACHE_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		goto done;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    faccessat(fd, ".", W_OK, 0) < 0) {
		venv_logf(log, payload, VENV_LOG_DEBUG, "not using the wheel cache '%s/%s': it is not "
		      "a private directory we can write", dir.buf, CACHE_SUBDIR);
		close(fd);
		fd = -1;
	}
done:
	if (fd < 0 && dir.len)
		venv_logf(log, payload, VENV_LOG_DEBUG, "no usable wheel cache; unpacking directly");
	if (root >= 0)
		close(root);
	vbuf_release(&dir);
	venv_error_clear();
	return fd;
}

/* Remove .tmp- directories left behind by processes that died long ago. */
static void remove_stale(int cachefd)
{
	int dupfd = dup(cachefd);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	if (!d) {
		if (dupfd >= 0)
			close(dupfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (strncmp(de->d_name, ".tmp-", 5) ||
		    fstatat(cachefd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (now - st.st_mtime > STALE_TMP_SECONDS)
			venv_fs_remove_tree_at(cachefd, de->d_name);
	}
	closedir(d);
	venv_error_clear();
}

/* Make sure a finished entry reaches the disk before its name does (CRA-02). */
static int sync_dir_fs(int fd)
{
#ifdef __linux__
	if (syncfs(fd) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot sync the wheel cache");
#else
	(void)fd;
	sync();
#endif
	return 0;
}

/* Open a complete cache entry: its manifest into w, its tree as *treefd. */
static int open_entry(int cachefd, const char *hex, const unsigned char *sha,
		      struct venv_wheel *w, int *treefd)
{
	int efd, error;

	*treefd = -1;
	efd = openat(cachefd, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (efd < 0)
		return VENV_ENOTFOUND;
	if ((error = venv_wheel_manifest_read(w, efd, "MANIFEST")) < 0)
		goto done;
	if (memcmp(w->sha256, sha, VENV_SHA256_LEN)) {
		error = venv_error_set(VENV_EINVAL, "the wheel cache entry '%s' is for another "
				       "wheel", hex);
		goto done;
	}
	*treefd = openat(efd, "tree", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*treefd < 0)
		error = venv_error_set_errno(VENV_EIO, "cannot open the wheel cache entry '%s'",
					     hex);
done:
	if (error < 0)
		venv_wheel_release(w);
	close(efd);
	return error;
}

/*
 * Fill the cache entry for a wheel. Returns 0 (the entry exists now, filled
 * by us or by a process that won the race), a wheel error (final), or
 * another error (the cache cannot be used).
 */
static int fill_entry(int cachefd, const char *wheel, const char *hex,
		      const unsigned char *sha)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_wheel w;
	int tmpfd = -1, treefd = -1, error;

	memset(&w, 0, sizeof(w));
	remove_stale(cachefd);
	if ((error = make_temp_dir(cachefd, ".tmp", &tmp)) < 0)
		goto done;
	tmpfd = openat(cachefd, tmp.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tmpfd < 0 || mkdirat(tmpfd, "tree", 0700) < 0 ||
	    (treefd = openat(tmpfd, "tree", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC)) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot prepare the wheel cache");
		goto done;
	}
	if ((error = venv_wheel_unpack(&w, wheel, treefd, VENV_WHEEL_FIXED)) < 0)
		goto done;
	if (memcmp(w.sha256, sha, VENV_SHA256_LEN)) {
		error = venv_error_set(VENV_EIO, "the wheel '%s' changed while it was read", wheel);
		goto done;
	}
	if ((error = venv_wheel_manifest_write(&w, tmpfd, "MANIFEST")) < 0 ||
	    (error = sync_dir_fs(tmpfd)) < 0)
		goto done;
	if (renameat(cachefd, tmp.buf, cachefd, hex) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			error = venv_error_set_errno(VENV_EIO, "cannot add to the wheel cache");
			goto done;
		}
		/* Another process filled it first: use theirs. */
	} else {
		vbuf_reset(&tmp);
		fsync(cachefd);
	}
done:
	if (treefd >= 0)
		close(treefd);
	if (tmpfd >= 0)
		close(tmpfd);
	if (tmp.len) {
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		venv_fs_remove_tree_at(cachefd, tmp.buf);
		if (error < 0)
			venv_error_set(error, "%s", msg);
		else
			venv_error_clear();
	}
	venv_wheel_release(&w);
	vbuf_release(&tmp);
	return error;
}

/* Unpack into a private directory inside the environment and move the files out. */
static int install_direct(const char *dir, const char *wheel, const struct venv_wheel_target *t)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_wheel w;
	int envfd = -1, treefd = -1, error;

	memset(&w, 0, sizeof(w));
	envfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (envfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", dir);
		goto done;
	}
	if ((error = make_temp_dir(envfd, ".venv-wheel", &tmp)) < 0)
		goto done;
	treefd = openat(envfd, tmp.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (treefd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", tmp.buf);
		goto done;
	}
	if ((error = venv_wheel_unpack(&w, wheel, treefd, 0)) < 0)
		goto done;
	error = venv_wheel_install(&w, treefd, t, VENV_WHEEL_MOVE);
done:
	if (treefd >= 0)
		close(treefd);
	if (tmp.len) {
		char msg[2048];

		int rm;

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		rm = venv_fs_remove_tree_at(envfd, tmp.buf);
		if (error < 0)
			venv_error_set(error, "%s", msg);
		else
			error = rm;
	}
	if (envfd >= 0)
		close(envfd);
	venv_wheel_release(&w);
	vbuf_release(&tmp);
	return error;
}

static int hash_file(const char *path, unsigned char *sha)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), error;
	struct stat st;

	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open the wheel "
					    "'%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		error = venv_error_set(VENV_EINVAL, "the wheel '%s' is not a regular file", path);
	else
		error = venv_wheel_hash_fd(fd, sha);
	close(fd);
	return error;
}

int venv_link_mode_parse(const char *text, enum venv_link_mode *mode)
{
	if (!text || !*text)
		*mode = VENV_LINK_DEFAULT;
	else if (!strcmp(text, "copy"))
		*mode = VENV_LINK_COPY;
	else if (!strcmp(text, "hardlink"))
		*mode = VENV_LINK_HARDLINK;
	else if (!strcmp(text, "auto"))
		*mode = VENV_LINK_AUTO;
	else
		return venv_error_set(VENV_EINVAL, "invalid link mode '%s' (choose from 'copy', "
				      "'hardlink', 'auto')", text);
	return 0;
}

/* The venv_wheel_install() flags of a link mode; DEFAULT is $VENV_LINK_MODE, else copy. */
static int link_flags(enum venv_link_mode mode, unsigned *flags)
{
	int error;

	*flags = 0;
	if (mode == VENV_LINK_DEFAULT &&
	    (error = venv_link_mode_parse(getenv("VENV_LINK_MODE"), &mode)) < 0)
		return venv_error_set(error, "VENV_LINK_MODE: %s", venv_error_last());
	/* A link shares the cache's mode, which is the one pip gives only under umask 022. */
	if ((mode == VENV_LINK_HARDLINK || mode == VENV_LINK_AUTO) && venv_fs_umask() == 022)
		*flags = VENV_WHEEL_LINK | (mode == VENV_LINK_AUTO ? VENV_WHEEL_AUTO : 0);
	return 0;
}

/* Install one wheel file through the cache; without one, unpacked in a private directory of dir. */
static int install_one(const char *dir, const char *wheel,
		       const struct venv_wheel_target *t, int cachefd, unsigned flags,
		       venv_log_fn *log, void *payload)
{
	unsigned char sha[VENV_SHA256_LEN];
	char hex[VENV_SHA256_HEX_LEN + 1];
	struct venv_wheel w;
	int treefd = -1, error, filled = 0;

	memset(&w, 0, sizeof(w));
	if (cachefd < 0)
		return install_direct(dir, wheel, t);
	if ((error = hash_file(wheel, sha)) < 0)
		return error;
	venv_sha256_hex(sha, hex);
	error = open_entry(cachefd, hex, sha, &w, &treefd);
	if (error == VENV_ENOTFOUND || error == VENV_EINVAL) {
		if (error == VENV_EINVAL) {
			/* A damaged entry (not one of ours): set it aside and fill it again. */
			venv_logf(log, payload, VENV_LOG_DEBUG, "replacing the wheel cache entry %s: %s",
			      hex, venv_error_last());
			if (venv_fs_remove_tree_at(cachefd, hex) < 0)
				goto direct;
		}
		error = fill_entry(cachefd, wheel, hex, sha);
		if (error < 0) {
			if (is_wheel_error(error))
				return error;
			venv_logf(log, payload, VENV_LOG_DEBUG, "cannot fill the wheel cache (%s); "
			      "unpacking directly", venv_error_last());
			goto direct;
		}
		filled = 1;
		error = open_entry(cachefd, hex, sha, &w, &treefd);
	}
	if (error < 0) {
		venv_logf(log, payload, VENV_LOG_DEBUG, "cannot use the wheel cache (%s); unpacking "
		      "directly", venv_error_last());
		goto direct;
	}
	error = venv_wheel_install(&w, treefd, t, flags);
	if (error == VENV_ENOTFOUND) {
		/* The entry was changed under us: drop it, use the wheel itself this time. */
		venv_logf(log, payload, VENV_LOG_WARNING, "the wheel cache entry for '%s' was modified "
		      "(%s); removing it", wheel, venv_error_last());
		close(treefd);
		venv_wheel_release(&w);
		venv_fs_remove_tree_at(cachefd, hex);
		goto direct;
	}
	if (error == 0)
		venv_logf(log, payload, VENV_LOG_DEBUG, "installed %s %s from %s wheel cache entry %s",
		      w.name, w.version, filled ? "the new" : "the", hex);
	close(treefd);
	venv_wheel_release(&w);
	return error;
direct:
	venv_error_clear();
	return install_direct(dir, wheel, t);
}

/* "pip-23.2.1-py3-none-any.whl" -> normalised "pip" and "23.2.1". */
static int wheel_name_version(const char *path, char *name, size_t ncap, char *ver, size_t vcap)
{
	const char *base = strrchr(path, '/'), *d1, *d2;
	size_t i, o = 0;

	base = base ? base + 1 : path;
	d1 = strchr(base, '-');
	d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	if (!d1 || !d2 || (size_t)(d2 - d1 - 1) >= vcap)
		return venv_error_set(VENV_EINVAL, "'%s' is not a wheel file name", base);
	for (i = 0; base + i < d1 && o + 1 < ncap; i++) {
		char c = base[i];

		name[o++] = (char)(c == '-' || c == '.' ? '_' : (c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	name[o] = '\0';
	memcpy(ver, d1 + 1, (size_t)(d2 - d1 - 1));
	ver[d2 - d1 - 1] = '\0';
	return 0;
}

/*
 * Is this distribution already in site-packages? 1 when the same version
 * is (ensurepip would find the requirement satisfied), 0 when none is, and
 * VENV_ENOTFOUND with a message when another version is: replacing it
 * means uninstalling it, which is pip's job.
 */
static int installed_state(const char *lib, const char *name, const char *ver)
{
	DIR *d = opendir(lib);
	struct dirent *de;
	size_t nl = strlen(name);
	int state = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char norm[256];
		size_t len = strlen(de->d_name), i;
		const char *dash = strchr(de->d_name, '-');

		if (len <= 10 || strcmp(de->d_name + len - 10, ".dist-info") || !dash ||
		    (size_t)(dash - de->d_name) != nl || nl >= sizeof(norm))
			continue;
		for (i = 0; i < nl; i++) {
			char c = de->d_name[i];

			norm[i] = (char)(c == '-' || c == '.' ? '_' : (c >= 'A' && c <= 'Z') ?
					 c + 32 : c);
		}
		norm[nl] = '\0';
		if (strcmp(norm, name))
			continue;
		if (len - 10 - nl - 1 == strlen(ver) && !strncmp(dash + 1, ver, strlen(ver))) {
			state = 1;
		} else {
			state = venv_error_set(VENV_ENOTFOUND, "'%.*s' is already installed in "
					       "'%s'", (int)(len - 10), de->d_name, lib);
			break;
		}
	}
	closedir(d);
	return state;
}

int venv_pip_install_fast(const struct venv_context *ctx,
			  void (*log)(void *payload, enum venv_log_level level, const char *msg),
			  void *payload)
{
	return venv_pip_install_fast_mode(ctx, VENV_LINK_DEFAULT, log, payload);
}

int venv_pip_install_fast_mode(const struct venv_context *ctx, enum venv_link_mode mode,
			       void (*log)(void *payload, enum venv_log_level level,
					   const char *msg),
			       void *payload)
{
	const struct venv_pyinfo *info = ctx->info;
	struct venv_wheel_target t;
	struct vbuf headers = VBUF_INIT(VBUF_MAX_PATH), tmp = VBUF_INIT(VBUF_MAX_PATH);
	int skip[16], cachefd = -1, error = 0;
	unsigned flags;
	size_t i;

	if ((error = link_flags(mode, &flags)) < 0)
		return error;
	if (!info || !info->nwheels)
		return venv_error_set(VENV_ENOTFOUND, "no pip wheel was found for '%s'",
				      info && info->invoked ? info->invoked : "the interpreter");
	if (info->nwheels > VENV_ARRAY_SIZE(skip))
		return venv_error_set(VENV_ENOTFOUND, "too many wheels to install");
	/* Everything that would send us to ensurepip is decided before anything is written. */
	for (i = 0; i < info->nwheels; i++) {
		char name[256], ver[256];
		struct stat st;

		if (stat(info->wheels[i], &st) < 0 || !S_ISREG(st.st_mode))
			return venv_error_set(VENV_ENOTFOUND, "the wheel '%s' does not exist",
					      info->wheels[i]);
		if (wheel_name_version(info->wheels[i], name, sizeof(name), ver, sizeof(ver)) < 0)
			return VENV_ENOTFOUND;
		if ((skip[i] = installed_state(ctx->lib_path, name, ver)) < 0)
			return skip[i];
	}
	/* An interpreter path no console script can carry is refused, not worked around. */
	if ((error = venv_wheel_shebang(&tmp, ctx->env_exe)) < 0)
		goto done;
	memset(&t, 0, sizeof(t));
	t.purelib = ctx->lib_path;
	t.platlib = ctx->platlib_path ? ctx->platlib_path : ctx->lib_path;
	t.scripts = ctx->bin_path;
	t.data = ctx->env_dir;
	t.python = ctx->env_exe;
	t.major = info->major;
	t.minor = info->minor;
	t.requested = 1;
	cachefd = open_cache(log, payload);
	for (i = 0; i < info->nwheels; i++) {
		char name[256], ver[256];

		if (skip[i]) {
			venv_logf(log, payload, VENV_LOG_DEBUG, "'%s' is already installed",
			      info->wheels[i]);
			continue;
		}
		wheel_name_version(info->wheels[i], name, sizeof(name), ver, sizeof(ver));
		/* pip's headers scheme for a venv: include/site/pythonX.Y/<name>. */
		vbuf_reset(&headers);
		if ((error = vbuf_addf(&headers, "%s/include/site/python%d.%d/%s", ctx->env_dir,
				       info->major, info->minor, name)) < 0)
			goto done;
		t.headers = headers.buf;
		if ((error = install_one(ctx->env_dir, info->wheels[i], &t, cachefd, flags, log,
					 payload)) < 0) {
			char msg[2048];

			snprintf(msg, sizeof(msg), "%s", venv_error_last());
			/* Never VENV_ENOTFOUND from here: a half-installed pip is not a fallback. */
			error = venv_error_set(error == VENV_ENOTFOUND ? VENV_ERROR : error,
					       "cannot install '%s': %s", info->wheels[i], msg);
			goto done;
		}
	}
	venv_error_clear();
done:
	if (cachefd >= 0)
		close(cachefd);
	vbuf_release(&headers);
	vbuf_release(&tmp);
	return error;
}

int venv_pip_install_wheel(const char *wheel, const struct venv_wheel_target *t,
			   const char *scratch, venv_log_fn *log, void *payload)
{
	unsigned flags;
	int cachefd, error;

	if ((error = link_flags(VENV_LINK_DEFAULT, &flags)) < 0)
		return error;
	cachefd = open_cache(log, payload);
	error = install_one(scratch, wheel, t, cachefd, flags, log, payload);
	if (cachefd >= 0)
		close(cachefd);
	return error;
}

/* Install the cache entry whose manifest names name at version: 0, or VENV_ENOTFOUND. */
static int install_cached_dist(int cachefd, const char *name, const char *version,
			       const struct venv_wheel_target *t, venv_log_fn *log, void *payload)
{
	struct vbuf want = VBUF_INIT(VBUF_MAX_LINE), have = VBUF_INIT(VBUF_MAX_LINE);
	int dupfd = dup(cachefd), error = VENV_ENOTFOUND;
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *de;

	if (!d) {
		if (dupfd >= 0)
			close(dupfd);
		goto done;
	}
	if ((error = venv_name_canonicalize(&want, name)) < 0)
		goto done;
	error = VENV_ENOTFOUND;
	while (error == VENV_ENOTFOUND && (de = readdir(d))) {
		struct venv_wheel w;
		int efd, treefd;

		if (strlen(de->d_name) != VENV_SHA256_HEX_LEN)
			continue;
		memset(&w, 0, sizeof(w));
		efd = openat(cachefd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (efd < 0)
			continue;
		if (venv_wheel_manifest_read(&w, efd, "MANIFEST") == 0 && w.version &&
		    !strcmp(w.version, version) && venv_name_canonicalize(&have, w.name) == 0 &&
		    !strcmp(have.buf, want.buf) &&
		    (treefd = openat(efd, "tree", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC)) >= 0) {
			/* A changed entry (VENV_ENOTFOUND) is passed over, as create passes it over. */
			error = venv_wheel_install(&w, treefd, t, 0);
			if (error == 0)
				venv_logf(log, payload, VENV_LOG_DEBUG, "installed %s %s from the wheel "
				      "cache entry %s", w.name, w.version, de->d_name);
			close(treefd);
		}
		venv_error_clear();
		venv_wheel_release(&w);
		close(efd);
	}
done:
	if (d)
		closedir(d);
	vbuf_release(&want);
	vbuf_release(&have);
	return error;
}

int venv_pip_install_dist(const char *name, const char *version, const char *const *wheels,
			  size_t nwheels, const struct venv_wheel_target *t, const char *scratch,
			  venv_log_fn *log, void *payload)
{
	struct vbuf cache = VBUF_INIT(VBUF_MAX_PATH), canon = VBUF_INIT(VBUF_MAX_LINE);
	int cachefd = open_cache(log, payload), error = VENV_ENOTFOUND;
	size_t i;

	if (cachefd >= 0)
		error = install_cached_dist(cachefd, name, version, t, log, payload);
	if (error == VENV_ENOTFOUND && (error = venv_name_canonicalize(&canon, name)) == 0) {
		error = VENV_ENOTFOUND;
		for (i = 0; i < nwheels && error == VENV_ENOTFOUND; i++) {
			char wname[256], wver[256];
			struct vbuf c = VBUF_INIT(VBUF_MAX_LINE);
			int same;

			if (wheel_name_version(wheels[i], wname, sizeof(wname), wver, sizeof(wver)) < 0) {
				venv_error_clear();
				continue;
			}
			same = !strcmp(wver, version) && venv_name_canonicalize(&c, wname) == 0 &&
			       !strcmp(c.buf, canon.buf);
			vbuf_release(&c);
			if (same)
				error = install_one(scratch, wheels[i], t, cachefd, 0, log, payload);
		}
	}
	if (error == VENV_ENOTFOUND) {
		/* Say exactly where it was looked for. */
		struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
		int built;

		if (!getenv("VENV_NO_CACHE") && venv_cache_dir(&cache) == 0)
			built = vbuf_addf(&msg, "no wheel of %s %s is in the wheel cache '%s/%s'",
					  name, version, cache.buf, CACHE_SUBDIR);
		else
			built = vbuf_addf(&msg, "no wheel of %s %s is at hand (the wheel cache is "
					  "not used%s)", name, version,
					  getenv("VENV_NO_CACHE") ? ": VENV_NO_CACHE is set" : "");
		for (i = 0; !built && i < nwheels; i++)
			built = vbuf_addf(&msg, "%s'%s'", i ? ", " : ", nor among the base "
					  "interpreter's wheels (", wheels[i]);
		if (!built && nwheels)
			built = vbuf_addch(&msg, ')');
		/*
		 * The code stays VENV_ENOTFOUND even when the message could not be
		 * built in full (out of memory): the caller falls back on ensurepip.
		 */
		if (built < 0)
			error = venv_error_set(VENV_ENOTFOUND, "no wheel of %s %s is at hand",
					       name, version);
		else
			error = venv_error_set(VENV_ENOTFOUND, "%s", msg.buf);
		vbuf_release(&msg);
	}
	if (cachefd >= 0)
		close(cachefd);
	vbuf_release(&cache);
	vbuf_release(&canon);
	return error;
}
