#include "compat.h"
#include "array.h"
#include "la.h"
#include <time.h>
#include <archive.h>
#include <archive_entry.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"
#include "wheel_int.h"

/*
 * Unpacking an untrusted wheel (step 1 of wheel.h): every entry checked,
 * written below a private directory through handles, and verified against
 * the wheel's RECORD.
 */

static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct venv_wheel_file *)a)->path,
		      ((const struct venv_wheel_file *)b)->path);
}

struct venv_wheel_file *venv_wheel__find_file(const struct venv_wheel *w, const char *path)
{
	struct venv_wheel_file key = { 0 };

	key.path = (char *)path;
	return bsearch(&key, w->files, w->nfiles, sizeof(*w->files), cmp_file);
}

static int cmp_nocase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* RECORD's signatures, which RECORD cannot hash. */
static int is_record_signature(const struct venv_wheel *w, const char *path)
{
	size_t n = strlen(w->dist_info);

	return !strncmp(path, w->dist_info, n) &&
	       (!strcmp(path + n, "/RECORD.jws") || !strcmp(path + n, "/RECORD.p7s"));
}

/*
 * PEP 427: every file must be listed in RECORD with a hash that matches,
 * and RECORD must not list files the wheel does not have (WHL-07). Only
 * RECORD itself and its signatures may go without a hash.
 */
static int verify_record(const struct venv_wheel *w, const char *record, size_t len)
{
	struct venv_record_row *rows = NULL;
	size_t nrows = 0, i, nseen = 0;
	unsigned char *seen = NULL;
	struct vbuf self = VBUF_INIT(VBUF_MAX_PATH);
	int error, is_dir;

	if ((error = venv_record_parse(record, len, &rows, &nrows)) < 0)
		goto done;
	if ((error = vbuf_addf(&self, "%s/RECORD", w->dist_info)) < 0)
		goto done;
	if (!(seen = calloc(w->nfiles ? w->nfiles : 1, 1))) {
		error = venv_wheel__oom();
		goto done;
	}
	for (i = 0; i < nrows; i++) {
		const struct venv_record_row *r = &rows[i];
		struct venv_wheel_file *f;
		unsigned char digest[VENV_SHA256_LEN];
		uint64_t size;

		if ((error = venv_wheel_check_name(r->path, &is_dir)) < 0) {
			error = venv_error_set(VENV_EUNSAFE, "RECORD lists a bad path: %s",
					       venv_error_last());
			goto done;
		}
		if (!strcmp(r->path, self.buf))
			continue;
		f = venv_wheel__find_file(w, r->path);
		if (!f || is_dir) {
			error = venv_error_set(VENV_EINVAL, "the wheel's RECORD lists '%s', which "
					       "is not in the wheel", r->path);
			goto done;
		}
		if (seen[f - w->files]) {
			error = venv_error_set(VENV_EINVAL, "the wheel's RECORD lists '%s' twice",
					       r->path);
			goto done;
		}
		seen[f - w->files] = 1;
		nseen++;
		if (!r->hash[0] && is_record_signature(w, r->path))
			continue;
		if (strncmp(r->hash, "sha256=", 7)) {
			error = venv_error_set(VENV_EINVAL, "the wheel's RECORD gives '%s' %s; only "
					       "sha256 is accepted", r->path,
					       r->hash[0] ? "an unsupported hash" : "no hash");
			goto done;
		}
		if (venv_sha256_from_b64(digest, r->hash + 7, strlen(r->hash + 7)) < 0) {
			error = venv_error_set(VENV_EINVAL, "the wheel's RECORD has a malformed "
					       "hash for '%s'", r->path);
			goto done;
		}
		if (memcmp(digest, f->sha256, sizeof(digest))) {
			error = venv_error_set(VENV_EUNSAFE, "hash mismatch for '%s': the wheel's "
					       "content does not match its RECORD", r->path);
			goto done;
		}
		if (r->size[0] && (parse_size(r->size, &size) < 0 || size != f->size)) {
			error = venv_error_set(VENV_EUNSAFE, "size mismatch for '%s': RECORD says "
					       "%s, the wheel has %llu bytes", r->path, r->size,
					       (unsigned long long)f->size);
			goto done;
		}
	}
	for (i = 0; nseen != w->nfiles && i < w->nfiles; i++) {
		if (!seen[i] && !is_record_signature(w, w->files[i].path)) {
			error = venv_error_set(VENV_EUNSAFE, "'%s' is in the wheel but not in its "
					       "RECORD", w->files[i].path);
			goto done;
		}
	}
done:
	free(seen);
	vbuf_release(&self);
	venv_record_rows_free(rows, nrows);
	return error;
}

/* ---- WHEEL metadata ---- */

static int parse_wheel_metadata(struct venv_wheel *w, const char *text, size_t len)
{
	size_t pos = 0;
	int have_version = 0;

	w->root_is_purelib = 0;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *colon = memchr(line, ':', ll);

		pos += ll + 1;
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (!colon)
			continue;
		{
			size_t kl = (size_t)(colon - line), vl;
			const char *v = colon + 1;

			vl = ll - kl - 1;
			while (vl && (*v == ' ' || *v == '\t')) {
				v++;
				vl--;
			}
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (kl == 13 && !strncasecmp(line, "Wheel-Version", 13)) {
				have_version = 1;
				if (vl < 2 || v[0] != '1' || v[1] != '.')
					return venv_error_set(VENV_EINVAL, "unsupported wheel version "
							      "'%.*s' (only 1.x is known)",
							      (int)vl, v);
			} else if (kl == 15 && !strncasecmp(line, "Root-Is-Purelib", 15)) {
				w->root_is_purelib = vl == 4 && !strncasecmp(v, "true", 4);
			}
		}
	}
	if (!have_version)
		return venv_error_set(VENV_EINVAL, "the wheel's WHEEL file has no Wheel-Version");
	return 0;
}

/* ---- unpack ---- */

int venv_wheel__add_file(struct venv_wheel *w, const char *path, uint64_t size,
		    const unsigned char *sha, int exec)
{
	struct venv_wheel_file *f;

	if (VENV_ARRAY_GROW(w->files, w->alloc, w->nfiles + 1, 256) < 0)
		return venv_wheel__oom();
	f = &w->files[w->nfiles];
	if (!(f->path = strdup(path)))
		return venv_wheel__oom();
	f->size = size;
	memcpy(f->sha256, sha, VENV_SHA256_LEN);
	f->executable = exec;
	w->nfiles++;
	return 0;
}

/* The top-level "<x>.dist-info" component of path, or 0. */
static size_t dist_info_prefix(const char *path)
{
	const char *slash = strchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n > 10 && !memcmp(path + n - 10, ".dist-info", 10))
		return n;
	return 0;
}

struct unpack_state {
	struct archive *a;
	struct venv_dirstack ds;
	struct vbuf record;
	char *buf;
	uint64_t total;
	uint64_t wheel_size;
	size_t entries;
	char *record_dir;      /* the dist-info that held RECORD */
	unsigned flags;
	struct venv_zip_names cd;
};

static int unpack_file(struct venv_wheel *w, struct unpack_state *st, struct archive_entry *e,
		       const char *name, int is_record)
{
	struct venv_sha256 c = { NULL, 0 };
	unsigned char digest[VENV_SHA256_LEN];
	uint64_t got = 0, declared = 0;
	int exec = (LA(archive_entry_perm)(e) & 0111) != 0, has_size, fd = -1, error = 0;
	const char *base;

	has_size = LA(archive_entry_size_is_set)(e);
	if (has_size) {
		int64_t s = LA(archive_entry_size)(e);

		if (s < 0 || (uint64_t)s > VENV_WHEEL_MAX_FILE)
			return venv_error_set(VENV_ETOOBIG, "the wheel entry '%s' is larger than "
					      "the limit of %llu bytes", name,
					      (unsigned long long)VENV_WHEEL_MAX_FILE);
		declared = (uint64_t)s;
	}
	if (!is_record) {
		if ((error = venv_ds_enter_parent(&st->ds, name, 1, &base)) < 0)
			return error;
		fd = openat(venv_ds_top(&st->ds), base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, exec ? 0777 : 0666);
		if (fd < 0) {
			if (errno == EEXIST)
				return venv_error_set(VENV_EUNSAFE, "the wheel has the entry '%s' "
						      "twice", name);
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot create "
						    "'%s' while unpacking the wheel", name);
		}
		if (exec) {
			struct stat sb;

			if (fstat(fd, &sb) == 0 && (sb.st_mode & 0111) != 0111)
				fchmod(fd, (sb.st_mode & 0777) | 0111);
		}
	} else if (st->record.len) {
		return venv_error_set(VENV_EUNSAFE, "the wheel has the entry '%s' twice", name);
	}
	if ((error = venv_sha256_init(&c)) < 0)
		goto done;
	for (;;) {
		la_ssize_t n = LA(archive_read_data)(st->a, st->buf, VENV_WHEEL_COPY_CHUNK);

		if (n < 0) {
			error = venv_error_set(VENV_EINVAL, "cannot read '%s' from the wheel: %s",
					       name, LA(archive_error_string)(st->a) ?
					       LA(archive_error_string)(st->a) : "unknown error");
			goto done;
		}
		if (n == 0)
			break;
		got += (uint64_t)n;
		st->total += (uint64_t)n;
		if ((has_size && got > declared) || got > VENV_WHEEL_MAX_FILE) {
			error = venv_error_set(VENV_ETOOBIG, "the wheel entry '%s' unpacks to more "
					       "than %s", name, has_size ? "its declared size" :
					       "the size limit");
			goto done;
		}
		if (st->total > VENV_WHEEL_MAX_TOTAL ||
		    (st->total > 1024 * 1024 &&
		     st->total / VENV_WHEEL_MAX_RATIO > st->wheel_size)) {
			error = venv_error_set(VENV_ETOOBIG, "refusing the wheel: it unpacks to more "
					       "than %d times its size (a zip bomb?)",
					       VENV_WHEEL_MAX_RATIO);
			goto done;
		}
		if ((error = venv_sha256_update(&c, st->buf, (size_t)n)) < 0)
			goto done;
		if (is_record) {
			if ((error = vbuf_add(&st->record, st->buf, (size_t)n)) < 0)
				goto done;
		} else if (venv_fs_write_all(fd, st->buf, (size_t)n) < 0) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot write "
						     "'%s' while unpacking the wheel", name);
			goto done;
		}
	}
	if (!is_record && (st->flags & VENV_WHEEL_FIXED)) {
		struct timespec ts[2];

		ts[0].tv_sec = ts[1].tv_sec = (time_t)w->mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (fchmod(fd, exec ? 0755 : 0644) < 0 || futimens(fd, ts) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", name);
			goto done;
		}
	}
	if (has_size && got != declared) {
		error = venv_error_set(VENV_EINVAL, "the wheel entry '%s' has %llu bytes, its "
				       "directory says %llu", name, (unsigned long long)got,
				       (unsigned long long)declared);
		goto done;
	}
	if ((error = venv_sha256_final(&c, digest)) < 0)
		goto done;
	if (!is_record)
		error = venv_wheel__add_file(w, name, got, digest, exec);
done:
	venv_sha256_release(&c);
	if (fd >= 0 && close(fd) < 0 && !error)
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s'", name);
	return error;
}

static int scheme_known(const char *s, size_t n)
{
	static const char *const schemes[] = { "purelib", "platlib", "headers", "scripts", "data" };
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(schemes); i++)
		if (strlen(schemes[i]) == n && !memcmp(s, schemes[i], n))
			return 1;
	return 0;
}

/* name-version from "name-version(-build)?-py-abi-plat.whl". */
static int parse_wheel_filename(const char *path, char *name, size_t ncap, char *ver,
				size_t vcap)
{
	const char *base = strrchr(path, '/'), *dash, *dash2;
	size_t bl, parts = 0;
	const char *p;

	base = base ? base + 1 : path;
	bl = strlen(base);
	if (bl < 5 || strcmp(base + bl - 4, ".whl"))
		return venv_error_set(VENV_EINVAL, "'%s' is not a wheel file name", base);
	for (p = base; p < base + bl - 4; p++)
		parts += *p == '-';
	dash = strchr(base, '-');
	if (parts < 4 || !dash)
		return venv_error_set(VENV_EINVAL, "'%s' is not a wheel file name", base);
	dash2 = strchr(dash + 1, '-');
	if ((size_t)(dash - base) >= ncap || (size_t)(dash2 - dash - 1) >= vcap)
		return venv_error_set(VENV_EINVAL, "'%s' is not a wheel file name", base);
	memcpy(name, base, (size_t)(dash - base));
	name[dash - base] = '\0';
	memcpy(ver, dash + 1, (size_t)(dash2 - dash - 1));
	ver[dash2 - dash - 1] = '\0';
	return 0;
}

static int finish_unpack(struct venv_wheel *w, struct unpack_state *st, int treefd,
			 const char *path)
{
	char fname[256] = { 0 }, fver[256] = { 0 }, a[256] = { 0 }, b[256] = { 0 };
	struct vbuf meta = VBUF_INIT(VBUF_MAX_CFG), tmp = VBUF_INIT(VBUF_MAX_PATH);
	const char *dash;
	size_t i, dl;
	int error;

	if ((error = parse_wheel_filename(path, fname, sizeof(fname), fver, sizeof(fver))) < 0)
		goto done;
	if (!st->record_dir) {
		error = venv_error_set(VENV_EINVAL, "the wheel has no .dist-info/RECORD");
		goto done;
	}
	dl = strlen(st->record_dir);
	/* Exactly one .dist-info, named after the file; no other .data. */
	for (i = 0; i < w->nfiles; i++) {
		const char *p = w->files[i].path;
		size_t n = dist_info_prefix(p);
		const char *slash = strchr(p, '/');

		if (n && (n != dl || memcmp(p, st->record_dir, n))) {
			error = venv_error_set(VENV_EINVAL, "the wheel has more than one .dist-info "
					       "directory ('%.*s' and '%s')", (int)n, p,
					       st->record_dir);
			goto done;
		}
		if (slash && slash - p > 5 && !memcmp(slash - 5, ".data", 5) &&
		    ((size_t)(slash - p) != dl - 5 || memcmp(p, st->record_dir, dl - 10))) {
			error = venv_error_set(VENV_EINVAL, "the wheel has a foreign data directory "
					       "'%.*s'", (int)(slash - p), p);
			goto done;
		}
	}
	dash = memchr(st->record_dir, '-', dl);
	if (!dash || dash == st->record_dir || (size_t)(dash - st->record_dir) + 11 > dl) {
		error = venv_error_set(VENV_EINVAL, "bad .dist-info name '%s'", st->record_dir);
		goto done;
	}
	venv_wheel__normalize_name(a, sizeof(a), st->record_dir, (size_t)(dash - st->record_dir));
	venv_wheel__normalize_name(b, sizeof(b), fname, strlen(fname));
	if (strcmp(a, b) || strlen(fver) != dl - 10 - (size_t)(dash - st->record_dir) - 1 ||
	    strncasecmp(fver, dash + 1, strlen(fver))) {
		error = venv_error_set(VENV_EINVAL, "the wheel's .dist-info '%s' does not match "
				       "its file name", st->record_dir);
		goto done;
	}
	if (!(w->dist_info = strdup(st->record_dir)) ||
	    !(w->name = venv_wheel__strndup(st->record_dir, (size_t)(dash - st->record_dir))) ||
	    !(w->version = venv_wheel__strndup(dash + 1, dl - 10 - (size_t)(dash - st->record_dir) - 1)) ||
	    !(w->data_dir = malloc(dl - 10 + 6))) {
		error = venv_wheel__oom();
		goto done;
	}
	memcpy(w->data_dir, st->record_dir, dl - 10);
	memcpy(w->data_dir + dl - 10, ".data", 6);
	qsort(w->files, w->nfiles, sizeof(*w->files), cmp_file);
	/* Twins on a case-insensitive file system (WHL-11; ASCII case only). */
	{
		char **lower = calloc(w->nfiles ? w->nfiles : 1, sizeof(*lower));

		if (!lower) {
			error = venv_wheel__oom();
			goto done;
		}
		for (i = 0; i < w->nfiles; i++)
			lower[i] = w->files[i].path;
		qsort(lower, w->nfiles, sizeof(*lower), cmp_nocase);
		for (i = 1; i < w->nfiles && !error; i++)
			if (!strcasecmp(lower[i - 1], lower[i]))
				error = venv_error_set(VENV_EUNSAFE, "the wheel entries '%s' and "
						       "'%s' differ only in case", lower[i - 1],
						       lower[i]);
		free(lower);
		if (error < 0)
			goto done;
	}
	if ((error = verify_record(w, st->record.buf, st->record.len)) < 0)
		goto done;
	if ((error = vbuf_addf(&tmp, "%s/WHEEL", w->dist_info)) < 0)
		goto done;
	if (!venv_wheel__find_file(w, tmp.buf)) {
		error = venv_error_set(VENV_EINVAL, "the wheel has no %s", tmp.buf);
		goto done;
	}
	if ((error = venv_wheel__read_member(&meta, treefd, tmp.buf, VBUF_MAX_CFG)) < 0 ||
	    (error = parse_wheel_metadata(w, meta.buf, meta.len)) < 0)
		goto done;
	/* Only the five schemes of the wheel spec, and scripts at the top (WHL-03). */
	dl = strlen(w->data_dir);
	for (i = 0; i < w->nfiles; i++) {
		const char *p = w->files[i].path, *scheme, *slash;

		if (strncmp(p, w->data_dir, dl) || p[dl] != '/')
			continue;
		scheme = p + dl + 1;
		slash = strchr(scheme, '/');
		if (!slash || !scheme_known(scheme, (size_t)(slash - scheme))) {
			error = venv_error_set(VENV_EUNSAFE, "'%s' is not inside a known scheme "
					       "directory (unknown scheme)", p);
			goto done;
		}
		if (!strncmp(scheme, "scripts/", 8) && strchr(slash + 1, '/')) {
			error = venv_error_set(VENV_EUNSAFE, "the script '%s' is in a subdirectory", p);
			goto done;
		}
	}
	/* Bad script names or callables refuse the wheel before it is cached (WHL-04). */
	vbuf_reset(&tmp);
	if ((error = vbuf_addf(&tmp, "%s/entry_points.txt", w->dist_info)) < 0)
		goto done;
	if (venv_wheel__find_file(w, tmp.buf)) {
		struct venv_entry_point *eps = NULL;
		size_t neps = 0;

		if ((error = venv_wheel__read_member(&meta, treefd, tmp.buf, VBUF_MAX_CFG)) < 0 ||
		    (error = venv_entry_points_parse(meta.buf, meta.len, 3, 0, &eps, &neps)) < 0)
			goto done;
		venv_entry_points_free(eps, neps);
	}
done:
	vbuf_release(&meta);
	vbuf_release(&tmp);
	return error;
}

static int wheel_unpack(struct venv_wheel *w, const char *path, int dirfd, unsigned flags)
{
	struct unpack_state st;
	struct archive_entry *e;
	struct stat sb;
	int fd = -1, error = 0, r;

	memset(&st, 0, sizeof(st));
	st.flags = flags;
	w->mtime = (flags & VENV_WHEEL_FIXED) ? (int64_t)time(NULL) : 0;
	vbuf_init(&st.record, VBUF_MAX_RECORD);
	venv_ds_init(&st.ds, dirfd, "the unpacked wheel");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open the wheel "
					     "'%s'", path);
		goto done;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		error = venv_error_set(VENV_EINVAL, "the wheel '%s' is not a regular file", path);
		goto done;
	}
	if ((uint64_t)sb.st_size > VENV_WHEEL_MAX_WHEEL) {
		error = venv_error_set(VENV_ETOOBIG, "the wheel '%s' is larger than %llu bytes",
				       path, (unsigned long long)VENV_WHEEL_MAX_WHEEL);
		goto done;
	}
	st.wheel_size = (uint64_t)sb.st_size;
	if ((error = venv_zip_check_directory(fd, st.wheel_size, path, &st.cd)) < 0 ||
	    (error = venv_wheel_hash_fd(fd, w->sha256)) < 0)
		goto done;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", path);
		goto done;
	}
	if (!(st.buf = malloc(VENV_WHEEL_COPY_CHUNK)) || !(st.a = LA(archive_read_new)())) {
		error = venv_wheel__oom();
		goto done;
	}
	/* Seekable only: the central directory is authoritative (WHL-08). */
	if (LA(archive_read_support_format_zip_seekable)(st.a) != ARCHIVE_OK ||
	    LA(archive_read_open_fd)(st.a, fd, VENV_WHEEL_COPY_CHUNK) != ARCHIVE_OK) {
		error = venv_error_set(VENV_EINVAL, "cannot read the wheel '%s': %s", path,
				       LA(archive_error_string)(st.a) ? LA(archive_error_string)(st.a) :
				       "not a zip archive");
		goto done;
	}
	while ((r = LA(archive_read_next_header)(st.a, &e)) != ARCHIVE_EOF) {
		const char *name;
		int is_dir, type;
		size_t di;

		/*
		 * A warning is an error too (found with the FUZ-07 seeds):
		 * libarchive only warns when an entry's local header disagrees
		 * with the central directory about its sizes or CRC, and then
		 * reads the data with the local header's sizes, where zipfile
		 * (pip) uses the directory's, so the two could unpack different
		 * bytes (WHL-08). The other warning it gives here, for a name it
		 * cannot convert, already ended in "no readable name" below.
		 */
		if (r != ARCHIVE_OK) {
			error = venv_error_set(VENV_EINVAL, "cannot read the wheel '%s': %s", path,
					       LA(archive_error_string)(st.a) ?
					       LA(archive_error_string)(st.a) : "unknown error");
			goto done;
		}
		if (++st.entries > VENV_WHEEL_MAX_ENTRIES) {
			error = venv_error_set(VENV_ETOOBIG, "the wheel has more than %d entries",
					       VENV_WHEEL_MAX_ENTRIES);
			goto done;
		}
		name = LA(archive_entry_pathname_utf8)(e);
		if (!name)
			name = LA(archive_entry_pathname)(e);
		if (!name) {
			error = venv_error_set(VENV_EUNSAFE, "the wheel has an entry without a "
					       "readable name");
			goto done;
		}
		if ((error = venv_wheel_check_name(name, &is_dir)) < 0)
			goto done;
		if (!venv_zip_has_name(&st.cd, name)) {
			error = venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is named otherwise "
					       "in the zip's central directory", name);
			goto done;
		}
		type = (int)LA(archive_entry_filetype)(e);
		/* Links and special files are never created (WHL-05). */
		if (LA(archive_entry_hardlink)(e) || LA(archive_entry_symlink)(e) || type == AE_IFLNK) {
			error = venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is a link", name);
			goto done;
		}
		if (type == AE_IFDIR || (is_dir && type == AE_IFREG && !LA(archive_entry_size)(e))) {
			/* Directories are made on demand; an empty one is not installed. */
			continue;
		}
		if (type != AE_IFREG || is_dir) {
			error = venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is not a regular "
					       "file", name);
			goto done;
		}
		di = dist_info_prefix(name);
		if (di && !strcmp(name + di, "/RECORD")) {
			if (st.record_dir) {
				error = venv_error_set(VENV_EINVAL, "the wheel has more than one "
						       "RECORD");
				goto done;
			}
			if (!(st.record_dir = venv_wheel__strndup(name, di))) {
				error = venv_wheel__oom();
				goto done;
			}
			if ((error = unpack_file(w, &st, e, name, 1)) < 0)
				goto done;
			continue;
		}
		if ((error = unpack_file(w, &st, e, name, 0)) < 0)
			goto done;
	}
	error = finish_unpack(w, &st, dirfd, path);
done:
	venv_ds_pop_to(&st.ds, 0);
	if (st.a)
		LA(archive_read_free)(st.a);
	if (fd >= 0)
		close(fd);
	free(st.buf);
	free(st.record_dir);
	vbuf_release(&st.record);
	venv_zip_names_release(&st.cd);
	return error;
}

/* The public entry: libarchive is loaded on first use (see common/la.h). */
int venv_wheel_unpack(struct venv_wheel *w, const char *path, int dirfd, unsigned flags)
{
	int error = venv_la_load();

	return error < 0 ? error : wheel_unpack(w, path, dirfd, flags);
}
