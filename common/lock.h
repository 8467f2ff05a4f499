#ifndef VENV_LOCK_H
#define VENV_LOCK_H

/*
 * The one lock of every command that changes an environment: create
 * (also --clear and --upgrade), repair and restore. It is taken before
 * anything is created or removed and held until the command is done.
 *
 * It lives beside the environment, as <parent>/.<name>.venv-lock, so that
 * it exists before the environment does (a create), while the environment
 * is swapped for another tree (a restore) and after it is removed (a
 * failed create). It is held with flock(), which the kernel drops when the
 * holder dies: a dead process leaves at most a file nobody holds, never a
 * lock, and the next command takes it over. The holder removes the file
 * before letting go of it; a waiter that then gets the flock of the removed
 * file sees that the name no longer leads to it and starts again.
 */

/* The lock file's name: "." NAME VENV_LOCK_SUFFIX beside the environment NAME. */
#define VENV_LOCK_SUFFIX ".venv-lock"

enum venv_lock_flags {
	/*
	 * Keep the descriptor open across exec: the programs we start (pip)
	 * hold the lock until they are done, even if we are killed.
	 */
	VENV_LOCK_INHERIT = 1 << 0,
	/* Create the parent directories first (a create of a new path). */
	VENV_LOCK_MKPARENT = 1 << 1
};

struct venv_lock {
	int fd;          /* the held lock file, or -1 */
	int dirfd;       /* the directory it is in */
	char *name;      /* its name there */
	int stale;       /* a dead holder's file was taken over */
	int nested;      /* this process held it already: taking it again only counts */
};

#define VENV_LOCK_INIT { -1, -1, NULL, 0, 0 }

/* How long to wait by default: $VENV_LOCK_TIMEOUT seconds, else this. */
#define VENV_LOCK_TIMEOUT_DEFAULT 60

/*
 * Take the lock of the environment at env_dir (an absolute path; it need
 * not exist). When another process holds it, waiting(payload, message) is
 * called once and the lock is waited for, up to $VENV_LOCK_TIMEOUT
 * seconds (0: not at all); then VENV_EBUSY with a message naming the
 * holder. A process that holds the lock already (repair --upgrade runs
 * create's upgrade, restore runs repair's relocation) takes it again at
 * once; it is let go when the outermost holder releases it. A symbolic link or anything but a regular file at the lock's
 * name is VENV_EUNSAFE.
 */
int venv_lock_take(struct venv_lock *l, const char *env_dir, unsigned flags,
		   void (*waiting)(void *payload, const char *msg), void *payload);

/*
 * What venv_lock_take() calls when its caller passes no waiting function:
 * set by a command whose library entry point takes none (venv restore), so
 * that its user too is told what it waits for. NULL: nothing is said.
 */
void venv_lock_set_waiting(void (*waiting)(void *payload, const char *msg), void *payload);

/* Let go of it (removing the file first). Harmless when not held. */
void venv_lock_release(struct venv_lock *l);

#endif
