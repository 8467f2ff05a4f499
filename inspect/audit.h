#ifndef VENV_AUDIT_H
#define VENV_AUDIT_H

#include <pthread.h>
#include "ruleset.h"
#include "dist.h"
#include "filehash.h"

/*
 * The audit half of the rules over installed distributions
 * (rules_dists.c): while rules_dists.c walks every RECORD row it hands
 * each file here (venv_audit_row), and this file then hashes them
 * (--verify-hashes), reports files shared by hard links, files in
 * site-packages that no RECORD lists, and sitecustomize / usercustomize
 * modules, each once per environment where the rule says so.
 */

struct venv_audit_owner {
	char *rel;                       /* environment-relative, normalised */
	uint64_t hash;                   /* of rel: a growing table is not hashed again */
	const struct venv_dist *dist;
};

struct venv_audit_hash {
	const char *rel;                 /* its own copy, or early's path */
	const struct venv_dist *dist;
	unsigned char want[VENV_SHA256_LEN];
	/* Where the result is: hashed early (see venv_audit_early), or files[file]. */
	const struct venv_filehash *early;
	size_t file;
};

struct venv_audit {
	/* Every RECORD row inside the environment: an open-addressing set by rel. */
	struct venv_audit_owner *owners;
	size_t nowners, owners_cap;
	/* What the RECORDs say of each file to verify, and the files not hashed early. */
	struct venv_audit_hash *want;
	size_t nwant, want_alloc;
	struct venv_filehash *files;
	size_t nfiles, files_alloc;
	/* RECORD files with more than one hard link. */
	size_t nlinked;
	char *first_linked;
	int lib64_is_link;               /* "lib64/..." rows name "lib/..." */
};

#define VENV_AUDIT_INIT { NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, 0, NULL, 0 }

void venv_audit_init(struct venv_audit *a, struct venv_check_ctx *c);
void venv_audit_release(struct venv_audit *a);

/*
 * Room for the rows of ds at once: an array that doubles as it fills
 * touches fresh memory at every step, and on a virtual machine the first
 * touch of a page (a fault, some 20 us) costs as much as hashing 30 KB.
 */
int venv_audit_reserve(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dists *ds);

/*
 * One RECORD row of d, at rel (environment-relative, normalised, inside
 * the environment), that exists with the lstat st and whose size matched
 * (or was not given). Records ownership, counts hard links, and with
 * --verify-hashes queues the file for hashing (a malformed hash is a
 * finding now).
 */
int venv_audit_row(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dist *d,
		   const struct venv_record_row *row, const char *rel, const struct stat *st);

/* One RECORD row that does not exist (still owned: not an unowned file). */
int venv_audit_own(struct venv_audit *a, const struct venv_dist *d, const char *rel);

/* After every row: hash, then the once-per-environment findings. */
int venv_audit_finish(struct venv_check_ctx *c, struct venv_audit *a,
		      const struct venv_dists *ds, const char *site_rel);

/*
 * Hashing from the start (--verify-hashes on more than one thread): the
 * distributions are read (once: rules_dists.c uses them) and every file a
 * RECORD lists with a sha256 goes into a table, on a thread of its own
 * while the other rules and the walk of rules_tree.c run (reading them
 * first was 45 ms of a 270 ms command on one core, the other idle). The
 * walk hands each regular file of the table, with the size its lstat saw,
 * to threads that hash it while the walk and the other rules go on; what
 * it meets before the table is ready waits in `pending`, and the reader
 * hands it over as soon as the table is done, then hashes too. Then
 * venv_audit_row() takes the result of a file the walk handed over, and
 * the rest are hashed at the end as before: the findings are the same,
 * only when the work is done changes.
 */
enum venv_audit_early_state {
	VENV_EARLY_READING,              /* the reader thread is at work: the walk only queues */
	VENV_EARLY_READY,                /* table and stream are there */
	VENV_EARLY_FAILED                /* neither: rules_dists.c reads the distributions itself */
};

struct venv_audit_early_pending {
	size_t name;                     /* offset in pending_names */
	off_t size;
};

struct venv_audit_early;
typedef int (*venv_audit_early_fill_fn)(struct venv_audit_early *e);

struct venv_audit_early {
	/* What the reader thread is given: rules_dists.c's fill reads ds and fills the table. */
	venv_audit_early_fill_fn fill;
	const struct venv_model *env;
	char *site, *site_rel;           /* absolute and environment-relative */
	unsigned dists_flags, jobs;
	off_t total;                     /* bytes the RECORDs give: how many threads are worth it */
	struct venv_dists ds;            /* what rules_dists.c would read */
	struct venv_filehash *files;     /* one per environment-relative path (room for every row) */
	size_t nfiles, rows;
	size_t *index, index_cap;        /* open addressing over files' paths (entry + 1; 0 free) */
	/* Per RECORD row, those of ds.v[0] first: its entry of files + 1, or 0. */
	size_t *row_file;
	size_t *first_row;               /* per distribution: where its rows start in row_file */
	unsigned char *handed;           /* files[i] was handed to the threads */
	off_t *want_size;                /* files[i]'s size per its RECORD row, or -1 */
	struct venv_filehash_stream *stream;
	/* Between the reader and the walk; `lock` guards state, error and the pending list. */
	pthread_t reader;
	int has_reader;
	pthread_mutex_t lock;
	pthread_cond_t changed;          /* state left VENV_EARLY_READING */
	enum venv_audit_early_state state;
	enum venv_audit_early_state seen; /* the main thread's last look at state (its own) */
	int error;                       /* VENV_ENOMEM: the reader ran out of memory */
	struct vbuf pending_names;
	struct venv_audit_early_pending *pending;
	size_t npending, pending_alloc;
};

/*
 * Start it when it applies (c->early stays NULL otherwise); < 0 only for
 * out of memory. rules_dists.c decides and gives the fill; this starts the
 * reader (rules_audit.c).
 */
int venv_audit_early_start(struct venv_check_ctx *c);
int venv_audit_early_spawn(struct venv_check_ctx *c, struct venv_audit_early *e);

/*
 * rules_dists.c, before it uses c->early: waits for the reader. When it
 * failed, c->early is released and NULL. < 0 only for out of memory (the
 * reader's, reported here).
 */
int venv_audit_early_wait(struct venv_check_ctx *c);

/*
 * For the fill, once e->ds is read: room for `rows` RECORD rows, then each
 * row (numbered as row_file is) whose file is to be hashed, at rel
 * (environment-relative, normalised), of the size its row gives (-1: none).
 * A file the walk finds of another size is not hashed early: check_record
 * reports the size (VNV604) and hashes nothing, and a sparse giant would
 * cost its whole length.
 */
int venv_audit_early_alloc(struct venv_audit_early *e, size_t rows);
int venv_audit_early_add(struct venv_audit_early *e, size_t row, const char *rel, off_t size);

/* The walk met rel (environment-relative), a regular file per st. */
void venv_audit_walked(struct venv_check_ctx *c, const char *rel, const struct stat *st);

/* Wait for the threads if they still run, and free it all (NULL: nothing). */
void venv_audit_early_release(struct venv_audit_early *e);

/* The distribution whose RECORD lists rel (environment-relative), or NULL. */
const struct venv_dist *venv_audit_owner_of(const struct venv_audit *a, const char *rel);

#endif
