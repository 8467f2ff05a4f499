/*
 * The transaction of repair (see txn.h): the environment directory and
 * its lock, the durable file operations, the journal, a plan applied in
 * two phases under it, and the recovery of an interrupted repair or
 * upgrade. The upgrade's own transaction (its backup, the journaled
 * moves, the commit and the roll-back) is in txn_upgrade.c.
 */
#include "compat.h"
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
#include "txn_int.h"

#define JOURNAL_TMP ".venv-repair.journal.new"
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

/*
 * Are the components of rel[0..len) (no empty one, none "." or "..", none
 * longer than NAME_MAX) what open_dir_part() may hand to openat2 as they are?
 */
static int plain_components(const char *rel, size_t len)
{
	const char *p = rel, *end = rel + len;

	if (!len)
		return 0;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = (size_t)((slash ? slash : end) - p);

		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

int venv_repair_open_parent(int rootfd, const char *rel, const char **base)
{
	const char *p, *slash, *last = strrchr(rel, '/');
	int fd;

	/*
	 * Set on failure too, though no caller reads it then: the analyzer
	 * cannot tell that venv_error_set() returns the (negative) code.
	 */
	*base = rel;
	/* A bad component anywhere: the walk below refuses it as it always has. */
	p = last ? last + 1 : rel;
	if (last && plain_components(rel, (size_t)(last - rel)) && *p && strcmp(p, ".") &&
	    strcmp(p, "..") && (fd = open_dir_part(rootfd, rel, (size_t)(last - rel))) != -2) {
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

int venv_repair_open_dir(int rootfd, const char *rel)
{
	const char *base;
	int pfd, fd;

	if (plain_components(rel, strlen(rel)) &&
	    (fd = open_dir_part(rootfd, rel, strlen(rel))) != -2) {
		if (fd < 0)
			return venv_error_set_errno(errno == ELOOP ? VENV_EUNSAFE :
						    venv_error_from_errno(errno),
						    "cannot open '%s'", rel);
		return fd;
	}
	if ((pfd = venv_repair_open_parent(rootfd, rel, &base)) < 0)
		return pfd;
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return venv_error_set_errno(errno == ELOOP ? VENV_EUNSAFE :
					    venv_error_from_errno(errno), "cannot open '%s'", rel);
	return fd;
}

/*
 * Create `name` in dfd exclusively with exactly `mode`, write, and fsync
 * unless `nosync` (the caller syncs the whole file system after a batch).
 */
int venv_txn__write_new_file_at(int dfd, const char *name, const void *data, size_t len,
				unsigned mode, const struct stat *owner, int nosync)
{
	int fd, error = 0;

	/*
	 * Made new; what is in the way (a leftover of a run killed here) is
	 * removed only when it is there: on a read-only file system the error
	 * is then the creation's, not that of removing something absent.
	 */
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			return venv_error_set_errno(VENV_EIO, "cannot remove '%s'", name);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
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
	return venv_txn__write_new_file_at(dfd, name, data, len, mode, owner, 0);
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

/*
 * Copy the file src (links followed: it is the base interpreter) into
 * dfd/name, not synced (the caller syncs the file system after a batch).
 */
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
	error = venv_txn__write_new_file_at(dfd, name, data.buf, data.len, mode, NULL, 1);
done:
	vbuf_release(&data);
	return error;
}

/*
 * The journal j, durable: written under its temporary name, synced, then
 * renamed over the old one and its directory synced. With sync_all, the
 * whole file system is synced instead of the new journal alone, before the
 * rename: the changes the journal's state stands for and the journal itself
 * are written by the one syncfs a commit makes anyway (one wait for the
 * device fewer), and the old journal still holds until the rename.
 */
static int write_journal(struct venv_envdir *e, json_t *j, int sync_all)
{
	char *text = venv_txn__journal_text(j);
	int error;

	if (!text)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* The journal replaced goes to the trash where there is one (see venv_repair_trash_keep). */
	if (venv_repair_trash_made(e))
		venv_repair_trash_keep(e, e->fd, VENV_REPAIR_JOURNAL, 0);
	if (!sync_all) {
		error = venv_repair_write_durable(e->fd, VENV_REPAIR_JOURNAL, JOURNAL_TMP, text,
						  strlen(text), 0600);
	} else if ((error = venv_txn__write_new_file_at(e->fd, JOURNAL_TMP, text, strlen(text),
							0600, NULL, 1)) == 0) {
		if ((error = venv_repair_syncfs(e->fd, e->dir)) == 0 &&
		    renameat(e->fd, JOURNAL_TMP, e->fd, VENV_REPAIR_JOURNAL) < 0)
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot rename into '%s'", VENV_REPAIR_JOURNAL);
		if (error < 0)
			unlinkat(e->fd, JOURNAL_TMP, 0);
		else
			error = venv_repair_fsync_dir(e->fd, VENV_REPAIR_JOURNAL);
	}
	free(text);
	if (error < 0 && error != VENV_ENOMEM) {
		char msg[2048];

		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		error = venv_error_set(error, "cannot write the journal of '%s': %s", e->dir, msg);
	}
	return error;
}

int venv_txn__write_journal(struct venv_envdir *e, json_t *j)
{
	return write_journal(e, j, 0);
}

int venv_txn__write_journal_synced(struct venv_envdir *e, json_t *j)
{
	return write_journal(e, j, 1);
}

int venv_txn__remove_journal(struct venv_envdir *e)
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
 * The one change of mode: drop write permission for others from dfd/base
 * and add the execute bits of `add` (the planned mode's: VNV415 gives a
 * console script its execute bits back, VNV409's plan adds none the file
 * did not have), never through a link; nothing else of the mode changes,
 * so doing it twice is harmless.
 */
static int set_mode(int dfd, const char *base, const char *path, mode_t add)
{
	struct stat st;
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	add &= 0111;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0) {
		if (fstat(fd, &st) < 0 ||
		    fchmod(fd, (st.st_mode & 07777 & ~(mode_t)S_IWOTH) | add) < 0) {
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
	if (fchmodat(dfd, base, (st.st_mode & 07777 & ~(mode_t)S_IWOTH) | add, 0) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot change the mode of '%s'", path);
	return 0;
}

/*
 * Do the second phase of one journal entry; safe to repeat. Made durable
 * by the caller, for all entries at once (journal_forward()).
 */
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
		error = set_mode(dfd, base, path,
				 (mode_t)json_integer_value(json_object_get(ent, "mode")));
	} else {
		const char *stage = jstr(ent, "stage");

		if (renameat(dfd, stage, dfd, base) < 0 && errno != ENOENT)
			error = venv_error_set_errno(venv_error_from_errno(errno),
						     "cannot rename into '%s'", path);
	}
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
	/*
	 * Every rename, removal and new directory is on disk before the
	 * journal that would redo them goes: one syncfs for all of them,
	 * instead of an fsync of each one's directory.
	 */
	if ((error = venv_repair_syncfs(e->fd, e->dir)) < 0)
		return error;
	return venv_txn__remove_journal(e);
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
	return venv_txn__remove_journal(e);
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
		ent = json_pack("{s:s, s:o, s:s, s:i}", "op", kind_name(f->kind), "path",
				venv_txn__jpath(f->path), "stage", stage, "mode", (int)f->mode);
		if (!ent || json_array_append_new(fixes, ent)) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
	}
	/* Phase one: say what is about to happen, then stage it. */
	if ((error = venv_txn__write_journal(e, j)) < 0) {
		/* No journal (a read-only file system), nothing staged: nothing to undo. */
		if (!venv_journal_exists(e)) {
			json_decref(j);
			return error;
		}
		goto done;
	}
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
			error = venv_txn__write_new_file_at(dfd, stage, f->data, f->len, f->mode,
							    fstatat(dfd, base, &st,
								    AT_SYMLINK_NOFOLLOW) == 0 ?
							    &st : NULL, 1);
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
		close(dfd);
	}
	/*
	 * Everything staged is on disk before the commit: one syncfs writes
	 * the files and their directories, what an fsync of each file and
	 * each directory would (30 rewritten scripts of a moved environment:
	 * 60 waits for the device).
	 */
	if (error < 0)
		goto done;
	/* The commit point, written with them by one syncfs. */
	json_object_set_new(j, "state", json_string("committed"));
	if ((error = venv_txn__write_journal_synced(e, j)) < 0)
		goto done;
	committed = 1;
	if ((error = journal_forward(e, j)) < 0 && error != VENV_ENOMEM) {
		char msg[2048];

		/* Committed: the journal stays, and the next repair carries it through. */
		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		venv_error_set(error, "%s (the repair was committed: run venv repair again to "
			       "finish it)", msg);
	}
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

static int read_journal(struct venv_envdir *e, json_t **out)
{
	struct vbuf text = VBUF_INIT(JOURNAL_MAX);
	json_error_t jerr;
	int error;

	*out = NULL;
	if ((error = venv_fs_read_file_at(&text, e->fd, VENV_REPAIR_JOURNAL, JOURNAL_MAX)) < 0) {
		char msg[2048];

		/* Which environment's, and what to do: as for a journal that does not parse. */
		snprintf(msg, sizeof(msg), "%s", venv_error_last());
		if (error != VENV_ENOMEM)
			error = venv_error_set(error, "cannot read the journal '%s/%s' (%s); remove "
					       "it after checking the environment by hand", e->dir,
					       VENV_REPAIR_JOURNAL, msg);
		goto done;
	}
	*out = json_loadb(text.buf, text.len, 0, &jerr);
	/* Why it is damaged goes where Jansson put why it does not parse. */
	if (*out && (!json_is_object(*out) ||
		     json_integer_value(json_object_get(*out, "venv-repair-journal")) != 1))
		snprintf(jerr.text, sizeof(jerr.text), "not a journal of version 1, which this venv "
			 "writes");
	else if (*out && (error = venv_txn__journal_decode(*out)) < 0)
		snprintf(jerr.text, sizeof(jerr.text), "%s", venv_error_last());
	else if (*out)
		goto done;
	json_decref(*out);
	*out = NULL;
	if (error != VENV_ENOMEM)
		error = venv_error_set(VENV_EINVAL, "the journal '%s/%s' is damaged (%s); "
				       "remove it after checking the environment by hand",
				       e->dir, VENV_REPAIR_JOURNAL, jerr.text);
done:
	vbuf_release(&text);
	return error;
}

/*
 * A fix journal is acted on only as this file writes one: each entry an op
 * it knows, a path, and for what is staged a stage name of its own making
 * (".venv-repair-new.N", beside the path). Anything else (a journal
 * someone wrote, a stage of "/tmp/x" or "../../x") is damaged: recovery
 * would otherwise remove or rename whatever it names, outside the
 * environment too.
 */
static int fix_journal_ok(json_t *j)
{
	static const char prefix[] = VENV_REPAIR_PREFIX "-new.";
	json_t *fixes = json_object_get(j, "fixes"), *ent;
	size_t i;

	if (!json_is_array(fixes))
		return 0;
	json_array_foreach(fixes, i, ent) {
		const char *op = jstr(ent, "op"), *path = jstr(ent, "path"), *stage, *d;

		if (!json_is_object(ent) || !*path)
			return 0;
		if (!strcmp(op, "mkdir") || !strcmp(op, "remove") || !strcmp(op, "chmod"))
			continue;
		if (strcmp(op, "write") && strcmp(op, "symlink") && strcmp(op, "copy"))
			return 0;
		stage = jstr(ent, "stage");
		if (strncmp(stage, prefix, sizeof(prefix) - 1))
			return 0;
		d = stage + sizeof(prefix) - 1;
		if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 20)
			return 0;
	}
	return 1;
}

int venv_repair_recover(struct venv_envdir *e, struct vbuf *note)
{
	json_t *j = NULL;
	const char *kind, *state;
	int error;

	vbuf_reset(note);
	/* What a run killed while it was deleting left (trash.c), here or beside. */
	if ((error = venv_fs_remove_tree_at(e->fd, VENV_REPAIR_DELETING)) < 0)
		return error;
	venv_repair_trash_sweep(e);
	if (!venv_journal_exists(e)) {
		/*
		 * A journal that never got its name is only a leftover; so is an
		 * upgrade's backup without one (venv_upgrade_begin: the environment
		 * was not changed yet).
		 */
		unlinkat(e->fd, JOURNAL_TMP, 0);
		return venv_fs_remove_tree_at(e->fd, VENV_REPAIR_BACKUP);
	}
	e->touched = 1;
	if ((error = read_journal(e, &j)) < 0)
		return error;
	kind = jstr(j, "kind");
	state = jstr(j, "state");
	if (!strcmp(kind, "fix") && !fix_journal_ok(j)) {
		error = venv_error_set(VENV_EINVAL, "the journal '%s/%s' is damaged (an entry this "
				       "tool does not write); remove it after checking the "
				       "environment by hand", e->dir, VENV_REPAIR_JOURNAL);
	} else if (!strcmp(kind, "fix")) {
		if (!strcmp(state, "committed")) {
			if ((error = journal_forward(e, j)) >= 0)
				error = vbuf_adds(note, "finished an interrupted repair");
		} else {
			if ((error = journal_back(e, j)) >= 0)
				error = vbuf_adds(note, "rolled back an interrupted repair (nothing "
						  "had been changed)");
		}
	} else if (!strcmp(kind, "upgrade")) {
		if (!strcmp(state, "committing")) {
			if ((error = venv_txn__upgrade_forward(e, j)) == 0) {
				venv_repair_trash_empty(e);
				venv_repair_trash_finish(e);
				error = vbuf_adds(note, "finished an interrupted upgrade");
			}
		} else {
			if ((error = venv_txn__upgrade_back(e, j)) >= 0)
				error = vbuf_addf(note, "rolled back an interrupted upgrade to '%s'",
						  jstr(j, "python"));
		}
	} else {
		error = venv_error_set(VENV_EINVAL, "the journal '%s/%s' is of an unknown kind '%s'",
				       e->dir, VENV_REPAIR_JOURNAL, kind);
	}
	json_decref(j);
	return error < 0 ? error : 1;
}
