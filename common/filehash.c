#include "compat.h"
#include <pthread.h>
#include <sys/syscall.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif
#include "error.h"
#include "filehash.h"
#include "fs.h"

/*
 * Reads of this size keep the digest fed from the page cache at well over
 * 1 GB/s per core with SHA instructions; larger buffers gain nothing.
 */
#define READ_CHUNK ((size_t)256 * 1024)
/* Below this much work a second thread costs more than it saves. */
#define MIN_BYTES_PER_THREAD ((off_t)4 * 1024 * 1024)
#define MAX_THREADS 256

#define FILE_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
/* A directory handle to open names in: no read permission needed, as for a path through it. */
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)

/*
 * Open path below dirfd with flags: with openat2() never out of dirfd
 * (unless follow), links on the way that stay below it followed. -1 with
 * errno; ELOOP and EXDEV mean a link was in the way.
 */
static int open_beneath(int dirfd, const char *path, int flags, int follow)
{
#ifdef SYS_openat2
	if (!follow) {
		struct open_how how;
		int fd;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != E2BIG))
			return fd;
		/* No openat2 here (or a seccomp filter refuses it): links on the way are followed. */
	}
#else
	(void)follow;
#endif
	return openat(dirfd, path, flags);
}

/*
 * A thread's handles on the directories of the files it opened last: files
 * come mostly directory by directory (RECORD's order; the walk's, where a
 * directory's files are interleaved with those of the directories in it),
 * and a name looked up in its directory costs the kernel one step, not one
 * per component of the path (15,742 paths of 6 components on the audit
 * bench).
 */
#define DIRCACHE_SIZE 8

struct dirhandle {
	char *dir;              /* its path below dirfd, NULL when there is none */
	size_t len, alloc;
	int follow;
	int fd;                 /* -1: none */
	unsigned long used;     /* when it was last used: the oldest goes first */
};

struct dircache {
	struct dirhandle h[DIRCACHE_SIZE];
	unsigned long clock;
};

static void dircache_init(struct dircache *dc)
{
	size_t i;

	memset(dc, 0, sizeof(*dc));
	for (i = 0; i < DIRCACHE_SIZE; i++)
		dc->h[i].fd = -1;
}

static void dircache_release(struct dircache *dc)
{
	size_t i;

	for (i = 0; i < DIRCACHE_SIZE; i++) {
		if (dc->h[i].fd >= 0)
			close(dc->h[i].fd);
		free(dc->h[i].dir);
	}
	dircache_init(dc);
}

/* A handle on the directory path[0..len) as f would reach it, or -1 with errno. */
static int dircache_get(int dirfd, struct dircache *dc, const struct venv_filehash *f, size_t len)
{
	struct dirhandle *h = &dc->h[0];
	size_t i;

	for (i = 0; i < DIRCACHE_SIZE; i++) {
		struct dirhandle *c = &dc->h[i];

		if (c->fd >= 0 && c->len == len && c->follow == f->follow &&
		    !memcmp(c->dir, f->path, len)) {
			c->used = ++dc->clock;
			return c->fd;
		}
		if (c->fd < 0 || (h->fd >= 0 && c->used < h->used))
			h = c;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (len + 1 > h->alloc) {
		char *p = realloc(h->dir, len + 1);

		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		h->dir = p;
		h->alloc = len + 1;
	}
	memcpy(h->dir, f->path, len);
	h->dir[len] = '\0';
	if ((h->fd = open_beneath(dirfd, h->dir, DIR_FLAGS, f->follow)) < 0)
		return -1;
	h->len = len;
	h->follow = f->follow;
	h->used = ++dc->clock;
	return h->fd;
}

/*
 * Open f for reading: never a link at the end, never blocking, and with
 * openat2() never out of dirfd (unless f->follow). The directory is opened
 * as the whole path would have been resolved (beneath dirfd, links that
 * stay inside followed), then the last name in it with O_NOFOLLOW.
 */
static int open_file(int dirfd, const struct venv_filehash *f, struct dircache *dc)
{
	const char *slash = strrchr(f->path, '/'), *name = slash ? slash + 1 : NULL;
	int dfd, fd;

	if (!slash || slash == f->path || !*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return open_beneath(dirfd, f->path, FILE_FLAGS, f->follow);
	if ((dfd = dircache_get(dirfd, dc, f, (size_t)(slash - f->path))) >= 0 &&
	    (fd = openat(dfd, name, FILE_FLAGS)) >= 0)
		return fd;
	if (errno != ENOMEM && errno != EMFILE && errno != ENFILE)
		return -1;
	/* Short of memory or descriptors: no handles kept, the whole path as without them. */
	dircache_release(dc);
	return open_beneath(dirfd, f->path, FILE_FLAGS, f->follow);
}

/* What fstat() says of fd, as a status: VENV_RD_OK for a regular file within the cap. */
static int look(int fd, struct venv_filehash *f, off_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		f->err = errno;
		return VENV_RD_IOERR;
	}
	if (!S_ISREG(st.st_mode))
		return VENV_RD_SPECIAL;
	if (st.st_size > VENV_FILEHASH_MAX_FILE)
		return VENV_RD_TOO_BIG;
	*size = st.st_size;
	return VENV_RD_OK;
}

/* A big file that is mostly holes is not read (filehash.h): VENV_RD_TOO_BIG, else OK. */
static int holes(int fd, struct venv_filehash *f)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		f->err = errno;
		return VENV_RD_IOERR;
	}
	if (S_ISREG(st.st_mode) && st.st_size >= VENV_FILEHASH_SPARSE_MIN &&
	    (off_t)st.st_blocks * 512 < st.st_size / 16) {
		f->sparse_size = st.st_size;
		return VENV_RD_TOO_BIG;
	}
	return VENV_RD_OK;
}

static void hash_one(int dirfd, struct venv_filehash *f, struct venv_sha256 *sha,
		     struct dircache *dc, unsigned char *buf)
{
	/*
	 * A file the caller saw as regular (its lstat) is not looked at again
	 * unless what is read disagrees with the size it saw: fstat() was one
	 * system call in five per file. Before reading past that size, and on
	 * any surprise (shorter, an error), fstat() decides as it always did,
	 * so a file replaced by a FIFO or a device since is still not read
	 * (more than that size) and is still reported as special.
	 */
	int looked = !f->regular;
	off_t size = f->size;
	int fd;

	f->status = VENV_RD_OK;
	f->err = 0;
	f->hashed = 0;
	f->sparse_size = 0;
	memset(f->digest, 0, sizeof(f->digest));
	if ((fd = open_file(dirfd, f, dc)) < 0) {
		f->err = errno;
		f->status = errno == ENOENT || errno == ENOTDIR ? VENV_RD_MISSING :
			errno == ELOOP || errno == EXDEV ? VENV_RD_LINK :
			errno == EACCES || errno == EPERM ? VENV_RD_DENIED :
			errno == ENXIO || errno == ENODEV ? VENV_RD_SPECIAL : VENV_RD_IOERR;
		return;
	}
	if (looked && (f->status = look(fd, f, &size)) != VENV_RD_OK)
		goto done;
	if (size > VENV_FILEHASH_MAX_FILE) {
		f->status = VENV_RD_TOO_BIG;
		goto done;
	}
	if (size >= VENV_FILEHASH_SPARSE_MIN && (f->status = holes(fd, f)) != VENV_RD_OK)
		goto done;
	if (venv_sha256_restart(sha) < 0) {
		f->status = VENV_RD_IOERR;
		f->err = ENOMEM;
		goto done;
	}
	for (;;) {
		ssize_t r;

		if (!looked && f->hashed > size) {
			looked = 1;
			if ((f->status = look(fd, f, &size)) != VENV_RD_OK)
				break;
		}
		r = read(fd, buf, READ_CHUNK);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			f->err = errno;
			f->status = VENV_RD_IOERR;
			break;
		}
		if (!r)
			break;
		f->hashed += r;
		if (f->hashed > VENV_FILEHASH_MAX_FILE) {
			f->status = VENV_RD_TOO_BIG;
			break;
		}
		if (venv_sha256_update(sha, buf, (size_t)r) < 0) {
			f->status = VENV_RD_IOERR;
			f->err = EIO;
			break;
		}
		/*
		 * A short read of a regular file is its end: most files fit in
		 * one read, and a system call per file is a tenth of the cost.
		 */
		if ((size_t)r < READ_CHUNK && f->hashed >= size)
			break;
	}
	/* Shorter than it was, or an error: is it still a regular file? */
	if (!looked && (f->status != VENV_RD_OK || f->hashed != size)) {
		int status = look(fd, f, &size);

		if (status != VENV_RD_OK)
			f->status = status;
	}
	if (f->status == VENV_RD_OK && venv_sha256_digest(sha, f->digest) < 0) {
		f->status = VENV_RD_IOERR;
		f->err = EIO;
	}
	if (f->status != VENV_RD_OK) {
		f->hashed = f->status == VENV_RD_SPECIAL ? 0 : f->hashed;
		memset(f->digest, 0, sizeof(f->digest));
	}
done:
	close(fd);
}

/* An entry of v to hash, its size and when it was pushed (the order of work). */
struct work {
	off_t size;
	size_t idx, seq;
};

/*
 * At the end, files from this size on go first, largest first, so that
 * one large file does not finish last on a single thread while the others
 * idle; the rest keep their order (directory by directory: see dircache).
 */
#define BIG_FILE ((off_t)1024 * 1024)

struct venv_filehash_stream {
	int dirfd;
	struct venv_filehash *v;
	size_t cap;
	pthread_mutex_t lock;
	pthread_cond_t more;
	/* The order of work: queue[next..published) are waiting. */
	struct work *queue;
	size_t next, published;
	unsigned waiting;       /* threads asleep on `more` */
	int closed;             /* nothing more will be pushed */
	pthread_t threads[MAX_THREADS];
	unsigned nthreads;
	unsigned nworked;       /* threads that had a buffer */
	/* The caller's threads that work too (venv_filehash_adopt): all of them, and those not done. */
	unsigned adopted, outside;
	pthread_cond_t gone;    /* outside fell to 0 */
};

/* Below this many files waiting, a push does not wake a sleeping thread (a wake is a system call). */
#define WAKE_BATCH 16

static void *worker(void *arg)
{
	struct venv_filehash_stream *s = arg;
	unsigned char *buf = malloc(READ_CHUNK);
	struct venv_sha256 sha = { NULL, 0 };
	struct dircache dc;

	/* Without a buffer this thread leaves its share to the others. */
	if (!buf)
		return NULL;
	dircache_init(&dc);
	pthread_mutex_lock(&s->lock);
	s->nworked++;
	for (;;) {
		size_t i;

		while (s->next == s->published && !s->closed) {
			s->waiting++;
			pthread_cond_wait(&s->more, &s->lock);
			s->waiting--;
		}
		if (s->next == s->published)
			break;
		i = s->queue[s->next++].idx;
		pthread_mutex_unlock(&s->lock);
		hash_one(s->dirfd, &s->v[i], &sha, &dc, buf);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	dircache_release(&dc);
	venv_sha256_release(&sha);
	free(buf);
	return NULL;
}

static void add_threads(struct venv_filehash_stream *s, unsigned n)
{
	while (n-- && s->nthreads < MAX_THREADS &&
	       pthread_create(&s->threads[s->nthreads], NULL, worker, s) == 0)
		s->nthreads++;
}

int venv_filehash_start(struct venv_filehash_stream **out, int dirfd, struct venv_filehash *v,
			size_t cap, unsigned threads)
{
	struct venv_filehash_stream *s;
	unsigned char probe[VENV_SHA256_LEN];
	int error;

	*out = NULL;
	/* Load libcrypto once, here, so that its failure is one error and not n. */
	if ((error = venv_sha256("", 0, probe)) < 0)
		return error;
	if (!(s = calloc(1, sizeof(*s))) || !(s->queue = malloc((cap ? cap : 1) * sizeof(*s->queue)))) {
		free(s);
		/* The code itself, not venv_error_set's result: the analyzer then sees *out unset means < 0. */
		venv_error_set(VENV_ENOMEM, "out of memory");
		return VENV_ENOMEM;
	}
	s->dirfd = dirfd;
	s->v = v;
	s->cap = cap;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
	pthread_cond_init(&s->gone, NULL);
	add_threads(s, threads);
	*out = s;
	return 0;
}

void venv_filehash_push(struct venv_filehash_stream *s, size_t i)
{
	pthread_mutex_lock(&s->lock);
	if (s->published < s->cap) {
		s->queue[s->published].idx = i;
		s->queue[s->published].seq = s->published;
		s->queue[s->published++].size = s->v[i].size > 0 ? s->v[i].size : 0;
		if (s->waiting && s->published - s->next >= WAKE_BATCH)
			pthread_cond_signal(&s->more);
	}
	pthread_mutex_unlock(&s->lock);
}

void venv_filehash_adopt(struct venv_filehash_stream *s)
{
	pthread_mutex_lock(&s->lock);
	s->adopted++;
	s->outside++;
	pthread_mutex_unlock(&s->lock);
}

void venv_filehash_work(struct venv_filehash_stream *s)
{
	worker(s);
	pthread_mutex_lock(&s->lock);
	if (!--s->outside)
		pthread_cond_broadcast(&s->gone);
	pthread_mutex_unlock(&s->lock);
}

void venv_filehash_drop(struct venv_filehash_stream *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->next = s->published;
	pthread_mutex_unlock(&s->lock);
}

/* Big files first, largest first; the rest, and ties, in the order pushed. */
static int by_order(const void *a, const void *b)
{
	const struct work *x = a, *y = b;
	off_t sx = x->size >= BIG_FILE ? x->size : 0, sy = y->size >= BIG_FILE ? y->size : 0;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int venv_filehash_finish(struct venv_filehash_stream *s, unsigned threads)
{
	unsigned i;
	int error = 0;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	qsort(s->queue + s->next, s->published - s->next, sizeof(*s->queue), by_order);
	s->closed = 1;
	pthread_cond_broadcast(&s->more);
	pthread_mutex_unlock(&s->lock);
	if (threads > s->nthreads + s->adopted)
		add_threads(s, threads - s->nthreads - s->adopted);
	/* The calling thread is one of the workers. */
	worker(s);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	/* The caller's own threads may not even have begun: the stream lives until they leave it. */
	pthread_mutex_lock(&s->lock);
	while (s->outside)
		pthread_cond_wait(&s->gone, &s->lock);
	pthread_mutex_unlock(&s->lock);
	/* Every thread short of a buffer: nothing was hashed. */
	if (!s->nworked && s->published)
		error = venv_error_set(VENV_ENOMEM, "out of memory");
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->more);
	pthread_cond_destroy(&s->gone);
	free(s->queue);
	free(s);
	return error;
}

int venv_filehash_run(int dirfd, struct venv_filehash *v, size_t n, unsigned jobs)
{
	struct venv_filehash_stream *s;
	off_t total = 0;
	size_t k;
	int error;

	if (!n)
		return 0;
	if ((error = venv_filehash_start(&s, dirfd, v, n, 0)) < 0)
		return error;
	for (k = 0; k < n; k++) {
		total += v[k].size > 0 ? v[k].size : 0;
		venv_filehash_push(s, k);
	}
	return venv_filehash_finish(s, venv_filehash_threads(jobs, n, total) - 1);
}

unsigned venv_filehash_threads(unsigned jobs, size_t n, off_t total)
{
	if (jobs > MAX_THREADS)
		jobs = MAX_THREADS;
	if (jobs > 1 && (off_t)jobs * MIN_BYTES_PER_THREAD > total)
		jobs = (unsigned)(total / MIN_BYTES_PER_THREAD) + 1;
	if (jobs > n)
		jobs = (unsigned)n;
	return jobs ? jobs : 1;
}

int venv_filehash_parse_record(unsigned char digest[VENV_SHA256_LEN], const char *field)
{
	const char *eq = strchr(field, '=');
	size_t alg_len, len;

	if (!*field)
		return VENV_ENOTFOUND;
	if (!eq)
		return venv_error_set(VENV_EINVAL, "'%.80s' is not ALGORITHM=DIGEST", field);
	alg_len = (size_t)(eq - field);
	if (alg_len != 6 || strncmp(field, "sha256", 6))
		return venv_error_set(VENV_EINVAL, "the hash algorithm '%.*s' is not sha256",
				      alg_len > 40 ? 40 : (int)alg_len, field);
	eq++;
	len = strlen(eq);
	if (venv_sha256_from_b64(digest, eq, len) == 0)
		return 0;
	if (len == VENV_SHA256_HEX_LEN && strspn(eq, "0123456789abcdefABCDEF") == len)
		return venv_error_set(VENV_EINVAL, "the sha256 digest is hexadecimal, not urlsafe "
				      "base64 without padding");
	if (len == VENV_SHA256_B64_LEN + 1 && eq[len - 1] == '=')
		return venv_error_set(VENV_EINVAL, "the sha256 digest has base64 padding ('='), "
				      "which RECORD does not use");
	if (strcspn(eq, "+/") < len)
		return venv_error_set(VENV_EINVAL, "the sha256 digest is standard base64 ('+', "
				      "'/'), not urlsafe base64");
	if (len != VENV_SHA256_B64_LEN)
		return venv_error_set(VENV_EINVAL, "the sha256 digest has %zu characters, not %d",
				      len, VENV_SHA256_B64_LEN);
	return venv_error_set(VENV_EINVAL, "the sha256 digest is not urlsafe base64");
}
