#ifndef VENV_FILEHASH_H
#define VENV_FILEHASH_H

#include <sys/types.h>
#include "sha256.h"

/*
 * SHA-256 of many files of an untrusted tree, on several threads: what
 * `venv check --verify-hashes` compares with the RECORDs of the installed
 * distributions.
 *
 * Each file is named relative to one directory handle and opened without
 * blocking (a FIFO or device is never read), never through a symbolic
 * link at its last component, and, where the kernel has openat2(), only
 * beneath that directory: a path that passes through a link leading out
 * of it is refused (VENV_RD_LINK), unless the entry allows it (`follow`:
 * the metadata of the distribution itself was reached through a link the
 * caller trusts). Only regular files are read, at most `cap` bytes each.
 *
 * Work is shared out big files (1 MiB and more) first, largest first, so
 * that one large file does not finish last on a single thread while the
 * others idle; the rest in the caller's order, in which files of one
 * directory come together: each thread opens a file's directory once (as
 * the path would be resolved) and the file by its name in it.
 */
struct venv_filehash {
	const char *path;       /* relative to the directory handle */
	off_t size;             /* the expected size (for the order of work; 0 if unknown) */
	int follow;             /* may pass through links on the way (not the last one) */
	int regular;            /* the caller's lstat() just saw a regular file of `size` bytes */
	/* Results. */
	int status;             /* VENV_RD_OK (0) or a VENV_RD_* of fs.h */
	int err;                /* the errno of a VENV_RD_DENIED / VENV_RD_IOERR */
	off_t hashed;           /* bytes read */
	off_t sparse_size;      /* VENV_RD_TOO_BIG for holes (see below): its size, else 0 */
	unsigned char digest[VENV_SHA256_LEN];
};

/* Files above this size are not read (VENV_RD_TOO_BIG). */
#define VENV_FILEHASH_MAX_FILE ((off_t)1 << 36)

/*
 * Nor is a file of this size or more that is mostly holes (fewer than one
 * block in 16 allocated): a hole costs no disk and reads as zeros, so a
 * RECORD listing a few such files made check hash tens of GiB of nothing
 * for minutes. No installer writes holes. VENV_RD_TOO_BIG, sparse_size set.
 */
#define VENV_FILEHASH_SPARSE_MIN ((off_t)64 << 20)

/*
 * Hash v[0..n) relative to dirfd with up to `jobs` threads (0 or 1: the
 * calling thread only). A file's own problem is its status; the return
 * value is negative only when hashing could not be done at all (libcrypto
 * cannot be loaded, out of memory), with the message set.
 */
int venv_filehash_run(int dirfd, struct venv_filehash *v, size_t n, unsigned jobs);

/*
 * Hashing while the caller is still finding the files (check --verify-hashes
 * hashes each file as the walk of the environment meets it, while the other
 * rules run). venv_filehash_start() starts `threads` threads over v[0..cap),
 * which take each entry as venv_filehash_push() hands it over (the entry
 * filled in before, and left alone until the end). venv_filehash_finish()
 * hashes what is left (big files first) on the calling thread and
 * `threads` others (those started, and more if they are fewer), waits
 * for them all and frees the stream (NULL: nothing to do).
 * Errors as venv_filehash_run(); when start fails nothing was started.
 */
struct venv_filehash_stream;

/* How many threads (1 or more, at most jobs) are worth starting for n files of total bytes. */
unsigned venv_filehash_threads(unsigned jobs, size_t n, off_t total);

int venv_filehash_start(struct venv_filehash_stream **out, int dirfd, struct venv_filehash *v,
			size_t cap, unsigned threads);
void venv_filehash_push(struct venv_filehash_stream *s, size_t i);
int venv_filehash_finish(struct venv_filehash_stream *s, unsigned threads);
/*
 * A thread of the caller's own that hashes too (the one that read the
 * distributions, on check's side): adopt() before finish() can run, then
 * that thread calls work() once, which returns when finish() has closed
 * the stream and nothing is left. finish() counts it among its `threads`
 * and frees the stream only after it has left.
 */
void venv_filehash_adopt(struct venv_filehash_stream *s);
void venv_filehash_work(struct venv_filehash_stream *s);
/* Before finish(), for a caller that gave up: what was not taken yet is not hashed. */
void venv_filehash_drop(struct venv_filehash_stream *s);

/*
 * Parse a RECORD hash field ("sha256=<urlsafe base64, no padding>") into
 * a digest. Returns 0; VENV_ENOTFOUND when the field is empty (RECORD
 * itself, bytecode: nothing to verify); VENV_EINVAL with a message naming
 * the problem for anything else: another algorithm, hex, standard base64
 * or padding, a digest of the wrong length, stray characters.
 */
int venv_filehash_parse_record(unsigned char digest[VENV_SHA256_LEN], const char *field);

#endif
