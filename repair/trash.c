/*
 * Deleting off the critical path (txn.h): what a committed upgrade no longer
 * needs is renamed into <env>/.venv-repair-deleting, one rename for a whole
 * tree, and threads empty that directory while repair goes on. Deleting is
 * mostly waiting: an unlink of a file whose blocks are on disk may wait for
 * the device (a file system mounted with online discard, ext4's `discard`,
 * sends the discard of its blocks and waits for it in the unlink itself),
 * so the 1,200 unlinks of an upgrade of pip and 20 packages (the old
 * setuptools, the old version's bytecode) overlap with each other (and with
 * what is left of the upgrade, and with check's look at the result, which
 * passes over the trash: VENV_CHECK_OWN_TRASH) instead of coming one by
 * one. The trash is gone before repair plans or changes anything else
 * (venv_repair_trash_finish()), and the lock is released only after that
 * (venv_repair_unlock()).
 */
#include "compat.h"
#include <dirent.h>
#include <pthread.h>
#include "error.h"
#include "fs.h"
#include "txn.h"

/*
 * Threads that empty the trash together: the unlinks of one wait for the
 * disk while the others' go on. Directories found are queued (open, so no
 * path is walked again), and so are the files of a directory, a few names
 * at a time, so that a large __pycache__ is not one thread's unlinks, one
 * after the other, while the others wait for work. A full queue has a
 * thread do the work it found itself. A directory is removed by whichever
 * thread finishes with it last, as soon as it is empty: a directory has a
 * block of its own, whose removal waits for the device as a file's does
 * (ext4's online discard), and the 140 directories of an upgrade's trash,
 * removed one by one at the end, took as long as the 1,000 files before
 * them. Measured on a virtual disk with online discard, the 1,200 files of
 * an upgrade of pip and 20 packages: 32 ms with 8 threads and a directory
 * each, 25 ms with 32 threads, 21 ms with 32 threads and batches of 4
 * files; 64 or 128 threads, or batches of 2 or 8, were no faster.
 */
#define WORKERS 32
#define QUEUE_MAX 256
#define DEPTH_MAX 256
#define BATCH 4

/* A directory of the trash, open until it is removed. */
struct tnode {
	struct tnode *parent;   /* NULL for the trash itself */
	int fd;
	unsigned pending;       /* its own pass, each batch and subdirectory not yet done */
	char name[];            /* its name in parent */
};

/* Some of a directory's files, to unlink. */
struct tbatch {
	unsigned count;
	char names[BATCH][NAME_MAX + 1];
};

/* Work for a thread: a directory to go through, or a batch of its files. */
struct titem {
	struct tnode *n;
	struct tbatch *b;       /* NULL: go through n */
};

struct venv_trash {
	int fd;             /* the environment (a descriptor of the threads' own) */
	const char *name;   /* the trash's name in fd */
	unsigned next;      /* the name of the next entry moved in */
	int running;        /* the thread was started and not yet joined */
	int made;           /* the trash directory exists (made by this run) */
	int dir;            /* it, open while made: what venv_repair_trash() moves into */
	int deferred;       /* to be emptied once this process exits (detach()) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct titem queue[QUEUE_MAX];
	size_t nqueue;
	int busy;           /* threads doing an item */
};

static struct venv_trash *trash_of(struct venv_envdir *e)
{
	struct venv_trash *t = e->trash;

	if (!t && (t = calloc(1, sizeof(*t))) != NULL) {
		t->fd = t->dir = -1;
		t->name = VENV_REPAIR_DELETING;
		e->trash = t;
	}
	return t;
}

/* The trash is handed on (emptied, or moved out): the next entry moved in makes it again. */
static void drop_dir(struct venv_trash *t)
{
	if (t->dir >= 0)
		close(t->dir);
	t->dir = -1;
	t->made = 0;
}

/*
 * The trash directory, made and opened the first time (and again after it
 * was handed on): opened once and kept (an upgrade moves a hundred entries
 * in), a descriptor of the directory itself, so whatever takes its name
 * later (a link out of the environment) is never followed.
 */
static int trash_dir(struct venv_envdir *e, struct venv_trash **tp)
{
	struct venv_trash *t;

	venv_repair_trash_wait(e);
	if (!(t = *tp = trash_of(e)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (!t->made) {
		if (mkdirat(e->fd, VENV_REPAIR_DELETING, 0700) < 0 && errno != EEXIST)
			return venv_error_set_errno(VENV_EIO, "cannot create '%s/%s'", e->dir,
						    VENV_REPAIR_DELETING);
		t->dir = openat(e->fd, VENV_REPAIR_DELETING,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (t->dir < 0)
			return venv_error_set_errno(VENV_EUNSAFE, "cannot open '%s/%s'", e->dir,
						    VENV_REPAIR_DELETING);
		t->made = 1;
	}
	return t->dir;
}

/*
 * dfd/name into the trash tfd under the next free number (a rename, or a
 * hard link unless move): a name left by a run that was killed is skipped,
 * not replaced. 0, or -1 with errno set.
 */
static int put(struct venv_trash *t, int tfd, int dfd, const char *name, int move)
{
	char tname[32];

	do {
		snprintf(tname, sizeof(tname), "%u", t->next++);
		if ((move ? renameat(dfd, name, tfd, tname) : linkat(dfd, name, tfd, tname, 0)) == 0)
			return 0;
	} while ((errno == EEXIST || errno == ENOTEMPTY || errno == EISDIR || errno == ENOTDIR) &&
		 t->next < 1000000);
	return -1;
}

int venv_repair_trash_open(struct venv_envdir *e)
{
	struct venv_trash *t;
	int fd = trash_dir(e, &t);

	return fd < 0 ? fd : 0;
}

int venv_repair_trash_made(const struct venv_envdir *e)
{
	return e->trash && e->trash->made;
}

int venv_repair_trash_keep(struct venv_envdir *e, int dfd, const char *name, int move)
{
	struct venv_trash *t;
	int tfd = trash_dir(e, &t);

	if (tfd < 0) {
		venv_error_clear();
		return 0;
	}
	return put(t, tfd, dfd, name, move) == 0;
}

int venv_repair_trash(struct venv_envdir *e, const char *rel)
{
	struct venv_trash *t;
	const char *base;
	int dfd = -1, tfd, error = 0;

	if ((tfd = trash_dir(e, &t)) < 0)
		return tfd;
	if ((dfd = venv_repair_open_parent(e->fd, rel, &base)) < 0)
		return dfd;
	if (put(t, tfd, dfd, base, 1) < 0) {
		struct stat st;

		/* ENOENT: the entry is gone (nothing to do), or the trash is (an error). */
		error = errno == ENOENT && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ? 0 :
			venv_error_set_errno(VENV_EIO, "cannot move '%s' aside", rel);
	}
	close(dfd);
	return error;
}

/*
 * One pass over n is done, or one of its subdirectories is gone: the last
 * of these removes n itself, and its parent, which counted it, is returned
 * (NULL otherwise). What cannot be removed (a file that stayed) leaves its
 * directories to the final pass (venv_fs_remove_tree_at()).
 */
static struct tnode *node_finish(struct venv_trash *t, struct tnode *n)
{
	struct tnode *parent = n->parent;
	unsigned left;

	pthread_mutex_lock(&t->lock);
	left = --n->pending;
	pthread_mutex_unlock(&t->lock);
	if (left)
		return NULL;
	if (parent)
		(void)unlinkat(parent->fd, n->name, AT_REMOVEDIR);
	close(n->fd);
	free(n);
	return parent;
}

/* n's pass is done: what it finishes finishes its parent in turn. */
static void node_done(struct venv_trash *t, struct tnode *n)
{
	while (n)
		n = node_finish(t, n);
}

static void clear_files(struct venv_trash *t, struct tnode *n, int depth);

/*
 * Queue an item for a thread, counted in `counts` (the directory its end
 * may finish); 0, or -1 when the queue is full (nothing is counted then).
 */
static int queue_item(struct venv_trash *t, struct tnode *n, struct tbatch *b,
		      struct tnode *counts)
{
	int queued = 0;

	pthread_mutex_lock(&t->lock);
	if (t->nqueue < QUEUE_MAX) {
		counts->pending++;
		t->queue[t->nqueue].n = n;
		t->queue[t->nqueue++].b = b;
		pthread_cond_signal(&t->more);
		queued = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return queued ? 0 : -1;
}

/* Queue the subdirectory for a thread, or go through it here when the queue is full. */
static void found_dir(struct venv_trash *t, struct tnode *parent, const char *name, int fd,
		      int depth)
{
	size_t len = strlen(name) + 1;
	struct tnode *n = malloc(sizeof(*n) + len);

	if (!n) {
		close(fd);
		return;
	}
	n->parent = parent;
	n->fd = fd;
	n->pending = 1;
	memcpy(n->name, name, len);
	if (queue_item(t, n, NULL, parent) == 0)
		return;
	/*
	 * Gone through here, and counted in the parent all the same: what
	 * it queues may be the last to finish it, and then the parent.
	 */
	pthread_mutex_lock(&t->lock);
	parent->pending++;
	pthread_mutex_unlock(&t->lock);
	clear_files(t, n, depth + 1);
	/* The parent's own pass is this one, still going: it cannot finish here. */
	if (node_finish(t, n)) {
		pthread_mutex_lock(&t->lock);
		parent->pending--;
		pthread_mutex_unlock(&t->lock);
	}
}

/* Unlink name in n; a directory (a type not known before) is handed on. */
static void unlink_one(struct venv_trash *t, struct tnode *n, const char *name, int depth)
{
	int sub;

	/* unlinkat without AT_REMOVEDIR never removes a directory. */
	if (unlinkat(n->fd, name, 0) == 0 || errno != EISDIR)
		return;
	if (depth < DEPTH_MAX && (sub = openat(n->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC)) >= 0)
		found_dir(t, n, name, sub, depth);
}

static void unlink_batch(struct venv_trash *t, struct tnode *n, const struct tbatch *b,
			 int depth)
{
	unsigned i;

	for (i = 0; i < b->count; i++)
		unlink_one(t, n, b->names[i], depth);
}

/* Queue a full batch for a thread (it counts in n), or unlink it here. */
static void hand_batch(struct venv_trash *t, struct tnode *n, struct tbatch *b, int depth)
{
	if (queue_item(t, n, b, n) == 0)
		return;
	unlink_batch(t, n, b, depth);
	free(b);
}

/* Unlink everything in n, a few files at a time, and hand each subdirectory on. */
static void clear_files(struct venv_trash *t, struct tnode *n, int depth)
{
	struct venv_dir d;
	struct tbatch *b = NULL;
	const char *name;
	unsigned char type;

	if (venv_dir_open(&d, n->fd) < 0)
		return;
	while ((name = venv_dir_read(&d, &type))) {
		size_t len;

		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(n->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		len = strlen(name);
		if (!b && type != DT_DIR && (b = malloc(sizeof(*b))) != NULL)
			b->count = 0;
		/* A directory, and a file when memory is short, are done here. */
		if (type == DT_DIR || len > NAME_MAX || !b) {
			unlink_one(t, n, name, depth);
			continue;
		}
		memcpy(b->names[b->count++], name, len + 1);
		if (b->count == BATCH) {
			hand_batch(t, n, b, depth);
			b = NULL;
		}
	}
	venv_dir_close(&d);
	if (b) {
		unlink_batch(t, n, b, depth);
		free(b);
	}
}

static void *worker(void *arg)
{
	struct venv_trash *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		struct titem it;

		while (!t->nqueue && t->busy)
			pthread_cond_wait(&t->more, &t->lock);
		if (!t->nqueue)
			break;
		it = t->queue[--t->nqueue];
		t->busy++;
		pthread_mutex_unlock(&t->lock);
		if (it.b) {
			/* A queued item is at the bottom of no thread's recursion. */
			unlink_batch(t, it.n, it.b, 0);
			free(it.b);
		} else {
			clear_files(t, it.n, 0);
		}
		node_done(t, it.n);
		pthread_mutex_lock(&t->lock);
		t->busy--;
	}
	/* Nothing queued and nobody to queue more: every thread may stop. */
	pthread_cond_broadcast(&t->more);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void *empty(void *arg)
{
	struct venv_trash *t = arg;
	pthread_t helpers[WORKERS - 1];
	struct tnode *top = NULL;
	int fd, n = 0;

	/*
	 * Errors are not reported: what is left is removed by the next repair
	 * (venv_repair_recover()). The message, if any, stays this thread's.
	 */
	fd = openat(t->fd, t->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && !(top = calloc(1, sizeof(*top) + 1))) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0 && pthread_mutex_init(&t->lock, NULL) == 0) {
		if (pthread_cond_init(&t->more, NULL) == 0) {
			/* The trash itself is the last pass's (its parent is the environment). */
			top->fd = fd;
			top->pending = 1;
			t->queue[0].n = top;
			t->queue[0].b = NULL;
			t->nqueue = 1;
			t->busy = 0;
			fd = -1;
			while (n < WORKERS - 1 && pthread_create(&helpers[n], NULL, worker, t) == 0)
				n++;
			worker(t);
			while (n > 0)
				pthread_join(helpers[--n], NULL);
			pthread_cond_destroy(&t->more);
		}
		pthread_mutex_destroy(&t->lock);
	}
	if (fd >= 0) {
		close(fd);
		free(top);
	}
	venv_fs_remove_tree_at(t->fd, t->name);
	return NULL;
}

/*
 * Remove the trash here: a clean-up whose failure the next repair takes
 * care of (venv_repair_recover()), so its message never replaces the one
 * of the error that may be on its way to the user.
 */
static void remove_here(struct venv_envdir *e)
{
	char keep[1024];

	snprintf(keep, sizeof(keep), "%s", venv_error_last());
	if (venv_fs_remove_tree_at(e->fd, VENV_REPAIR_DELETING) < 0)
		venv_error_set(VENV_ERROR, "%s", keep);
}

/* Set by the command line (cmd_repair.c): this process ends once its work is done. */
static int defer_to_exit;

void venv_repair_trash_defer(int on)
{
	defer_to_exit = on;
}

/* The name of the trash beside the environment: .NAME.venv-trash, as .NAME.venv-lock. */
static int beside_name(const struct venv_envdir *e, char *out, size_t size)
{
	size_t n = e->lock.name ? strlen(e->lock.name) : 0, k = sizeof(VENV_LOCK_SUFFIX) - 1;

	if (e->lock.dirfd < 0 || n <= k || strcmp(e->lock.name + n - k, VENV_LOCK_SUFFIX))
		return -1;
	return snprintf(out, size, "%.*s" VENV_MODEL_TRASH_SUFFIX, (int)(n - k), e->lock.name) <
	       (int)size ? 0 : -1;
}

/*
 * The child of detach(): nothing of the command's is kept (no
 * terminal, no pipe a caller reads to its end, not the lock), the trash
 * beside the environment (dirfd, name) is emptied once the command has
 * exited (its end of the gate closed), and then this process ends.
 */
static void empty_after_exit(int dirfd, const char *name, int gate)
{
	struct venv_trash t;
	int null, g, d, fd;
	char ch;

	(void)setsid();
	g = fcntl(gate, F_DUPFD_CLOEXEC, 10);
	d = fcntl(dirfd, F_DUPFD_CLOEXEC, 10);
	if (g < 0 || d < 0 || dup2(g, 3) < 0 || dup2(d, 4) < 0)
		_exit(1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(1);
#ifdef __linux__
	if (close_range(5, ~0U, 0) < 0)
#endif
		for (fd = 5; fd < 65536; fd++)
			(void)close(fd);
	while (read(3, &ch, 1) != 0 && (errno == EINTR || errno == EAGAIN))
		;
	memset(&t, 0, sizeof(t));
	t.fd = 4;
	t.name = name;
	empty(&t);
	_exit(0);
}

/*
 * Delete the trash after the command instead of while it runs: renamed out
 * of the environment (which is then as the repair left it: a look at it
 * finds nothing of repair's) to .NAME.venv-trash beside it, where the lock
 * is, and emptied by a process of its own once this one has exited. The
 * deletion is most of what an upgrade waits for on a disk that discards
 * freed blocks at once (the ~1,200 unlinks of an upgrade of pip and 20
 * packages), and started while the command still runs, it slows what is
 * left of it. 0 when handed over; -1 when the caller is to delete it here
 * (that name is taken: an earlier run's deletion still going, or left; a
 * trash on a file system of its own).
 */
static int detach(struct venv_envdir *e)
{
	static int gate[2] = { -1, -1 };
	char name[NAME_MAX + 1];
	pid_t pid;

	if (!defer_to_exit || beside_name(e, name, sizeof(name)) < 0)
		return -1;
	if (gate[0] < 0 && pipe2(gate, O_CLOEXEC) < 0) {
		gate[0] = gate[1] = -1;
		return -1;
	}
	if (renameat(e->fd, VENV_REPAIR_DELETING, e->lock.dirfd, name) < 0)
		return -1;
	/*
	 * One fork, not waited for: the child cannot end before this process
	 * does (it waits on the gate), and is then the init process's to reap.
	 * A second fork to leave no child, and the wait for the first, cost
	 * this process a few milliseconds (a copy of its page tables, an exit).
	 */
	pid = fork();
	if (pid == 0)
		empty_after_exit(e->lock.dirfd, name, gate[0]);
	if (pid < 0)
		(void)venv_fs_remove_tree_at(e->lock.dirfd, name);
	return 0;
}

/* What a detached deletion left beside the environment (it was killed): removed now. */
void venv_repair_trash_sweep(struct venv_envdir *e)
{
	char name[NAME_MAX + 1], keep[1024];
	struct stat st;

	if (beside_name(e, name, sizeof(name)) < 0 ||
	    fstatat(e->lock.dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return;
	snprintf(keep, sizeof(keep), "%s", venv_error_last());
	if (venv_fs_remove_tree_at(e->lock.dirfd, name) < 0)
		venv_error_set(VENV_ERROR, "%s", keep);
}

void venv_repair_trash_empty(struct venv_envdir *e)
{
	struct venv_trash *t = e->trash;
	struct stat st;

	venv_repair_trash_wait(e);
	if (fstatat(e->fd, VENV_REPAIR_DELETING, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!t && !(t = trash_of(e)))
		goto inline_;
	/* Left for detach(), at the end: nothing is deleted while the command runs. */
	if (defer_to_exit) {
		t->deferred = 1;
		return;
	}
	if ((t->fd = dup(e->fd)) < 0)
		goto inline_;
	drop_dir(t);
	if (pthread_create(&t->thread, NULL, empty, t) == 0) {
		t->running = 1;
		return;
	}
	close(t->fd);
	t->fd = -1;
inline_:
	/* No thread: done here, before going on. */
	if (t)
		drop_dir(t);
	remove_here(e);
}

void venv_repair_trash_wait(struct venv_envdir *e)
{
	struct venv_trash *t = e->trash;

	if (!t || !t->running)
		return;
	pthread_join(t->thread, NULL);
	t->running = 0;
	close(t->fd);
	t->fd = -1;
}

void venv_repair_trash_finish(struct venv_envdir *e)
{
	struct venv_trash *t = e->trash;
	struct stat st;

	venv_repair_trash_wait(e);
	if (e->fd < 0 || fstatat(e->fd, VENV_REPAIR_DELETING, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (t && t->deferred) {
		t->deferred = 0;
		drop_dir(t);
		if (detach(e) == 0)
			return;
		/* Deleted here after all, by the threads. */
		if ((t->fd = dup(e->fd)) >= 0) {
			empty(t);
			close(t->fd);
			t->fd = -1;
		}
	}
	/* Moved in but never emptied (a caller that went no further): done here. */
	if (t)
		drop_dir(t);
	if (fstatat(e->fd, VENV_REPAIR_DELETING, &st, AT_SYMLINK_NOFOLLOW) == 0)
		remove_here(e);
}

void venv_repair_trash_release(struct venv_envdir *e)
{
	venv_repair_trash_wait(e);
	if (e->trash)
		drop_dir(e->trash);
	free(e->trash);
	e->trash = NULL;
}
