#include "compat.h"
#include <dirent.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/time.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif
#include <jansson.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "txn.h"

#define JOURNAL_TMP ".venv-repair.journal.new"
#define TRASH ".venv-repair-trash"
#define JOURNAL_MAX ((size_t)64 * 1024 * 1024)

int venv_repair_fsync_dir(int fd, const char *what)
{
	/* An fsync failure is final: the data may already be lost (fsyncgate). */
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		return venv_error_set_errno(VENV_EIO, "cannot sync '%s'", what);
	return 0;
}

int venv_repair_syncfs(int fd, const char *what)
{
#ifdef __linux__
	if (syncfs(fd) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot flush the file system of '%s'", what);
#else
	(void)fd;
	(void)what;
	sync();
#endif
	return 0;
}

int venv_envdir_open(struct venv_envdir *e, const char *dir)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	e->fd = -1;
	e->lock_fd = -1;
	e->dir = NULL;
	e->upgrade = NULL;
	e->trash = NULL;
	e->touched = 0;
	e->lock.fd = -1;
	e->lock.dirfd = -1;
	e->lock.name = NULL;
	if ((error = venv_path_abspath(&abs, dir)) < 0)
		goto done;
	e->fd = open(abs.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (e->fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			error = venv_error_set(VENV_EUNSAFE, "'%s' is not a directory (symbolic "
					       "links are not followed)", abs.buf);
		else
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot open '%s'", abs.buf);
		goto done;
	}
	e->dir = vbuf_detach(&abs, NULL);
done:
	vbuf_release(&abs);
	return error;
}

void venv_envdir_close(struct venv_envdir *e)
{
	venv_repair_unlock(e);
	venv_repair_trash_release(e);
	json_decref((json_t *)e->upgrade);
	e->upgrade = NULL;
	if (e->fd >= 0)
		close(e->fd);
	free(e->dir);
	e->fd = -1;
	e->dir = NULL;
}

int venv_repair_lock(struct venv_envdir *e, int *stale)
{
	struct stat st, now;
	int fd, error;

	*stale = 0;
	if (fstat(e->fd, &st) == 0) {
		e->times[0] = st.st_atim;
		e->times[1] = st.st_mtim;
	}
	if ((error = venv_lock_take(&e->lock, e->dir, VENV_LOCK_INHERIT, e->waiting,
				    e->payload)) < 0)
		return error;
	e->lock_fd = e->lock.fd;
	*stale = e->lock.stale;
	fd = open(e->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &now) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'",
					     e->dir);
		if (fd >= 0)
			close(fd);
		venv_repair_unlock(e);
		return error;
	}
	if (now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
		close(fd);
		return 0;
	}
	close(e->fd);
	e->fd = fd;
	e->times[0] = now.st_atim;
	e->times[1] = now.st_mtim;
	return 0;
}

void venv_repair_keep_times(struct venv_envdir *e)
{
	if (e->fd >= 0 && e->times[1].tv_sec)
		futimens(e->fd, e->times);
}

void venv_repair_unlock(struct venv_envdir *e)
{
	/* What is being deleted is gone before anyone else may look. */
	if (e->lock_fd >= 0)
		venv_repair_trash_finish(e);
	venv_lock_release(&e->lock);
	e->lock_fd = -1;
}

/*
 * The directory part of rel (its components already checked) in one
 * openat2() that refuses every link on the way: what the walk of
 * venv_repair_open_parent() does one component at a time, for one system
 * call instead of two per component (repair opens parents for every
 * file it looks at or moves). -2 when the kernel has no openat2 (or a
 * filter refuses it): the caller walks.
 */
static int open_dir_part(int rootfd, const char *rel, size_t len)
{
#ifdef SYS_openat2
	char dir[PATH_MAX];
	struct open_how how;
	int fd;

	if (len >= sizeof(dir))
		return -2;
	memcpy(dir, rel, len);
	dir[len] = '\0';
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH;
	fd = (int)syscall(SYS_openat2, rootfd, dir, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG || errno == EAGAIN))
		return -2;
	return fd;
#else
	(void)rootfd;
	(void)rel;
	(void)len;
	return -2;
#endif
}

int venv_repair_open_parent(int rootfd, const char *rel, const char **base)
{
	const char *p, *slash, *last = strrchr(rel, '/');
	int fd, plain = last != NULL;

	/* A bad component anywhere: the walk below refuses it as it always has. */
	for (p = rel; plain && p <= last; p = slash + 1) {
		size_t n;

		slash = strchr(p, '/');
		n = (size_t)(slash - p);
		plain = !(n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
			  (n == 2 && p[0] == '.' && p[1] == '.'));
	}
	p = last ? last + 1 : rel;
	if (plain && *p && strcmp(p, ".") && strcmp(p, "..") &&
	    (fd = open_dir_part(rootfd, rel, (size_t)(last - rel))) != -2) {
		if (fd < 0)
			return venv_error_set_errno(errno == ELOOP ? VENV_EUNSAFE :
						    venv_error_from_errno(errno),
						    "cannot open the directory of '%s'", rel);
		*base = p;
		return fd;
	}
	p = rel;
	fd = dup(rootfd);
	if (fd < 0)
		return venv_error_set_errno(VENV_EIO, "cannot open the environment");
	while ((slash = strchr(p, '/')) != NULL) {
		char comp[NAME_MAX + 1];
		size_t n = (size_t)(slash - p);
		int sub;

		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(fd);
			return venv_error_set(VENV_EUNSAFE, "bad path '%s'", rel);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (sub < 0)
			return venv_error_set_errno(errno == ELOOP ? VENV_EUNSAFE :
						    venv_error_from_errno(errno),
						    "cannot open the directory of '%s'", rel);
		fd = sub;
		p = slash + 1;
	}
	if (!*p || !strcmp(p, ".") || !strcmp(p, "..")) {
		close(fd);
		return venv_error_set(VENV_EUNSAFE, "bad path '%s'", rel);
	}
	*base = p;
	return fd;
}

/*
 * Create `name` in dfd exclusively with exactly `mode`, write, and fsync
 * unless `nosync` (the caller syncs the whole file system after a batch).
 */
static int write_new_file_at(int dfd, const char *name, const void *data, size_t len,
			     unsigned mode, const struct stat *owner, int nosync)
{
	int fd, error = 0;

	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return venv_error_set_errno(VENV_EIO, "cannot remove '%s'", name);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s'",
					    name);
	/* Keep the owner of the file we replace (only root can change it). */
	if (owner && geteuid() == 0 && (owner->st_uid != 0 || owner->st_gid != 0) &&
	    fchown(fd, owner->st_uid, owner->st_gid) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot set the owner of '%s'", name);
		goto done;
	}
	if (fchmod(fd, (mode_t)(mode & 07777)) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", name);
		goto done;
	}
	if (venv_fs_write_all(fd, data, len) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot write '%s'", name);
		goto done;
	}
	if (!nosync && fsync(fd) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot sync '%s'", name);
		goto done;
	}
done:
	if (close(fd) < 0 && !error)
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s'", name);
	if (error < 0)
		unlinkat(dfd, name, 0);
	return error;
}

static int write_new_file(int dfd, const char *name, const void *data, size_t len,
			  unsigned mode, const struct stat *owner)
{
	return write_new_file_at(dfd, name, data, len, mode, owner, 0);
}

int venv_repair_write_durable(int dfd, const char *name, const char *tmp, const void *data,
		       size_t len, unsigned mode)
{
	int error;

	if ((error = write_new_file(dfd, tmp, data, len, mode, NULL)) < 0)
		return error;
	if (renameat(dfd, tmp, dfd, name) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno),
					     "cannot rename into '%s'", name);
		unlinkat(dfd, tmp, 0);
		return error;
	}
	return venv_repair_fsync_dir(dfd, name);
}

/* Copy the file src (links followed: it is the base interpreter) into dfd/name. */
static int copy_new_file(int dfd, const char *name, const char *src, unsigned mode)
{
	struct vbuf data = VBUF_INIT(VBUF_MAX_MEMBER);
	int error;

	if ((error = venv_fs_read_file_at(&data, AT_FDCWD, src, VBUF_MAX_MEMBER)) < 0) {
		/* The base interpreter is usually a link: read through it. */
		char *real = realpath(src, NULL);

		if (!real)
			goto done;
		error = venv_fs_read_file_at(&data, AT_FDCWD, real, VBUF_MAX_MEMBER);
		free(real);
		if (error < 0)
			goto done;
	}
	error = write_new_file(dfd, name, data.buf, data.len, mode, NULL);
done:
	vbuf_release(&data);
	return error;
}

static int write_journal(struct venv_envdir *e, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	int error;

	if (!text)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	error = venv_repair_write_durable(e->fd, VENV_REPAIR_JOURNAL, JOURNAL_TMP, text, strlen(text),
				   0600);
	free(text);
	return error;
}

static int remove_journal(struct venv_envdir *e)
{
	if (unlinkat(e->fd, VENV_REPAIR_JOURNAL, 0) < 0 && errno != ENOENT)
		return venv_error_set_errno(VENV_EIO, "cannot remove the journal of '%s'", e->dir);
	unlinkat(e->fd, JOURNAL_TMP, 0);
	return venv_repair_fsync_dir(e->fd, e->dir);
}

int venv_journal_exists(struct venv_envdir *e)
{
	struct stat st;

	return fstatat(e->fd, VENV_REPAIR_JOURNAL, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static const char *kind_name(enum venv_fix_kind k)
{
	switch (k) {
	case VENV_FIX_WRITE: return "write";
	case VENV_FIX_SYMLINK: return "symlink";
	case VENV_FIX_MKDIR: return "mkdir";
	case VENV_FIX_REMOVE: return "remove";
	case VENV_FIX_COPY: return "copy";
	case VENV_FIX_CHMOD: return "chmod";
	}
	return "?";
}

/*
 * Drop write permission for others from dfd/base, never through a link;
 * nothing else of the mode changes, so doing it twice is harmless.
 */
static int drop_other_write(int dfd, const char *base, const char *path)
{
	struct stat st;
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0) {
		if (fstat(fd, &st) < 0 || fchmod(fd, st.st_mode & 07777 & ~(mode_t)S_IWOTH) < 0) {
			close(fd);
			return venv_error_set_errno(VENV_EIO, "cannot change the mode of '%s'", path);
		}
		close(fd);
		return 0;
	}
	/* Not readable: by name, once it is known not to be a link. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : venv_error_set_errno(VENV_EIO, "cannot read '%s'", path);
	if (S_ISLNK(st.st_mode))
		return 0;
	if (fchmodat(dfd, base, st.st_mode & 07777 & ~(mode_t)S_IWOTH, 0) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot change the mode of '%s'", path);
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Do the second phase of one journal entry; safe to repeat. */
static int entry_forward(struct venv_envdir *e, json_t *ent)
{
	const char *op = jstr(ent, "op"), *path = jstr(ent, "path"), *base;
	int dfd = venv_repair_open_parent(e->fd, path, &base), error = 0;

	if (dfd < 0) {
		/* A missing parent of a removal: nothing to remove. */
		if (!strcmp(op, "remove") && dfd == VENV_ENOTFOUND)
			return 0;
		return dfd;
	}
	if (!strcmp(op, "mkdir")) {
		if (mkdirat(dfd, base, (mode_t)json_integer_value(json_object_get(ent, "mode"))) < 0 &&
		    errno != EEXIST)
			error = venv_error_set_errno(VENV_EIO, "cannot create directory '%s'", path);
	} else if (!strcmp(op, "remove")) {
		if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
			error = venv_error_set_errno(VENV_EIO, "cannot remove '%s'", path);
	} else if (!strcmp(op, "chmod")) {
		error = drop_other_write(dfd, base, path);
	} else {
		const char *stage = jstr(ent, "stage");

		if (renameat(dfd, stage, dfd, base) < 0 && errno != ENOENT)
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot rename into '%s'", path);
	}
	if (!error)
		error = venv_repair_fsync_dir(dfd, path);
	close(dfd);
	return error;
}

/* Undo the first phase of one journal entry; safe to repeat. */
static int entry_back(struct venv_envdir *e, json_t *ent)
{
	const char *op = jstr(ent, "op"), *path = jstr(ent, "path"), *base;
	int dfd = venv_repair_open_parent(e->fd, path, &base);

	if (dfd < 0)
		return 0;   /* its directory was never made: nothing was staged */
	if (!strcmp(op, "mkdir")) {
		unlinkat(dfd, base, AT_REMOVEDIR);
	} else if (strcmp(op, "remove") && strcmp(op, "chmod")) {
		if (unlinkat(dfd, jstr(ent, "stage"), 0) < 0 && errno != ENOENT) {
			close(dfd);
			return venv_error_set_errno(VENV_EIO, "cannot remove the staged copy of '%s'",
						    path);
		}
	}
	close(dfd);
	return 0;
}

static int journal_forward(struct venv_envdir *e, json_t *j)
{
	json_t *fixes = json_object_get(j, "fixes"), *ent;
	size_t i;
	int error;

	json_array_foreach(fixes, i, ent) {
		if ((error = entry_forward(e, ent)) < 0)
			return error;
	}
	return remove_journal(e);
}

static int journal_back(struct venv_envdir *e, json_t *j)
{
	json_t *fixes = json_object_get(j, "fixes");
	size_t i = json_array_size(fixes);
	int error;

	while (i-- > 0) {
		if ((error = entry_back(e, json_array_get(fixes, i))) < 0)
			return error;
	}
	return remove_journal(e);
}

int venv_plan_apply(struct venv_envdir *e, const struct venv_plan *plan)
{
	json_t *j = NULL, *fixes;
	size_t i;
	int error = 0, committed = 0;

	if (!plan->nr)
		return 0;
	e->touched = 1;
	j = json_pack("{s:i, s:s, s:s, s:[]}", "venv-repair-journal", 1, "kind", "fix",
		      "state", "prepared", "fixes");
	if (!j)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	fixes = json_object_get(j, "fixes");
	/* In plan order: venv_plan_dirs_first() put directories first. */
	for (i = 0; i < plan->nr; i++) {
		const struct venv_fix *f = &plan->fixes[i];
		char stage[64];
		json_t *ent;

		snprintf(stage, sizeof(stage), VENV_REPAIR_PREFIX "-new.%zu", i);
		ent = json_pack("{s:s, s:s, s:s, s:i}", "op", kind_name(f->kind), "path", f->path,
				"stage", stage, "mode", (int)f->mode);
		if (!ent || json_array_append_new(fixes, ent)) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
	}
	/* Phase one: say what is about to happen, then stage it. */
	if ((error = write_journal(e, j)) < 0)
		goto done;
	for (i = 0; i < plan->nr && !error; i++) {
		const struct venv_fix *f = &plan->fixes[i];
		json_t *ent = json_array_get(fixes, i);
		const char *base, *stage = jstr(ent, "stage");
		struct stat st;
		int dfd;

		if (f->kind == VENV_FIX_REMOVE || f->kind == VENV_FIX_CHMOD)
			continue;
		if ((dfd = venv_repair_open_parent(e->fd, f->path, &base)) < 0) {
			error = dfd;
			break;
		}
		switch (f->kind) {
		case VENV_FIX_MKDIR:
			if (mkdirat(dfd, base, (mode_t)f->mode) < 0 && errno != EEXIST)
				error = venv_error_set_errno(VENV_EIO, "cannot create directory '%s'",
							     f->path);
			break;
		case VENV_FIX_WRITE:
			error = write_new_file(dfd, stage, f->data, f->len, f->mode,
					       fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 ?
					       &st : NULL);
			break;
		case VENV_FIX_SYMLINK:
			if (unlinkat(dfd, stage, 0) < 0 && errno != ENOENT)
				error = venv_error_set_errno(VENV_EIO, "cannot remove '%s'", stage);
			else if (symlinkat(f->data, dfd, stage) < 0)
				error = venv_error_set_errno(venv_error_from_errno(errno),
							     "cannot create a link for '%s'", f->path);
			break;
		case VENV_FIX_COPY:
			error = copy_new_file(dfd, stage, f->src, f->mode);
			break;
		case VENV_FIX_REMOVE:
		case VENV_FIX_CHMOD:
			break;
		}
		if (!error)
			error = venv_repair_fsync_dir(dfd, f->path);
		close(dfd);
	}
	if (error < 0)
		goto done;
	/* The commit point. */
	json_object_set_new(j, "state", json_string("committed"));
	if ((error = write_journal(e, j)) < 0)
		goto done;
	committed = 1;
	error = journal_forward(e, j);
done:
	if (error < 0 && !committed && j) {
		/* Undo the staging; the environment itself was not changed. */
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		if (journal_back(e, j) == 0)
			venv_error_set(error, "%s", msg);
		else
			venv_error_set(error, "%s (and the staged files could not be removed: %s; "
				       "run venv repair again)", msg, venv_error_last());
	}
	json_decref(j);
	return error;
}

/*
 * Copy the tree `name` of sdfd into ddfd (regular files with their bytes,
 * mode and times; links with their value; directories). Nothing is synced
 * here: venv_upgrade_begin syncs the file system once after the whole backup
 * (a syncfs writes what 30 fsyncs of bin/ would, for the cost of one).
 */
static int copy_tree(int sdfd, int ddfd, const char *name, int depth)
{
	struct stat st;
	struct timespec times[2];
	int error = 0;

	if (depth > 64)
		return venv_error_set(VENV_ETOOBIG, "'%s' is nested too deeply", name);
	if (fstatat(sdfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot stat '%s'", name);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdfd, name, target, sizeof(target) - 1);

		if (n < 0)
			return venv_error_set_errno(VENV_EIO, "cannot read the link '%s'", name);
		target[n] = '\0';
		if (symlinkat(target, ddfd, name) < 0)
			return venv_error_set_errno(VENV_EIO, "cannot back up the link '%s'", name);
		utimensat(ddfd, name, times, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		struct vbuf data = VBUF_INIT(VBUF_MAX_MEMBER);

		if ((error = venv_fs_read_file_at(&data, sdfd, name, VBUF_MAX_MEMBER)) >= 0 &&
		    (error = write_new_file_at(ddfd, name, data.buf, data.len, st.st_mode & 07777,
					       &st, 1)) >= 0)
			utimensat(ddfd, name, times, AT_SYMLINK_NOFOLLOW);
		vbuf_release(&data);
		return error;
	}
	if (S_ISDIR(st.st_mode)) {
		int sfd = -1, dfd = -1;
		DIR *d = NULL;
		struct dirent *de;

		if (mkdirat(ddfd, name, 0700) < 0)
			return venv_error_set_errno(VENV_EIO, "cannot back up '%s'", name);
		sfd = openat(sdfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dfd = openat(ddfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0 || dfd < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", name);
			goto dir_done;
		}
		{
			int dupfd = dup(sfd);

			if (dupfd < 0 || !(d = fdopendir(dupfd))) {
				if (dupfd >= 0)
					close(dupfd);
				error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", name);
				goto dir_done;
			}
			rewinddir(d);
		}
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if ((error = copy_tree(sfd, dfd, de->d_name, depth + 1)) < 0)
				goto dir_done;
		}
		if (fchmod(dfd, st.st_mode & 07777) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", name);
			goto dir_done;
		}
		futimens(dfd, times);
dir_done:
		if (d)
			closedir(d);
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
		return error;
	}
	return venv_error_set(VENV_EUNSAFE, "'%s' is not a file, a link or a directory", name);
}

static int exists_at(int dfd, const char *name)
{
	struct stat st;

	return name && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Put `name` of the backup directory bfd back at `name` of the environment. */
static int restore_entry(struct venv_envdir *e, int bfd, const char *name)
{
	int error;

	if (!exists_at(bfd, name))
		return 0;
	if (exists_at(e->fd, name)) {
		if ((error = venv_fs_remove_tree_at(e->fd, TRASH)) < 0)
			return error;
		if (renameat(e->fd, name, e->fd, TRASH) < 0)
			return venv_error_set_errno(VENV_EIO, "cannot move '%s' aside", name);
	}
	if (renameat(bfd, name, e->fd, name) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot restore '%s'", name);
	if ((error = venv_repair_fsync_dir(e->fd, e->dir)) < 0)
		return error;
	return venv_fs_remove_tree_at(e->fd, TRASH);
}

static int read_journal(struct venv_envdir *e, json_t **out)
{
	struct vbuf text = VBUF_INIT(JOURNAL_MAX);
	json_error_t jerr;
	int error;

	*out = NULL;
	if ((error = venv_fs_read_file_at(&text, e->fd, VENV_REPAIR_JOURNAL, JOURNAL_MAX)) < 0)
		goto done;
	*out = json_loadb(text.buf, text.len, 0, &jerr);
	if (!*out || !json_is_object(*out) ||
	    json_integer_value(json_object_get(*out, "venv-repair-journal")) != 1) {
		json_decref(*out);
		*out = NULL;
		error = venv_error_set(VENV_EINVAL, "the journal '%s/%s' is damaged (%s); "
				       "remove it after checking the environment by hand",
				       e->dir, VENV_REPAIR_JOURNAL, jerr.text);
	}
done:
	vbuf_release(&text);
	return error;
}

/*
 * The builder replaces pyvenv.cfg through "pyvenv.cfg.tmp-XXXXXX"
 * (common/fs.c); one killed before its rename leaves that behind.
 */
static int remove_builder_temps(struct venv_envdir *e)
{
	static const char prefix[] = "pyvenv.cfg.tmp-";
	DIR *d;
	struct dirent *de;
	int dupfd = dup(e->fd), error = 0;

	if (dupfd < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		return venv_error_set_errno(VENV_EIO, "cannot read '%s'", e->dir);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, sizeof(prefix) - 1) ||
		    strlen(de->d_name) != sizeof(prefix) - 1 + 6)
			continue;
		if (unlinkat(e->fd, de->d_name, 0) < 0 && errno != ENOENT) {
			error = venv_error_set_errno(VENV_EIO, "cannot remove '%s'", de->d_name);
			break;
		}
	}
	closedir(d);
	return error;
}

/*
 * Undo the renames of an upgrade: each [from, to] whose `to` exists is
 * renamed back (a file replaces what is at `from`: a RECORD rewritten in
 * place goes back to the one kept in the backup). A move that was never
 * made has no `to` and is skipped, so this is right wherever the upgrade
 * was killed.
 */
static int moves_back(struct venv_envdir *e, json_t *moves)
{
	size_t k = json_array_size(moves);

	while (k-- > 0) {
		json_t *m = json_array_get(moves, k);
		const char *from = json_string_value(json_array_get(m, 0));
		const char *to = json_string_value(json_array_get(m, 1));
		const char *fbase = NULL, *tbase = NULL;
		int fdir, tdir, error = 0;

		if (!from || !to)
			continue;
		if ((tdir = venv_repair_open_parent(e->fd, to, &tbase)) < 0) {
			venv_error_clear();
			continue;
		}
		if (!exists_at(tdir, tbase)) {
			close(tdir);
			continue;
		}
		if ((fdir = venv_repair_open_parent(e->fd, from, &fbase)) < 0) {
			close(tdir);
			return fdir;
		}
		if (renameat(tdir, tbase, fdir, fbase) < 0)
			error = venv_error_set_errno(VENV_EIO, "cannot move '%s' back to '%s'", to,
						     from);
		else
			error = venv_repair_fsync_dir(fdir, from);
		close(fdir);
		close(tdir);
		if (error < 0)
			return error;
	}
	return 0;
}

static int upgrade_back(struct venv_envdir *e, json_t *j)
{
	const char *new_lib = json_string_value(json_object_get(j, "new_lib"));
	int had_new_lib = json_is_true(json_object_get(j, "new_lib_existed"));
	int had_lib64 = json_is_true(json_object_get(j, "lib64_existed"));
	int bfd, error = 0;

	bfd = openat(e->fd, VENV_REPAIR_BACKUP, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		if (errno != ENOENT)
			return venv_error_set_errno(VENV_EIO, "cannot open the backup in '%s'", e->dir);
		return remove_journal(e);
	}
	if (!strcmp(jstr(j, "state"), "backup"))
		goto drop;
	/* What was moved goes back first, last move first (see venv_upgrade_journal_moves). */
	if ((error = moves_back(e, json_object_get(j, "moves"))) < 0)
		goto done;
	/* The new version's lib directory goes, or comes back as it was. */
	if (new_lib && *new_lib) {
		const char *base = NULL;
		int dfd = venv_repair_open_parent(e->fd, new_lib, &base);

		if (dfd >= 0) {
			if (!had_new_lib || exists_at(bfd, "newlib"))
				error = venv_fs_remove_tree_at(dfd, base);
			if (!error && had_new_lib && exists_at(bfd, "newlib") &&
			    renameat(bfd, "newlib", dfd, base) < 0)
				error = venv_error_set_errno(VENV_EIO, "cannot restore '%s'", new_lib);
			if (!error)
				error = venv_repair_fsync_dir(dfd, new_lib);
			close(dfd);
		}
		if (error < 0)
			goto done;
	}
	{
		json_t *created = json_object_get(j, "created");
		size_t k = json_array_size(created);

		/* Deepest first: the list goes from parents to children. */
		while (k-- > 0) {
			const char *rel = json_string_value(json_array_get(created, k)), *base = NULL;
			int dfd;

			if (!rel || (dfd = venv_repair_open_parent(e->fd, rel, &base)) < 0)
				continue;
			error = venv_fs_remove_tree_at(dfd, base);
			close(dfd);
			if (error < 0)
				goto done;
		}
	}
	if ((error = remove_builder_temps(e)) < 0 ||
	    (error = restore_entry(e, bfd, "bin")) < 0 ||
	    (error = restore_entry(e, bfd, "pyvenv.cfg")) < 0)
		goto done;
	if (had_lib64) {
		if ((error = restore_entry(e, bfd, "lib64")) < 0)
			goto done;
	} else if (unlinkat(e->fd, "lib64", 0) < 0 && errno != ENOENT && errno != EISDIR) {
		error = venv_error_set_errno(VENV_EIO, "cannot remove '%s/lib64'", e->dir);
		goto done;
	}
drop:
	if ((error = venv_fs_remove_tree_at(e->fd, VENV_REPAIR_BACKUP)) < 0 ||
	    (error = venv_repair_fsync_dir(e->fd, e->dir)) < 0)
		goto done;
	close(bfd);
	bfd = -1;
	error = remove_journal(e);
done:
	if (bfd >= 0)
		close(bfd);
	return error;
}

/*
 * Finish a committed upgrade: the old version's lib directory, the old
 * bytecode the journal lists ("stale") and the backup go into the trash (a
 * rename each; the caller has the trash emptied), then the journal; all of
 * it again after a crash, where what is gone already is passed over. Two
 * syncs: lib/ once the old version's directory left it,
 * before the journal goes (a crash that kept the journal's removal but lost
 * that rename would bring back lib/python3.X with nothing to say it is to
 * go); and the environment's directory once, after the backup's rename and
 * the journal's removal, both entries of that one directory. Should that
 * last sync not happen, a crash brings back the journal ("committing") and
 * the next repair finishes again, which changes nothing twice.
 */
static int upgrade_forward(struct venv_envdir *e, json_t *j)
{
	const char *old_lib = json_string_value(json_object_get(j, "old_lib"));
	json_t *stale = json_object_get(j, "stale");
	size_t k;
	int error;

	if (old_lib && *old_lib) {
		const char *base;
		int dfd = venv_repair_open_parent(e->fd, old_lib, &base);

		/* Gone already (a second run finishing the commit) is fine; unreadable is not. */
		if (dfd < 0 && dfd != VENV_ENOTFOUND)
			return dfd;
		venv_error_clear();
		if (dfd >= 0) {
			error = venv_repair_trash(e, old_lib);
			if (!error)
				error = venv_repair_fsync_dir(dfd, old_lib);
			close(dfd);
			if (error < 0)
				return error;
		}
	}
	/*
	 * The old bytecode of what was moved. One that cannot be moved aside
	 * (gone is fine) is an error with the journal kept: the next repair
	 * finishes the commit, instead of this one saying all is done.
	 */
	for (k = 0; k < json_array_size(stale); k++) {
		const char *rel = json_string_value(json_array_get(stale, k));

		if (rel && (error = venv_repair_trash(e, rel)) < 0)
			return error;
	}
	if ((error = remove_builder_temps(e)) < 0 ||
	    (error = venv_repair_trash(e, VENV_REPAIR_BACKUP)) < 0)
		return error;
	return remove_journal(e);
}

int venv_repair_recover(struct venv_envdir *e, struct vbuf *note)
{
	json_t *j = NULL;
	const char *kind, *state;
	int error;

	vbuf_reset(note);
	/* What a run killed while it was deleting left (trash.c). */
	if ((error = venv_fs_remove_tree_at(e->fd, VENV_REPAIR_DELETING)) < 0)
		return error;
	if (!venv_journal_exists(e)) {
		/* A journal that never got its name is only a leftover. */
		unlinkat(e->fd, JOURNAL_TMP, 0);
		return 0;
	}
	e->touched = 1;
	if ((error = read_journal(e, &j)) < 0)
		return error;
	kind = jstr(j, "kind");
	state = jstr(j, "state");
	if (!strcmp(kind, "fix")) {
		if (!strcmp(state, "committed")) {
			error = journal_forward(e, j);
			vbuf_adds(note, "finished an interrupted repair");
		} else {
			error = journal_back(e, j);
			vbuf_adds(note, "rolled back an interrupted repair (nothing had been changed)");
		}
	} else if (!strcmp(kind, "upgrade")) {
		if (!strcmp(state, "committing")) {
			if ((error = upgrade_forward(e, j)) == 0) {
				venv_repair_trash_empty(e);
				venv_repair_trash_finish(e);
			}
			vbuf_adds(note, "finished an interrupted upgrade");
		} else {
			error = upgrade_back(e, j);
			vbuf_addf(note, "rolled back an interrupted upgrade to '%s'", jstr(j, "python"));
		}
	} else {
		error = venv_error_set(VENV_EINVAL, "the journal '%s/%s' is of an unknown kind '%s'",
				       e->dir, VENV_REPAIR_JOURNAL, kind);
	}
	json_decref(j);
	return error < 0 ? error : 1;
}

int venv_upgrade_begin(struct venv_envdir *e, const char *python, const char *new_lib,
		       const char *old_lib, const char *const *watch)
{
	json_t *j, *created;
	size_t i;
	int bfd = -1, error, had_new_lib = 0, had_lib64 = exists_at(e->fd, "lib64");

	e->touched = 1;
	if (new_lib && old_lib) {
		const char *base = NULL;
		int dfd = venv_repair_open_parent(e->fd, new_lib, &base);

		if (dfd >= 0) {
			had_new_lib = exists_at(dfd, base);
			close(dfd);
		}
	}
	j = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:b, s:s?, s:b}", "venv-repair-journal", 1,
		      "kind", "upgrade", "state", "backup", "python", python,
		      "new_lib", old_lib ? new_lib : NULL, "new_lib_existed", had_new_lib,
		      "old_lib", old_lib, "lib64_existed", had_lib64);
	if (!j)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* Directories the upgrade may create: a roll-back removes them again. */
	created = json_array();
	json_object_set_new(j, "created", created);
	for (i = 0; watch && watch[i]; i++) {
		struct stat st;

		if (fstatat(e->fd, watch[i], &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			json_array_append_new(created, json_string(watch[i]));
	}
	if ((error = venv_fs_remove_tree_at(e->fd, VENV_REPAIR_BACKUP)) < 0 ||
	    (error = write_journal(e, j)) < 0)
		goto done;
	if (mkdirat(e->fd, VENV_REPAIR_BACKUP, 0700) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot create the backup in '%s'", e->dir);
		goto done;
	}
	bfd = openat(e->fd, VENV_REPAIR_BACKUP, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open the backup in '%s'", e->dir);
		goto done;
	}
	if ((exists_at(e->fd, "bin") && (error = copy_tree(e->fd, bfd, "bin", 0)) < 0) ||
	    (exists_at(e->fd, "pyvenv.cfg") &&
	     (error = copy_tree(e->fd, bfd, "pyvenv.cfg", 0)) < 0) ||
	    (had_lib64 && (error = copy_tree(e->fd, bfd, "lib64", 0)) < 0))
		goto done;
	/* A new-version lib directory in the way is moved into the backup whole. */
	if (had_new_lib) {
		const char *base = NULL;
		int dfd = venv_repair_open_parent(e->fd, new_lib, &base);

		if (dfd < 0) {
			error = dfd;
			goto done;
		}
		if (renameat(dfd, base, bfd, "newlib") < 0)
			error = venv_error_set_errno(VENV_EIO, "cannot move '%s' aside", new_lib);
		close(dfd);
		if (error < 0)
			goto done;
	}
	/*
	 * The backup is durable before the journal says "applying" (which a
	 * roll-back trusts to hold all of bin/ and pyvenv.cfg) and so before
	 * the first change: one syncfs writes the copied files and the backup's
	 * directories, what an fsync of each (some 30 in bin/) would.
	 */
	if ((error = venv_repair_syncfs(e->fd, e->dir)) < 0)
		goto done;
	json_object_set_new(j, "state", json_string("applying"));
	if ((error = write_journal(e, j)) < 0)
		goto done;
	json_decref((json_t *)e->upgrade);
	e->upgrade = j;
	j = NULL;
done:
	if (bfd >= 0)
		close(bfd);
	if (error < 0 && j) {
		/* Nothing of the environment was changed yet: drop the partial backup. */
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		json_object_set_new(j, "state", json_string("backup"));
		upgrade_back(e, j);
		venv_error_set(error, "%s", msg);
	}
	json_decref(j);
	return error;
}

int venv_upgrade_journal_moves(struct venv_envdir *e, const char *const *pairs, size_t n)
{
	json_t *moves;
	size_t i;

	if (!e->upgrade)
		return venv_error_set(VENV_ERROR, "no upgrade in progress");
	moves = json_object_get(e->upgrade, "moves");
	if (!moves) {
		moves = json_array();
		if (!moves || json_object_set_new(e->upgrade, "moves", moves) < 0)
			return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		if (json_array_append_new(moves, json_pack("[s, s]", pairs[2 * i],
							   pairs[2 * i + 1])) < 0)
			return venv_error_set(VENV_ENOMEM, "out of memory");
	return write_journal(e, e->upgrade);
}

int venv_upgrade_journal_stale(struct venv_envdir *e, const char *const *paths, size_t n)
{
	json_t *a;
	size_t i;

	if (!e->upgrade)
		return venv_error_set(VENV_ERROR, "no upgrade in progress");
	if (!(a = json_array()) || json_object_set_new(e->upgrade, "stale", a) < 0)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(paths[i])) < 0)
			return venv_error_set(VENV_ENOMEM, "out of memory");
	return 0;
}

int venv_upgrade_commit(struct venv_envdir *e)
{
	int error;

	if (!e->upgrade)
		return venv_error_set(VENV_ERROR, "no upgrade in progress");
	/*
	 * Every change is durable before the journal says "committing": from
	 * then on a crash is rolled forward and the backup is dropped. The
	 * builder's files, the moves, the RECORDs and scripts written again, a
	 * wheel's files: one syncfs for all of them.
	 */
	if ((error = venv_repair_syncfs(e->fd, e->dir)) < 0)
		return error;
	json_object_set_new(e->upgrade, "state", json_string("committing"));
	if ((error = write_journal(e, e->upgrade)) < 0)
		return error;
	if ((error = upgrade_forward(e, e->upgrade)) < 0) {
		char text[1024];

		snprintf(text, sizeof(text), "%s", venv_error_last());
		venv_error_set(error, "%s (the upgrade itself is done; run venv repair again to "
			       "finish removing what the old version left)", text);
	}
	json_decref(e->upgrade);
	e->upgrade = NULL;
	return error;
}

int venv_upgrade_rollback(struct venv_envdir *e)
{
	int error;

	if (!e->upgrade)
		return 0;
	error = upgrade_back(e, e->upgrade);
	json_decref(e->upgrade);
	e->upgrade = NULL;
	return error;
}
