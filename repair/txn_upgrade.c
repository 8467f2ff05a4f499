/*
 * The upgrade's transaction (see txn.h): a backup of what `repair
 * --upgrade` may change, the journal of its moves and of what the commit
 * removes, the commit, and the roll-back from the backup (also the one
 * venv_repair_recover() of txn.c does for an upgrade that was killed).
 */
#include "compat.h"
#include <dirent.h>
#include "error.h"
#include "fs.h"
#include "txn.h"
#include "txn_int.h"

#define TRASH ".venv-repair-trash"

/*
 * Copy the tree `name` of sdfd into ddfd (regular files by a hard link
 * with links, else with their bytes, mode and times; links with their
 * value; directories). Nothing is synced here: venv_upgrade_begin syncs
 * the file system once after the whole backup (a syncfs writes what 30
 * fsyncs of bin/ would, for the cost of one).
 */
static int copy_tree(int sdfd, int ddfd, const char *name, int depth, int links)
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
	/*
	 * With links, a file is kept by a second name: nothing of ours writes
	 * a file of bin/ or pyvenv.cfg in place (each is replaced by a rename:
	 * common/fs.c), so the inode the backup names keeps the old bytes, for
	 * one system call instead of a read and a write of each file. Where
	 * the file system refuses (no hard links, or a file of another owner
	 * under protected_hardlinks), it is copied, as it is without links.
	 */
	if (links && S_ISREG(st.st_mode) && linkat(sdfd, name, ddfd, name, 0) == 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		struct vbuf data = VBUF_INIT(VBUF_MAX_MEMBER);

		if ((error = venv_fs_read_file_at(&data, sdfd, name, VBUF_MAX_MEMBER)) >= 0 &&
		    (error = venv_txn__write_new_file_at(ddfd, name, data.buf, data.len,
							 st.st_mode & 07777, &st, 1)) >= 0)
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
			if ((error = copy_tree(sfd, dfd, de->d_name, depth + 1, links)) < 0)
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

int venv_txn__upgrade_back(struct venv_envdir *e, json_t *j)
{
	const char *new_lib = json_string_value(json_object_get(j, "new_lib"));
	int had_new_lib = json_is_true(json_object_get(j, "new_lib_existed"));
	int had_lib64 = json_is_true(json_object_get(j, "lib64_existed"));
	int bfd, error = 0;

	bfd = openat(e->fd, VENV_REPAIR_BACKUP, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		if (errno != ENOENT)
			return venv_error_set_errno(VENV_EIO, "cannot open the backup in '%s'", e->dir);
		return venv_txn__remove_journal(e);
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
	error = venv_txn__remove_journal(e);
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
int venv_txn__upgrade_forward(struct venv_envdir *e, json_t *j)
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
	return venv_txn__remove_journal(e);
}

int venv_upgrade_begin(struct venv_envdir *e, const char *python, const char *new_lib,
		       const char *old_lib, const char *const *watch)
{
	json_t *j, *created;
	size_t i;
	int bfd = -1, error, had_new_lib = 0, had_lib64 = exists_at(e->fd, "lib64");

	e->touched = 1;
	/*
	 * The commit moves what the upgrade leaves into the trash: made now,
	 * it keeps the journals and files replaced until then too (see
	 * venv_repair_trash_keep). Without one, they are freed as before.
	 */
	if (venv_repair_trash_open(e) < 0)
		venv_error_clear();
	if (new_lib && old_lib) {
		const char *base = NULL;
		int dfd = venv_repair_open_parent(e->fd, new_lib, &base);

		if (dfd >= 0) {
			had_new_lib = exists_at(dfd, base);
			close(dfd);
		}
	}
	j = json_pack("{s:i, s:s, s:s, s:o, s:s?, s:b, s:s?, s:b}", "venv-repair-journal", 1,
		      "kind", "upgrade", "state", "backup", "python", venv_txn__jpath(python),
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
			json_array_append_new(created, venv_txn__jpath(watch[i]));
	}
	/*
	 * The journal comes first only when the backup changes the environment
	 * (a new-version lib directory moved into it). Otherwise, until the
	 * journal says "applying", the environment is as it was and a crash
	 * leaves at most a backup without a journal, which the next repair
	 * removes (venv_repair_recover): one journal write (two waits for the
	 * device) fewer.
	 */
	if ((error = venv_fs_remove_tree_at(e->fd, VENV_REPAIR_BACKUP)) < 0 ||
	    (had_new_lib && (error = venv_txn__write_journal(e, j)) < 0))
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
	if ((exists_at(e->fd, "bin") &&
	     (error = copy_tree(e->fd, bfd, "bin", 0, e->backup_links)) < 0) ||
	    (exists_at(e->fd, "pyvenv.cfg") &&
	     (error = copy_tree(e->fd, bfd, "pyvenv.cfg", 0, e->backup_links)) < 0) ||
	    (had_lib64 && (error = copy_tree(e->fd, bfd, "lib64", 0, e->backup_links)) < 0))
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
	 * directories, what an fsync of each (some 30 in bin/) would, and the
	 * journal with them.
	 */
	json_object_set_new(j, "state", json_string("applying"));
	if ((error = venv_txn__write_journal_synced(e, j)) < 0)
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
		venv_txn__upgrade_back(e, j);
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
		if (json_array_append_new(moves, json_pack("[o, o]", venv_txn__jpath(pairs[2 * i]),
							   venv_txn__jpath(pairs[2 * i + 1]))) < 0)
			return venv_error_set(VENV_ENOMEM, "out of memory");
	return venv_txn__write_journal(e, e->upgrade);
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
		if (json_array_append_new(a, venv_txn__jpath(paths[i])) < 0)
			return venv_error_set(VENV_ENOMEM, "out of memory");
	return 0;
}

/*
 * bin/ is in the backup, which a roll-back puts back whole, and the
 * commit's syncfs writes what is made here with the rest: these fixes need
 * no journal of their own, whose two journal writes and two syncs, after
 * the commit, cost an upgrade in place as much as its own commit.
 */
int venv_upgrade_write_bin(struct venv_envdir *e, const struct venv_plan *plan)
{
	size_t i;
	int bfd, error = 0;

	for (i = 0; i < plan->nr; i++) {
		const struct venv_fix *f = &plan->fixes[i];
		const char *name = f->path + 4;

		if (f->kind != VENV_FIX_WRITE || strncmp(f->path, "bin/", 4) || !*name ||
		    strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
			return 0;
	}
	if (!e->upgrade || !plan->nr)
		return 0;
	bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0)
		return venv_error_set_errno(VENV_EIO, "cannot open '%s/bin'", e->dir);
	for (i = 0; i < plan->nr && !error; i++) {
		const struct venv_fix *f = &plan->fixes[i];
		char stage[64];
		struct stat st;

		snprintf(stage, sizeof(stage), VENV_REPAIR_PREFIX "-new.%zu", i);
		if ((error = venv_txn__write_new_file_at(bfd, stage, f->data, f->len, f->mode,
							 fstatat(bfd, f->path + 4, &st,
								 AT_SYMLINK_NOFOLLOW) == 0 ?
							 &st : NULL, 1)) < 0)
			break;
		/* The script replaced stays in the trash until repair has exited. */
		venv_repair_trash_keep(e, bfd, f->path + 4, 0);
		if (renameat(bfd, stage, bfd, f->path + 4) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot replace '%s'", f->path);
			unlinkat(bfd, stage, 0);
		}
	}
	close(bfd);
	return error < 0 ? error : 1;
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
	 * wheel's files: one syncfs for all of them, and the journal with them.
	 */
	json_object_set_new(e->upgrade, "state", json_string("committing"));
	if ((error = venv_txn__write_journal_synced(e, e->upgrade)) < 0)
		return error;
	if ((error = venv_txn__upgrade_forward(e, e->upgrade)) < 0) {
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
	error = venv_txn__upgrade_back(e, e->upgrade);
	json_decref(e->upgrade);
	e->upgrade = NULL;
	return error;
}
