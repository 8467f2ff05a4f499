/*
 * The audit rules over installed distributions (see audit.h): file hashes
 * against RECORD (--verify-hashes), hard links shared with other places,
 * files in site-packages that no RECORD lists, and sitecustomize /
 * usercustomize modules.
 */
#include "compat.h"
#include "array.h"
#include "audit.h"
#include "error.h"
#include "fs.h"

#define add(c, code, rel, ...) venv_check_add((c), (code), (rel), 0, NULL, NULL, __VA_ARGS__)

/* Names of unowned files in the one finding of an environment. */
#define SHOWN_NAMES 3

/* ------------------------------------------------------------------------ */
/* The set of owned paths. */

static uint64_t hash_mem(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static uint64_t hash_str(const char *s)
{
	return hash_mem(s, strlen(s));
}

/* The slot of rel[0..n) (hash h): its entry, or the free one where it goes. */
static struct venv_audit_owner *owner_slot(struct venv_audit_owner *v, size_t cap, const char *rel,
					   size_t n, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (v[i].rel && (v[i].hash != h || strncmp(v[i].rel, rel, n) || v[i].rel[n]))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

/* The set with room for cap entries (a power of two above the present one). */
static int owners_grow(struct venv_audit *a, size_t cap)
{
	struct venv_audit_owner *v = calloc(cap, sizeof(*v));
	size_t i, k;

	if (!v)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	/* Every entry is distinct: only a free slot is looked for, by the hash kept. */
	for (i = 0; i < a->owners_cap; i++) {
		if (!a->owners[i].rel)
			continue;
		for (k = (size_t)a->owners[i].hash & (cap - 1); v[k].rel; k = (k + 1) & (cap - 1))
			;
		v[k] = a->owners[i];
	}
	free(a->owners);
	a->owners = v;
	a->owners_cap = cap;
	return 0;
}

int venv_audit_own(struct venv_audit *a, const struct venv_dist *d, const char *rel)
{
	size_t n = strlen(rel);
	int error;

	/* An installer that wrote through the lib64 link names the same files. */
	if (a->lib64_is_link && !strncmp(rel, "lib64/", 6)) {
		struct vbuf alias = VBUF_INIT(VBUF_MAX_PATH);

		if ((error = vbuf_addf(&alias, "lib/%s", rel + 6)) == 0)
			error = venv_audit_own(a, d, alias.buf);
		vbuf_release(&alias);
		return error;
	}
	/*
	 * Its directories too: an entry of site-packages that is a link to a
	 * directory (virtualenv's --symlink-app-data links each one) is owned
	 * when files below it are. The first distribution listing a path keeps
	 * it, and its directories: once one is there, so are those above it.
	 */
	for (;;) {
		struct venv_audit_owner *o;
		uint64_t h = hash_mem(rel, n);
		const char *slash;

		if ((a->nowners + 1) * 10 > a->owners_cap * 7 &&
		    (error = owners_grow(a, a->owners_cap ? a->owners_cap * 2 : 1024)) < 0)
			return error;
		o = owner_slot(a->owners, a->owners_cap, rel, n, h);
		if (o->rel)
			return 0;
		if (!(o->rel = strndup(rel, n)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		o->hash = h;
		o->dist = d;
		a->nowners++;
		for (slash = rel + n; slash > rel && slash[-1] != '/'; slash--)
			;
		if (slash == rel)
			return 0;
		n = (size_t)(slash - 1 - rel);
	}
}

const struct venv_dist *venv_audit_owner_of(const struct venv_audit *a, const char *rel)
{
	const struct venv_audit_owner *o;
	size_t n = strlen(rel);

	if (!a->owners_cap)
		return NULL;
	o = owner_slot(a->owners, a->owners_cap, rel, n, hash_mem(rel, n));
	return o->rel ? o->dist : NULL;
}

int venv_audit_reserve(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dists *ds)
{
	size_t rows = 0, cap, i;
	int error;

	for (i = 0; i < ds->nr; i++)
		rows += ds->v[i].nrecord;
	/* Each row, and its directories: a few per distribution. */
	for (cap = 1024; cap * 7 < (rows + 8 * ds->nr + 1) * 10; cap *= 2)
		;
	if (cap > a->owners_cap && (error = owners_grow(a, cap)) < 0)
		return error;
	if (!(c->opts->flags & VENV_CHECK_VERIFY_HASHES))
		return 0;
	if ((error = VENV_ARRAY_GROW(a->want, a->want_alloc, rows, 256)) < 0)
		return error;
	/* What the walk handed over early is not hashed again. */
	return c->early ? 0 : VENV_ARRAY_GROW(a->files, a->files_alloc, rows, 256);
}

void venv_audit_init(struct venv_audit *a, struct venv_check_ctx *c)
{
	struct stat st;
	struct venv_audit zero = VENV_AUDIT_INIT;

	*a = zero;
	a->lib64_is_link = fstatat(c->env->root, "lib64", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			   S_ISLNK(st.st_mode);
}

void venv_audit_release(struct venv_audit *a)
{
	size_t i;

	for (i = 0; i < a->owners_cap; i++)
		free(a->owners[i].rel);
	for (i = 0; i < a->nwant; i++)
		if (!a->want[i].early)
			free((char *)a->want[i].rel);
	free(a->owners);
	free(a->files);
	free(a->want);
	free(a->first_linked);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------------------ */
/* RECORD rows: ownership, hard links, hashes to verify. */

int venv_audit_early_alloc(struct venv_audit_early *e, size_t rows)
{
	for (e->index_cap = 64; e->index_cap < 2 * rows; e->index_cap *= 2)
		;
	if (!(e->files = calloc(rows ? rows : 1, sizeof(*e->files))) ||
	    !(e->handed = calloc(rows ? rows : 1, 1)) ||
	    !(e->want_size = calloc(rows ? rows : 1, sizeof(*e->want_size))) ||
	    !(e->row_file = calloc(rows ? rows : 1, sizeof(*e->row_file))) ||
	    !(e->first_row = calloc(e->ds.nr ? e->ds.nr : 1, sizeof(*e->first_row))) ||
	    !(e->index = calloc(e->index_cap, sizeof(*e->index))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	e->rows = rows;
	return 0;
}

/* The slot of e->index for rel: its entry, or the free one where it goes. */
static size_t *early_slot(const struct venv_audit_early *e, const char *rel)
{
	size_t i;

	for (i = (size_t)hash_str(rel) & (e->index_cap - 1); e->index[i];
	     i = (i + 1) & (e->index_cap - 1))
		if (!strcmp(e->files[e->index[i] - 1].path, rel))
			break;
	return &e->index[i];
}

int venv_audit_early_add(struct venv_audit_early *e, size_t row, const char *rel, off_t size)
{
	size_t *slot;

	if (row >= e->rows || e->nfiles >= e->rows)
		return 0;
	slot = early_slot(e, rel);
	if (!*slot) {
		if (!(e->files[e->nfiles].path = strdup(rel)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		e->want_size[e->nfiles] = size;
		*slot = ++e->nfiles;
	} else if (e->want_size[*slot - 1] != size) {
		e->want_size[*slot - 1] = -1;   /* two rows that disagree: hashed as before */
	}
	e->row_file[row] = *slot;
	return 0;
}

/* Hand the file at rel, a regular file of size bytes to the walk, to the threads (if in the table). */
static void hand_over(struct venv_audit_early *e, const char *rel, off_t size)
{
	struct venv_filehash *f;
	size_t k;

	if (!(k = *early_slot(e, rel)) || e->handed[k - 1] ||
	    (e->want_size[k - 1] >= 0 && e->want_size[k - 1] != size))
		return;
	f = &e->files[k - 1];
	/* The walk came here through no link: nothing to follow on the way. */
	f->follow = 0;
	f->size = size;
	f->regular = 1;
	e->handed[k - 1] = 1;
	venv_filehash_push(e->stream, k - 1);
}

/* Under e->lock: the walk met rel, of size bytes, before the table was ready. */
static int pending_add(struct venv_audit_early *e, const char *rel, off_t size)
{
	size_t len = strlen(rel) + 1;
	int error;

	if ((error = VENV_ARRAY_GROW(e->pending, e->pending_alloc, e->npending + 1, 1024)) < 0 ||
	    (error = vbuf_add(&e->pending_names, rel, len)) < 0)
		return error;
	e->pending[e->npending].name = e->pending_names.len - len;
	e->pending[e->npending++].size = size;
	return 0;
}

void venv_audit_walked(struct venv_check_ctx *c, const char *rel, const struct stat *st)
{
	struct venv_audit_early *e = c->early;

	if (e->seen != VENV_EARLY_READY) {
		pthread_mutex_lock(&e->lock);
		/* Short of memory it is not handed over: it is hashed at the end. */
		if ((e->seen = e->state) == VENV_EARLY_READING && pending_add(e, rel, st->st_size) < 0)
			venv_error_clear();
		pthread_mutex_unlock(&e->lock);
		if (e->seen != VENV_EARLY_READY)
			return;
	}
	hand_over(e, rel, st->st_size);
}

/*
 * The reader's end of the table: the stream (NULL: none) for the walk, and
 * what the walk met meanwhile handed over, in the order it met it. The
 * list is taken out from under the lock a batch at a time, so that the
 * walk never waits for more than a copy.
 */
static void publish(struct venv_audit_early *e, struct venv_filehash_stream *s, int error)
{
	for (;;) {
		struct vbuf names;
		struct venv_audit_early_pending *v;
		size_t n, i;

		pthread_mutex_lock(&e->lock);
		e->stream = s;
		if (!s || !e->npending) {
			e->state = s ? VENV_EARLY_READY : VENV_EARLY_FAILED;
			e->error = error;
			pthread_cond_broadcast(&e->changed);
			pthread_mutex_unlock(&e->lock);
			return;
		}
		names = e->pending_names;
		vbuf_init(&e->pending_names, VBUF_MAX_REPORT);
		v = e->pending;
		n = e->npending;
		e->pending = NULL;
		e->npending = e->pending_alloc = 0;
		pthread_mutex_unlock(&e->lock);
		for (i = 0; i < n; i++)
			hand_over(e, names.buf + v[i].name, v[i].size);
		vbuf_release(&names);
		free(v);
	}
}

static void *reader(void *arg)
{
	struct venv_audit_early *e = arg;
	struct venv_filehash_stream *s = NULL;
	unsigned threads = 1;
	int error = e->fill(e);

	if (!error && e->nfiles) {
		threads = venv_filehash_threads(e->jobs, e->nfiles, e->total);
		/* This thread is one of them (the main one too, at the end): it hashes once published. */
		error = venv_filehash_start(&s, e->env->root, e->files, e->nfiles,
					    threads > 2 ? threads - 2 : 0);
		if (!error && threads > 1)
			venv_filehash_adopt(s);
	}
	publish(e, s, error == VENV_ENOMEM ? error : 0);
	if (s && threads > 1)
		venv_filehash_work(s);
	return NULL;
}

int venv_audit_early_spawn(struct venv_check_ctx *c, struct venv_audit_early *e)
{
	e->state = e->seen = VENV_EARLY_READING;
	vbuf_init(&e->pending_names, VBUF_MAX_REPORT);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->changed, NULL);
	if (pthread_create(&e->reader, NULL, reader, e) != 0) {
		/* No thread to spare: rules_dists.c reads them, and everything is hashed at the end. */
		venv_audit_early_release(e);
		return 0;
	}
	e->has_reader = 1;
	c->early = e;
	return 0;
}

/* Until the reader has published (or failed). */
static void early_wait(struct venv_audit_early *e)
{
	pthread_mutex_lock(&e->lock);
	while (e->state == VENV_EARLY_READING)
		pthread_cond_wait(&e->changed, &e->lock);
	e->seen = e->state;
	pthread_mutex_unlock(&e->lock);
}

int venv_audit_early_wait(struct venv_check_ctx *c)
{
	struct venv_audit_early *e = c->early;
	int error;

	early_wait(e);
	if (e->seen == VENV_EARLY_READY)
		return 0;
	error = e->error;
	venv_audit_early_release(e);
	c->early = NULL;
	if (error == VENV_ENOMEM)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	return 0;
}

void venv_audit_early_release(struct venv_audit_early *e)
{
	size_t i;

	if (!e)
		return;
	if (e->has_reader) {
		early_wait(e);
		/* Not finished by report_hashes() (an error on the way): what still waits is not needed. */
		venv_filehash_drop(e->stream);
		venv_filehash_finish(e->stream, 0);
		e->stream = NULL;
		pthread_join(e->reader, NULL);
	}
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->changed);
	for (i = 0; i < e->nfiles; i++)
		free((char *)e->files[i].path);
	free(e->files);
	free(e->index);
	free(e->handed);
	free(e->want_size);
	free(e->row_file);
	free(e->first_row);
	free(e->pending);
	vbuf_release(&e->pending_names);
	free(e->site);
	free(e->site_rel);
	venv_dists_release(&e->ds);
	free(e);
}

/* The file of row of d that the walk handed over to be hashed early, or NULL. */
static const struct venv_filehash *handed(const struct venv_audit_early *e,
					  const struct venv_dist *d, const struct venv_record_row *row)
{
	size_t i, k;

	/* rules_dists.c reads e->ds when there is an e: d and row are in it. */
	if (!e || d < e->ds.v || d >= e->ds.v + e->ds.nr || row < d->record ||
	    row >= d->record + d->nrecord)
		return NULL;
	i = e->first_row[d - e->ds.v] + (size_t)(row - d->record);
	if (i >= e->rows || !(k = e->row_file[i]) || !e->handed[k - 1])
		return NULL;
	return &e->files[k - 1];
}

static int queue_hash(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dist *d,
		      const struct venv_record_row *row, const char *rel,
		      const unsigned char want[VENV_SHA256_LEN], off_t size)
{
	const struct venv_filehash *early = handed(c->early, d, row);
	struct venv_filehash *f;
	struct venv_audit_hash *w;
	int error;

	if ((error = VENV_ARRAY_GROW(a->want, a->want_alloc, a->nwant + 1, 256)) < 0)
		return error;
	w = &a->want[a->nwant];
	memset(w, 0, sizeof(*w));
	w->dist = d;
	memcpy(w->want, want, VENV_SHA256_LEN);
	/* Handed over by the walk as the same regular file: its result is (or will be) there. */
	if (early && early->size == size && !strcmp(early->path, rel)) {
		/* Its path (the same string) lives as long as c->early, longer than a. */
		w->rel = early->path;
		w->early = early;
		a->nwant++;
		return 0;
	}
	if (!(w->rel = strdup(rel)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	a->nwant++;
	if ((error = VENV_ARRAY_GROW(a->files, a->files_alloc, a->nfiles + 1, 256)) < 0)
		return error;
	f = &a->files[a->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = w->rel;
	f->follow = d->linked;
	f->size = size;
	f->regular = 1;         /* venv_audit_row's caller looked (lstat) */
	w->file = a->nfiles++;
	return 0;
}

int venv_audit_row(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dist *d,
		   const struct venv_record_row *row, const char *rel, const struct stat *st)
{
	unsigned char want[VENV_SHA256_LEN];
	int error, r;

	if ((error = venv_audit_own(a, d, rel)) < 0)
		return error;
	if (S_ISREG(st->st_mode) && st->st_nlink > 1 && a->nlinked++ == 0 &&
	    !(a->first_linked = strdup(rel)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (!(c->opts->flags & VENV_CHECK_VERIFY_HASHES))
		return 0;
	if ((r = venv_filehash_parse_record(want, row->hash)) == VENV_ENOTFOUND)
		return 0;   /* nothing to verify (RECORD itself, bytecode) */
	if (r < 0) {
		const char *slash = strrchr(d->path, '/');

		error = add(c, VENV_DIAG_RECORD_UNPARSEABLE, rel, "%s/RECORD gives '%s' the hash "
			    "'%.100s': %s; not verified", slash ? slash + 1 : d->dir, row->path,
			    row->hash, venv_error_last());
		venv_error_clear();
		return error;
	}
	if (S_ISLNK(st->st_mode)) {
		/* virtualenv's --symlink-app-data links whole entries into its app-data. */
		if (d->linked)
			return 0;
		return add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, "'%s' of %s %s is a symbolic link; "
			   "not followed, its sha256 not verified", rel, d->name, d->version);
	}
	if (!S_ISREG(st->st_mode))
		return 0;
	return queue_hash(c, a, d, row, rel, want, st->st_size);
}

static int report_hashes(struct venv_check_ctx *c, struct venv_audit *a)
{
	unsigned jobs = c->opts->hash_jobs;
	size_t i;
	int error = 0;

	/* What the walk handed over first (of what is left, big files first), then the rest. */
	if (c->early) {
		const struct venv_audit_early *e = c->early;
		off_t total = 0;

		/* Threads for what was handed over, as the walk saw it (RECORD may give no sizes). */
		for (i = 0; i < e->nfiles; i++)
			total += e->handed[i] ? e->files[i].size : 0;
		error = venv_filehash_finish(e->stream, venv_filehash_threads(jobs, e->nfiles, total) - 1);
		c->early->stream = NULL;
	}
	if (!error)
		error = venv_filehash_run(c->env->root, a->files, a->nfiles, jobs);
	if (error < 0)
		return error == VENV_ENOMEM ? error :
			add(c, VENV_DIAG_CANNOT_INSPECT, NULL, "cannot verify hashes: %s",
			    venv_error_last());
	for (i = 0; i < a->nwant && !error; i++) {
		const struct venv_audit_hash *w = &a->want[i];
		const struct venv_filehash *f = w->early ? w->early : &a->files[w->file];
		char got[VENV_SHA256_B64_LEN + 1], want[VENV_SHA256_B64_LEN + 1];

		switch (f->status) {
		case VENV_RD_OK:
			if (!memcmp(f->digest, w->want, VENV_SHA256_LEN))
				break;
			venv_sha256_b64(f->digest, got);
			venv_sha256_b64(w->want, want);
			error = add(c, VENV_DIAG_DIST_FILE_SIZE, w->rel, "'%s' of %s %s was modified: "
				    "its sha256 is %s, RECORD says %s", w->rel, w->dist->name,
				    w->dist->version, got, want);
			break;
		case VENV_RD_MISSING:
			break;   /* removed since it was looked at */
		case VENV_RD_TOO_BIG:
			if (!f->sparse_size) {
				error = venv_check_report_read(c, f->status, f->err, w->rel);
				break;
			}
			error = add(c, VENV_DIAG_FILE_TOO_LARGE, w->rel, "'%s' of %s %s is a sparse "
				    "file of %lld bytes, mostly holes that read as zeros (no installer "
				    "writes them); not read, its sha256 not verified", w->rel,
				    w->dist->name, w->dist->version, (long long)f->sparse_size);
			break;
		case VENV_RD_LINK:
			error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, w->rel, "'%s' of %s %s is reached "
				    "through a symbolic link out of the environment; not followed, its "
				    "sha256 not verified", w->rel, w->dist->name, w->dist->version);
			break;
		default:
			error = venv_check_report_read(c, f->status, f->err, w->rel);
			break;
		}
	}
	return error;
}

/* ------------------------------------------------------------------------ */
/* Files no RECORD lists. */

/* The SHOWN_NAMES smallest names, in order, and how many were offered. */
struct names {
	char *v[SHOWN_NAMES];
	size_t n;
};

static int names_take(struct names *nm, char *s)
{
	size_t i, j, k = nm->n < SHOWN_NAMES ? nm->n : SHOWN_NAMES;

	nm->n++;
	for (i = 0; i < k && strcmp(nm->v[i], s) < 0; i++)
		;
	if (i == SHOWN_NAMES) {
		free(s);
		return 0;
	}
	/* The largest name drops out when the list is full; the rest shift up one. */
	if (k == SHOWN_NAMES)
		free(nm->v[--k]);
	for (j = k; j > i; j--)
		nm->v[j] = nm->v[j - 1];
	nm->v[i] = s;
	return 0;
}

static int names_add(struct names *nm, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	return names_take(nm, copy);
}

static void names_release(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n && i < SHOWN_NAMES; i++)
		free(nm->v[i]);
	memset(nm, 0, sizeof(*nm));
}

/* Files no RECORD lists, counted over what the walk of rules_tree.c listed (c->site). */
struct tally {
	struct venv_check_ctx *c;
	struct venv_audit *a;
	const struct venv_dists *ds;
	const char *site_rel;
	size_t next;               /* the entry of c->site to look at next */
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* The top-level modules of an .egg-info distribution (no RECORD: top_level.txt). */
static int egg_module(const struct tally *t, const char *name)
{
	size_t i, k;

	for (i = 0; i < t->ds->nr; i++) {
		const struct venv_dist *d = &t->ds->v[i];

		for (k = 0; d->egg && k < d->ntop_level; k++) {
			const char *l = d->top_level[k];
			size_t n = strlen(l);

			if (!strncmp(name, l, n) && (!name[n] || !strcmp(name + n, ".py") ||
						     (name[n] == '.' && venv_dist_is_compiled_path(name))))
				return 1;
		}
	}
	return 0;
}

/* What Python, pip and the creators make beside the distributions' files. */
static int not_counted(const struct tally *t, const char *name, int top, int isdir)
{
	if (isdir && !strcmp(name, "__pycache__"))
		return 1;
	if (!isdir && ends_with(name, ".pyc"))
		return 1;
	if (!top)
		return 0;
	return ends_with(name, ".dist-info") || ends_with(name, ".egg-info") ||
	       ends_with(name, ".egg-link") || !strcmp(name, "easy-install.pth") ||
	       !strcmp(name, "_virtualenv.py") || !strcmp(name, "_virtualenv.pth") ||
	       egg_module(t, name);
}

/* Whether the site-packages path name lies below dir (n bytes; n == 0: site-packages). */
static int below(const char *name, const char *dir, size_t n)
{
	return !n || (!strncmp(name, dir, n) && name[n] == '/');
}

/*
 * The entries of the directory dir (n bytes of a site-packages path; n == 0
 * for site-packages itself), from t->next on, each directory with what it
 * holds: counts the owned and unowned files and keeps the names to show.
 */
static int tally_dir(struct tally *t, const char *dir, size_t n, struct vbuf *rel,
		     size_t *unowned, size_t *owned, struct names *nm)
{
	const struct venv_site_list *l = &t->c->site;
	size_t site_len = strlen(t->site_rel);
	int error = 0;

	while (!error && t->next < l->n) {
		const struct venv_site_entry *en = &l->v[t->next];
		const char *path = l->names.buf + en->name, *name = path + n + (n > 0);

		if (!below(path, dir, n))
			break;
		t->next++;
		if (not_counted(t, name, n == 0, en->isdir)) {
			/* Nor anything below it. */
			while (en->isdir && t->next < l->n &&
			       below(l->names.buf + l->v[t->next].name, path, strlen(path)))
				t->next++;
			continue;
		}
		if (en->isdir) {
			size_t sub_unowned = 0, sub_owned = 0;
			struct names sub = { { NULL }, 0 };

			error = tally_dir(t, path, strlen(path), rel, &sub_unowned, &sub_owned, &sub);
			if (!error && sub_unowned && !sub_owned) {
				/* A directory of its own: named once, with its count. */
				struct vbuf nb = VBUF_INIT(VBUF_MAX_PATH);

				if ((error = vbuf_addf(&nb, "%s/ (%zu file%s)", path, sub_unowned,
						       sub_unowned == 1 ? "" : "s")) == 0)
					error = names_add(nm, nb.buf);
				vbuf_release(&nb);
			} else if (!error) {
				size_t k;

				for (k = 0; k < sub.n && k < SHOWN_NAMES; k++) {
					error = error ? error : names_take(nm, sub.v[k]);
					sub.v[k] = NULL;
				}
				nm->n += sub.n - (sub.n < SHOWN_NAMES ? sub.n : SHOWN_NAMES);
			}
			names_release(&sub);
			*unowned += sub_unowned;
			*owned += sub_owned;
			continue;
		}
		vbuf_setlen(rel, site_len);
		if ((error = vbuf_addf(rel, "/%s", path)) < 0)
			break;
		if (venv_audit_owner_of(t->a, rel->buf)) {
			(*owned)++;
		} else {
			(*unowned)++;
			error = names_add(nm, path);
		}
	}
	return error;
}

static int check_unowned(struct venv_check_ctx *c, struct venv_audit *a,
			 const struct venv_dists *ds, const char *site_rel)
{
	struct tally t = { c, a, ds, site_rel, 0 };
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), list = VBUF_INIT(VBUF_MAX_LINE);
	struct names nm = { { NULL }, 0 };
	size_t unowned = 0, owned = 0, i;
	int error;

	if ((error = vbuf_adds(&rel, site_rel)) < 0)
		goto done;
	if ((error = tally_dir(&t, "", 0, &rel, &unowned, &owned, &nm)) < 0 || !unowned)
		goto done;
	for (i = 0; i < nm.n && i < SHOWN_NAMES && !error; i++)
		error = vbuf_addf(&list, "%s%s", i ? ", " : "", nm.v[i]);
	if (!error && nm.n > SHOWN_NAMES)
		error = vbuf_adds(&list, ", ...");
	if (!error)
		error = add(c, VENV_DIAG_UNOWNED_FILES, site_rel, "%zu file%s under site-packages "
			    "belong%s to no installed distribution: %s%s", unowned,
			    unowned == 1 ? "" : "s", unowned == 1 ? "s" : "", list.buf,
			    c->site.limited ? " (the walk stopped at a limit: there may be more)" : "");
done:
	names_release(&nm);
	vbuf_release(&rel);
	vbuf_release(&list);
	return error;
}

/* ------------------------------------------------------------------------ */
/* sitecustomize and usercustomize. */

/* "sitecustomize.py", ".pyc", ".<tag>.so", or a package: the file that runs, else NULL. */
static const char *customize_kind(const char *name, int isdir)
{
	const char *rest;

	if (!strncmp(name, "sitecustomize", 13) || !strncmp(name, "usercustomize", 13))
		rest = name + 13;
	else
		return NULL;
	if (isdir)
		return *rest ? NULL : "/__init__.py";
	if (!strcmp(rest, ".py") || !strcmp(rest, ".pyc") ||
	    (rest[0] == '.' && venv_dist_is_compiled_path(rest)))
		return "";
	return NULL;
}

/* Over the top of site-packages as the walk listed it (c->site). */
static int check_customize(struct venv_check_ctx *c, struct venv_audit *a, const char *site_rel)
{
	const struct venv_site_list *l = &c->site;
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), runs = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int error = 0;

	for (i = 0; i < l->n && !error; i++) {
		const char *name = l->names.buf + l->v[i].name, *tail;
		const struct venv_dist *owner;
		struct stat st;
		int user = name[0] == 'u';

		if (strchr(name, '/') || (strncmp(name + 1, "sercustomize", 12) &&
					  strncmp(name + 1, "itecustomize", 12)) ||
		    !(tail = customize_kind(name, l->v[i].isdir)))
			continue;
		vbuf_reset(&rel);
		vbuf_reset(&runs);
		if ((error = vbuf_addf(&rel, "%s/%s", site_rel, name)) < 0 ||
		    (error = vbuf_addf(&runs, "%s%s", rel.buf, tail)) < 0)
			break;
		/* A directory without __init__.py is a namespace package: nothing runs. */
		if (*tail && fstatat(c->env->root, runs.buf, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		owner = venv_audit_owner_of(a, runs.buf);
		if (owner)
			error = venv_check_add_sev(c, VENV_SEVERITY_INFO, VENV_DIAG_CUSTOMIZE_MODULE,
						   rel.buf, 0, NULL, NULL, "'%s' runs at every start-up%s "
						   "(installed by %s %s)", rel.buf, user ? " when the "
						   "user site is enabled" : "", owner->name,
						   owner->version);
		else
			error = add(c, VENV_DIAG_CUSTOMIZE_MODULE, rel.buf, "'%s' runs at every "
				    "start-up%s and no distribution's RECORD lists it", rel.buf,
				    user ? " when the user site is enabled" : "");
	}
	vbuf_release(&rel);
	vbuf_release(&runs);
	return error;
}

/* ------------------------------------------------------------------------ */

int venv_audit_finish(struct venv_check_ctx *c, struct venv_audit *a,
		      const struct venv_dists *ds, const char *site_rel)
{
	int error = 0;

	/*
	 * The hashes last: the threads hash while this thread counts unowned
	 * files (the findings are sorted at the end: the order they are found
	 * in does not show).
	 */
	if (a->nlinked)
		error = add(c, VENV_DIAG_SHARED_HARD_LINKS, site_rel, "%zu file%s of installed "
			    "distributions ha%s other hard links (%s%s): an edit made in place here "
			    "also changes %s in the other environments or caches that share %s",
			    a->nlinked, a->nlinked == 1 ? "" : "s", a->nlinked == 1 ? "s" : "ve",
			    a->nlinked == 1 ? "" : "first: ", a->first_linked,
			    a->nlinked == 1 ? "it" : "them", a->nlinked == 1 ? "it" : "them");
	if (!error)
		error = check_unowned(c, a, ds, site_rel);
	if (!error)
		error = check_customize(c, a, site_rel);
	if (!error && (c->opts->flags & VENV_CHECK_VERIFY_HASHES))
		error = report_hashes(c, a);
	return error;
}
