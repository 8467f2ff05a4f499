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

/*
 * Open path below dirfd for reading: never a link at the end, never
 * blocking, and with openat2() never out of dirfd (unless follow). -1 with
 * errno; ELOOP and EXDEV mean a link was in the way.
 */
static int open_beneath(int dirfd, const char *path, int follow)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
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

static void hash_one(int dirfd, struct venv_filehash *f, struct venv_sha256 *sha,
		     unsigned char *buf)
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
	memset(f->digest, 0, sizeof(f->digest));
	if ((fd = open_beneath(dirfd, f->path, f->follow)) < 0) {
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

/* The order of work: largest first, ties in the caller's order. */
struct work {
	off_t size;
	size_t idx;
};

struct pool {
	int dirfd;
	struct venv_filehash *v;
	struct work *order;
	size_t n;
	size_t next;            /* taken with __atomic_fetch_add */
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *buf = malloc(READ_CHUNK);
	struct venv_sha256 sha = { NULL, 0 };

	/* Without a buffer this thread leaves its share to the others. */
	if (!buf)
		return NULL;
	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);

		if (i >= p->n)
			break;
		hash_one(p->dirfd, &p->v[p->order[i].idx], &sha, buf);
	}
	venv_sha256_release(&sha);
	free(buf);
	return NULL;
}

static int by_size_desc(const void *a, const void *b)
{
	const struct work *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

int venv_filehash_run(int dirfd, struct venv_filehash *v, size_t n, unsigned jobs)
{
	struct pool p;
	pthread_t threads[MAX_THREADS];
	unsigned nthreads = 0, i;
	off_t total = 0;
	size_t k;
	int error = 0;
	unsigned char probe[VENV_SHA256_LEN];

	if (!n)
		return 0;
	/* Load libcrypto once, here, so that its failure is one error and not n. */
	if ((error = venv_sha256("", 0, probe)) < 0)
		return error;
	memset(&p, 0, sizeof(p));
	p.dirfd = dirfd;
	p.v = v;
	p.n = n;
	if (!(p.order = malloc(n * sizeof(*p.order))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (k = 0; k < n; k++) {
		p.order[k].idx = k;
		p.order[k].size = v[k].size > 0 ? v[k].size : 0;
		total += p.order[k].size;
	}
	qsort(p.order, n, sizeof(*p.order), by_size_desc);

	if (jobs > MAX_THREADS)
		jobs = MAX_THREADS;
	if (jobs > 1 && (off_t)jobs * MIN_BYTES_PER_THREAD > total)
		jobs = (unsigned)(total / MIN_BYTES_PER_THREAD) + 1;
	if (jobs > n)
		jobs = (unsigned)n;
	/* The calling thread is one of the workers. */
	for (i = 1; i < jobs; i++) {
		if (pthread_create(&threads[nthreads], NULL, worker, &p) != 0)
			break;
		nthreads++;
	}
	worker(&p);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	/* Every thread short of a buffer: nothing was hashed. */
	if (__atomic_load_n(&p.next, __ATOMIC_RELAXED) < n)
		error = venv_error_set(VENV_ENOMEM, "out of memory");
	free(p.order);
	return error;
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
