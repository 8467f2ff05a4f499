#ifndef VENV_REPAIR_TXN_H
#define VENV_REPAIR_TXN_H

#include "vbuf.h"
#include "plan.h"
#include "lock.h"
#include "model.h"

/*
 * Never lose anything: the lock, the journal and the file operations of
 * repair.
 *
 * The lock is the one every command that changes an environment takes
 * (common/lock.h), beside the environment: a lock file whose flock can be
 * taken at once belongs to a command that died (stale) and is taken over.
 * The lock descriptor is inherited by the programs repair runs (pip), so a
 * repair killed while pip goes on cannot be recovered from under it.
 *
 * The journal is <env>/.venv-repair.journal (JSON), always replaced by
 * write-temp, fsync, rename, fsync of the directory. A plan is applied in
 * two phases: every new file is first written under a staging name next to
 * its target, with the journal in state "prepared", and one syncfs puts
 * them all on disk; then the journal goes to "committed", the staged files
 * are renamed over their targets, and one more syncfs comes before the
 * journal is removed (an fsync of each file and of its directory, twice, was
 * 90 waits for the device for the 30 scripts of a moved environment). A
 * repair killed before the commit is rolled back (the staged files are
 * removed: the environment was never changed); one killed after it is
 * rolled forward (the remaining renames are done). An
 * upgrade keeps a backup of everything it may change (bin/, pyvenv.cfg,
 * lib64) in <env>/.venv-repair-backup and is rolled back from it until it
 * is committed.
 */

#define VENV_REPAIR_JOURNAL VENV_MODEL_REPAIR_JOURNAL
#define VENV_REPAIR_BACKUP ".venv-repair-backup"
#define VENV_REPAIR_PREFIX ".venv-repair"
/* What a committed upgrade no longer needs, being deleted (trash.c). */
#define VENV_REPAIR_DELETING VENV_MODEL_REPAIR_DELETING

struct venv_trash;

struct venv_envdir {
	char *dir;       /* absolute, not resolved */
	int fd;          /* the directory, opened without following a link */
	int lock_fd;     /* -1 when not locked */
	void *upgrade;   /* private: the journal of an upgrade in progress */
	struct venv_trash *trash;  /* private: what is being deleted (trash.c) */
	struct timespec times[2];  /* the directory's atime and mtime before the lock */
	int touched;     /* something in it was (or may have been) changed */
	struct venv_lock lock;
	/* Told once when the lock is busy and waited for; may be NULL. */
	void (*waiting)(void *payload, const char *msg);
	void *payload;
	/*
	 * venv_upgrade_begin backs bin/ and pyvenv.cfg up by hard links, not
	 * copies: for a caller that changes them only by replacing files (a
	 * rename over them, as common/fs.c writes), never by writing one in
	 * place, which would change the backup's copy too.
	 */
	int backup_links;
};

#define VENV_ENVDIR_INIT { NULL, -1, -1, NULL, NULL, { { 0, 0 }, { 0, 0 } }, 0, \
			   VENV_LOCK_INIT, NULL, NULL, 0 }

/* Open an environment directory (a symbolic link is refused). */
int venv_envdir_open(struct venv_envdir *e, const char *dir);
void venv_envdir_close(struct venv_envdir *e);

/*
 * Take the lock, waiting for another holder up to $VENV_LOCK_TIMEOUT
 * seconds (then VENV_EBUSY); *stale is set to 1 when a dead command's lock
 * file was taken over. The directory is then opened again: what was
 * waited for may have replaced it (a restore).
 */
int venv_repair_lock(struct venv_envdir *e, int *stale);
void venv_repair_unlock(struct venv_envdir *e);

/*
 * Give the directory back the times it had before the lock was taken
 * (for a repair that changed nothing at its top).
 */
void venv_repair_keep_times(struct venv_envdir *e);

/* 1 when a journal exists (an earlier repair was interrupted). */
int venv_journal_exists(struct venv_envdir *e);

/*
 * Finish or roll back an interrupted repair. `note` receives one line that
 * says what was done. Returns 1 when there was something to recover.
 */
int venv_repair_recover(struct venv_envdir *e, struct vbuf *note);

/* Apply a plan under the journal (see above). */
int venv_plan_apply(struct venv_envdir *e, const struct venv_plan *plan);

/*
 * The upgrade transaction. begin: back up what an upgrade may change and
 * journal the intent (new_lib is the site-packages directory's lib/pythonX.Y
 * of the new version, old_lib the old one when the minor version changes,
 * else NULL; watch lists directories, parents first, that the upgrade may
 * create and a roll-back removes). commit: drop the backup and old_lib.
 * rollback: put everything back as it was.
 */
int venv_upgrade_begin(struct venv_envdir *e, const char *python, const char *new_lib,
		       const char *old_lib, const char *const *watch);
int venv_upgrade_commit(struct venv_envdir *e);

/*
 * Journal renames the upgrade is about to make: pairs holds n pairs of
 * paths relative to the environment, from then to. The journal is durable
 * before this returns; a roll-back renames back, last first, every pair
 * whose `to` exists (so a pair journaled but never done is harmless).
 */
int venv_upgrade_journal_moves(struct venv_envdir *e, const char *const *pairs, size_t n);

/*
 * What the commit removes besides the old version's lib directory (the old
 * bytecode of moved packages: paths relative to the environment, files or
 * whole directories). Kept in the journal's "committing" state, so that an
 * upgrade killed after it is finished by the next repair with these gone
 * too; nothing is written here.
 */
int venv_upgrade_journal_stale(struct venv_envdir *e, const char *const *paths, size_t n);
int venv_upgrade_rollback(struct venv_envdir *e);

/*
 * Make plan's fixes inside the upgrade's transaction, between begin and
 * commit, when each writes one file of bin/ (what repair plans from its
 * first look: the activation scripts): 1 when made, 0 when plan is not of
 * that kind (nothing done: the caller applies it in a transaction of its
 * own, venv_plan_apply), or an error (the caller rolls the upgrade back).
 */
int venv_upgrade_write_bin(struct venv_envdir *e, const struct venv_plan *plan);

/*
 * Deleting off the critical path (trash.c). venv_repair_trash() renames the
 * environment-relative rel (a file or a whole tree; gone already is fine)
 * into <env>/.venv-repair-deleting; venv_repair_trash_empty() starts a
 * thread that removes that directory (or removes it at once when no thread
 * can be started); venv_repair_trash_wait() joins it. venv_repair_unlock()
 * calls venv_repair_trash_finish(), which joins it and removes whatever is
 * still in the trash, so repair never returns with it still there. A run
 * killed meanwhile leaves the directory: venv_repair_recover() removes it.
 */
int venv_repair_trash(struct venv_envdir *e, const char *rel);
/*
 * The file dfd/name kept in the trash before it is replaced by a rename
 * (move 0: a hard link) or removed (move 1: moved there instead): freeing
 * its inode while repair runs costs the removal's wait for the device
 * (ext4 discards freed blocks at once where mounted so), and every file
 * created after it in that block group of inodes passes over the inode
 * freed (ext4's recently_deleted()): an upgrade creates hundreds. 1 when
 * kept; 0 when not (nothing done: the caller replaces or removes it as
 * before).
 */
int venv_repair_trash_keep(struct venv_envdir *e, int dfd, const char *name, int move);
/* Make the trash now (0, or an error): what is replaced from here on is kept in it. */
int venv_repair_trash_open(struct venv_envdir *e);
/* Is there a trash this run made and still holds (venv_repair_trash_keep would not make one)? */
int venv_repair_trash_made(const struct venv_envdir *e);
void venv_repair_trash_empty(struct venv_envdir *e);
void venv_repair_trash_wait(struct venv_envdir *e);
void venv_repair_trash_finish(struct venv_envdir *e);
void venv_repair_trash_release(struct venv_envdir *e);

/*
 * For a process that ends once its repair is done (the venv command): the
 * trash is not emptied while it runs but handed, at venv_repair_trash_finish(),
 * to a process of its own that empties it beside the environment
 * (.NAME.venv-trash, next to the lock) once this one has exited. A library
 * caller that goes on keeps the default: deleted before finish returns.
 * venv_repair_trash_sweep() removes what such a process left (it was killed).
 */
void venv_repair_trash_defer(int on);
void venv_repair_trash_sweep(struct venv_envdir *e);

/* fsync a directory; flush the file system that holds fd. */
int venv_repair_fsync_dir(int fd, const char *what);
int venv_repair_syncfs(int fd, const char *what);

/*
 * Open the directory that holds the relative path rel below rootfd, one
 * component at a time and never through a symbolic link; *base points
 * into rel at the last component.
 */
int venv_repair_open_parent(int rootfd, const char *rel, const char **base);

/*
 * Open the directory rel below rootfd itself, as venv_repair_open_parent()
 * opens its parent (never through a link, the last component included):
 * one openat2() where the kernel has it. The errors are those of
 * venv_repair_open_parent(), and VENV_ENOTFOUND also where rel is not a
 * directory.
 */
int venv_repair_open_dir(int rootfd, const char *rel);

/*
 * Write a file in the directory dfd durably: to `tmp` (created with
 * O_EXCL|O_NOFOLLOW, any leftover removed first), fsync, rename over
 * `name`, fsync the directory. The mode is exact.
 */
int venv_repair_write_durable(int dfd, const char *name, const char *tmp, const void *data,
		       size_t len, unsigned mode);

#endif
