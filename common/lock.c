#include "compat.h"
#include <pthread.h>
#include <sys/file.h>
#include <time.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "vbuf.h"
#include "lock.h"

/* Long names are cut: two names sharing this many bytes share a lock, which is only slower. */
#define NAME_KEEP 200

/* The locks this process holds, by the directory they are in and their name. */
struct held {
	dev_t dev;
	ino_t ino;
	char *name;
	unsigned count;
};

static struct held held[16];
static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;

/* venv_lock_set_waiting()'s: set once by a command before any lock is taken. */
static void (*default_waiting)(void *payload, const char *msg);
static void *default_payload;

void venv_lock_set_waiting(void (*waiting)(void *payload, const char *msg), void *payload)
{
	default_waiting = waiting;
	default_payload = payload;
}

/* Count one more taking of a lock this process holds; 0 when it holds none such. */
static int held_again(int dirfd, const char *name)
{
	struct stat st;
	size_t i;
	int found = 0;

	if (fstat(dirfd, &st) < 0)
		return 0;
	pthread_mutex_lock(&held_mutex);
	for (i = 0; i < VENV_ARRAY_SIZE(held) && !found; i++) {
		if (held[i].name && held[i].dev == st.st_dev && held[i].ino == st.st_ino &&
		    !strcmp(held[i].name, name)) {
			held[i].count++;
			found = 1;
		}
	}
	pthread_mutex_unlock(&held_mutex);
	return found;
}

/* Note (add > 0) or forget (add < 0) one taking; 1 when the last one was forgotten. */
static int held_note(int dirfd, const char *name, int add)
{
	struct stat st;
	size_t i;
	int last = 0;

	if (fstat(dirfd, &st) < 0)
		return 1;
	pthread_mutex_lock(&held_mutex);
	for (i = 0; i < VENV_ARRAY_SIZE(held); i++) {
		if (add > 0 && !held[i].name) {
			/* Out of memory only loses re-entrance: a nested take then waits. */
			if ((held[i].name = strdup(name)) != NULL) {
				held[i].dev = st.st_dev;
				held[i].ino = st.st_ino;
				held[i].count = 1;
			}
			break;
		}
		if (add < 0 && held[i].name && held[i].dev == st.st_dev &&
		    held[i].ino == st.st_ino && !strcmp(held[i].name, name)) {
			if (--held[i].count == 0) {
				free(held[i].name);
				held[i].name = NULL;
				last = 1;
			}
			break;
		}
	}
	pthread_mutex_unlock(&held_mutex);
	return last;
}

static long read_pid(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static long timeout_seconds(void)
{
	const char *s = getenv("VENV_LOCK_TIMEOUT");
	char *end;
	long v;

	if (!s || !*s)
		return VENV_LOCK_TIMEOUT_DEFAULT;
	v = strtol(s, &end, 10);
	return *end || v < 0 ? VENV_LOCK_TIMEOUT_DEFAULT : v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * Open (or create) the lock file; *created says which, and *again that it
 * was there and went away meanwhile (start again). A lock that cannot be
 * created (ENOENT too: the directory was removed, or is /proc's) is an error,
 * never a reason to try again.
 */
static int open_lock(struct venv_lock *l, const char *shown, unsigned flags, int *created,
		     int *again)
{
	int cloexec = (flags & VENV_LOCK_INHERIT) ? 0 : O_CLOEXEC;
	struct stat st;
	int fd;

	*created = 1;
	*again = 0;
	fd = openat(l->dirfd, l->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | cloexec, 0600);
	if (fd < 0 && errno == EEXIST) {
		*created = 0;
		fd = openat(l->dirfd, l->name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | cloexec);
		if (fd < 0 && errno == ENOENT) {
			*again = 1;   /* gone meanwhile: start again */
			return VENV_ENOTFOUND;
		}
	}
	if (fd < 0)
		return venv_error_set_errno(errno == ELOOP ? VENV_EUNSAFE :
					    venv_error_from_errno(errno),
					    "cannot create the lock of '%s' (%s, beside it)", shown,
					    l->name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return venv_error_set(VENV_EUNSAFE, "the lock of '%s' is not a regular file",
				      shown);
	}
	return fd;
}

/* 1 when the name still leads to the file fd holds. */
static int still_named(const struct venv_lock *l, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 &&
	       fstatat(l->dirfd, l->name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int venv_lock_take(struct venv_lock *l, const char *env_dir, unsigned flags,
		   void (*waiting)(void *payload, const char *msg), void *payload)
{
	struct vbuf parent = VBUF_INIT(VBUF_MAX_PATH), base = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH);
	long limit = timeout_seconds();
	double deadline = now() + (double)limit;
	int told = 0, error = 0, fd = -1;

	l->fd = -1;
	l->dirfd = -1;
	l->name = NULL;
	l->stale = 0;
	l->nested = 0;
	if (!waiting) {
		waiting = default_waiting;
		payload = default_payload;
	}
	if ((error = venv_path_dirname(&parent, env_dir)) < 0 ||
	    (error = venv_path_basename(&base, env_dir)) < 0)
		goto done;
	if (!base.len || !strcmp(base.buf, ".") || !strcmp(base.buf, "..")) {
		error = venv_error_set(VENV_EINVAL, "'%s' cannot be locked: it has no name",
				       env_dir);
		goto done;
	}
	if ((error = vbuf_addf(&name, ".%.*s" VENV_LOCK_SUFFIX,
			       (int)(base.len > NAME_KEEP ? NAME_KEEP : base.len), base.buf)) < 0)
		goto done;
	if ((flags & VENV_LOCK_MKPARENT) && (error = venv_fs_mkdirs(parent.buf)) < 0)
		goto done;
	l->dirfd = open(parent.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s' to "
					     "lock '%s'", parent.buf, env_dir);
		goto done;
	}
	l->name = vbuf_detach(&name, NULL);
	if (held_again(l->dirfd, l->name)) {
		l->nested = 1;
		goto done;
	}
	for (;;) {
		int created, again, got;

		if ((fd = open_lock(l, env_dir, flags, &created, &again)) < 0 && again)
			continue;
		if (fd < 0) {
			error = fd;
			fd = -1;
			goto done;
		}
		while (!(got = flock(fd, LOCK_EX | LOCK_NB) == 0) && errno == EINTR)
			;
		if (!got && errno != EWOULDBLOCK) {
			error = venv_error_set_errno(VENV_EIO, "cannot lock '%s'", env_dir);
			goto done;
		}
		while (!got) {
			long pid = read_pid(fd);

			if (now() >= deadline) {
				char holder[48] = "";

				if (pid > 0)
					snprintf(holder, sizeof(holder), " (process %ld)", pid);
				error = venv_error_set(VENV_EBUSY, "another venv command%s is changing "
						       "'%s'; try again when it has finished", holder,
						       env_dir);
				goto done;
			}
			if (!told && waiting) {
				char msg[4096];

				snprintf(msg, sizeof(msg), "waiting up to %ld s for another venv "
					 "command (process %ld) to finish with '%s'", limit, pid,
					 env_dir);
				waiting(payload, msg);
			}
			told = 1;
			nap();
			got = flock(fd, LOCK_EX | LOCK_NB) == 0;
			if (!got && errno != EWOULDBLOCK && errno != EINTR) {
				error = venv_error_set_errno(VENV_EIO, "cannot lock '%s'", env_dir);
				goto done;
			}
		}
		/* The holder we waited for removed the file before letting go: start again. */
		if (!still_named(l, fd)) {
			close(fd);   /* fd is opened again at the top */
			continue;
		}
		/* A file nobody held, found without waiting: its holder died. */
		l->stale = !created && !told;
		break;
	}
	{
		char text[32];
		int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());

		if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len) {
			error = venv_error_set_errno(VENV_EIO, "cannot write the lock of '%s'",
						     env_dir);
			unlinkat(l->dirfd, l->name, 0);
			goto done;
		}
	}
	l->fd = fd;
	fd = -1;
	held_note(l->dirfd, l->name, 1);
done:
	if (fd >= 0)
		close(fd);
	if (error < 0) {
		if (l->dirfd >= 0)
			close(l->dirfd);
		l->dirfd = -1;
		free(l->name);
		l->name = NULL;
	}
	vbuf_release(&parent);
	vbuf_release(&base);
	vbuf_release(&name);
	return error;
}

void venv_lock_release(struct venv_lock *l)
{
	if (l->nested && l->dirfd >= 0)
		held_note(l->dirfd, l->name, -1);
	if (l->fd >= 0) {
		held_note(l->dirfd, l->name, -1);
		/* Removed while still held: a waiter then sees the name gone (still_named()). */
		unlinkat(l->dirfd, l->name, 0);
		close(l->fd);
	}
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l->name);
	l->fd = -1;
	l->dirfd = -1;
	l->name = NULL;
	l->nested = 0;
}
