#include "compat.h"
#include "la.h"
#include <time.h>
#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/fs.h>
#endif
#include <archive.h>
#include <archive_entry.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "wheel.h"

/*
 * See wheel.h for the two steps. Everything below dirfd/treefd is reached
 * through directory handles opened with O_NOFOLLOW, one component at a
 * time, and files are created with O_EXCL|O_NOFOLLOW after removing what
 * was in the way: a symbolic link planted anywhere below the roots is
 * refused, never followed (security.md WHL-01, WHL-02, CRA-10).
 */

#define COPY_CHUNK 65536

void venv_wheel_release(struct venv_wheel *w)
{
	size_t i;

	free(w->name);
	free(w->version);
	free(w->dist_info);
	free(w->data_dir);
	for (i = 0; i < w->nfiles; i++)
		free(w->files[i].path);
	free(w->files);
	memset(w, 0, sizeof(*w));
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

/* ---- names ---- */

int venv_wheel_check_name(const char *name, int *is_dir)
{
	size_t len = strlen(name), i, start = 0, depth = 0;

	*is_dir = 0;
	if (!len)
		return venv_error_set(VENV_EUNSAFE, "the wheel has an entry with an empty name");
	if (len > VENV_WHEEL_MAX_NAME)
		return venv_error_set(VENV_EUNSAFE, "the wheel entry '%.64s...' has a name longer "
				      "than %d bytes", name, VENV_WHEEL_MAX_NAME);
	if (!venv_utf8_valid(name, len))
		return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has a name that is not "
				      "valid UTF-8", name);
	if (name[0] == '/')
		return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is an absolute path", name);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '\\')
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' contains a "
					      "backslash", name);
		/* Drive letters ("C:") and anything else a colon could mean elsewhere. */
		if (c == ':')
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' contains a colon",
					      name);
		if (c < 0x20 || c == 0x7f)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' contains a "
					      "control character", name);
	}
	if (name[len - 1] == '/') {
		*is_dir = 1;
		len--;
	}
	/* Component by component: never a string-prefix test (WHL-02). */
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		if (i == start)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has an empty "
					      "path component", name);
		if ((i - start == 1 && name[start] == '.') ||
		    (i - start == 2 && name[start] == '.' && name[start + 1] == '.'))
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has a '.' or '..' "
					      "component", name);
		if (i - start > 255)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' has a component "
					      "longer than 255 bytes", name);
		if (++depth > VENV_WHEEL_MAX_DEPTH)
			return venv_error_set(VENV_EUNSAFE, "the wheel entry '%s' is nested more "
					      "than %d levels deep", name, VENV_WHEEL_MAX_DEPTH);
		start = i + 1;
	}
	return 0;
}

/* The value of a lower-case hex digit, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* PEP 503 normalisation, enough to compare a file name with a .dist-info name. */
static void normalize_name(char *out, size_t cap, const char *s, size_t len)
{
	size_t o = 0, i;
	int sep = 0;

	for (i = 0; i < len && o + 1 < cap; i++) {
		char c = s[i];

		if (c == '-' || c == '_' || c == '.') {
			sep = 1;
			continue;
		}
		if (sep && o + 2 < cap)
			out[o++] = '-';
		sep = 0;
		out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	out[o] = '\0';
}

/* ---- directory handles ---- */

#define DS_MAX (VENV_WHEEL_MAX_DEPTH + 2)

/*
 * The directory chain of the current directory below a root handle. Files
 * come in sorted order, so consecutive entries share most of the chain and
 * only the differing tail is closed and reopened.
 */
struct dirstack {
	int root;                /* borrowed */
	const char *what;        /* the root's name for messages */
	int fd[DS_MAX];
	size_t end[DS_MAX];      /* where component i ends in cur */
	size_t depth;
	char cur[VENV_WHEEL_MAX_NAME + 1];
};

static void ds_init(struct dirstack *ds, int root, const char *what)
{
	ds->root = root;
	ds->what = what;
	ds->depth = 0;
	ds->cur[0] = '\0';
}

static void ds_pop_to(struct dirstack *ds, size_t depth)
{
	while (ds->depth > depth)
		close(ds->fd[--ds->depth]);
}

static int ds_top(const struct dirstack *ds)
{
	return ds->depth ? ds->fd[ds->depth - 1] : ds->root;
}

/* Make the directory dir[0..len) (relative to the root, "" = root) current. */
static int ds_enter(struct dirstack *ds, const char *dir, size_t len, int create)
{
	size_t keep = 0, pos;

	if (len > VENV_WHEEL_MAX_NAME)
		return venv_error_set(VENV_EUNSAFE, "path too long below '%s'", ds->what);
	while (keep < ds->depth) {
		size_t e = ds->end[keep];

		if (e <= len && !memcmp(ds->cur, dir, e) && (e == len || dir[e] == '/'))
			keep++;
		else
			break;
	}
	ds_pop_to(ds, keep);
	pos = keep ? ds->end[keep - 1] + 1 : 0;
	memcpy(ds->cur, dir, len);
	ds->cur[len] = '\0';
	while (pos < len) {
		const char *slash = memchr(dir + pos, '/', len - pos);
		size_t clen = slash ? (size_t)(slash - (dir + pos)) : len - pos;
		char comp[256];
		int fd, parent = ds_top(ds);

		if (clen == 0 || clen >= sizeof(comp) || ds->depth >= DS_MAX)
			return venv_error_set(VENV_EUNSAFE, "bad path '%.*s' below '%s'",
					      (int)len, dir, ds->what);
		memcpy(comp, dir + pos, clen);
		comp[clen] = '\0';
		if (create && mkdirat(parent, comp, 0777) < 0 && errno != EEXIST)
			return venv_error_set_errno(venv_error_from_errno(errno),
						    "cannot create directory '%.*s' in '%s'",
						    (int)(pos + clen), dir, ds->what);
		fd = openat(parent, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				return venv_error_set(VENV_EUNSAFE, "refusing to write below '%.*s' "
						      "in '%s': it is a symbolic link or not a "
						      "directory", (int)(pos + clen), dir, ds->what);
			return venv_error_set_errno(venv_error_from_errno(errno),
						    "cannot open directory '%.*s' in '%s'",
						    (int)(pos + clen), dir, ds->what);
		}
		ds->fd[ds->depth] = fd;
		ds->end[ds->depth] = pos + clen;
		ds->depth++;
		pos += clen + 1;
	}
	return 0;
}

/* Enter the parent directory of path; *base gets the last component. */
static int ds_enter_parent(struct dirstack *ds, const char *path, int create, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	return ds_enter(ds, path, slash ? (size_t)(slash - path) : 0, create);
}

/* ---- small file helpers ---- */

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Create `name` in dirfd afresh: whatever is there is unlinked (a link is
 * removed, never followed), then the file is created exclusively. The mode
 * goes through the umask, as pip's files do; `exec` adds the execute bits
 * afterwards the way pip and distlib do.
 */
enum { MODE_FILE, MODE_EXEC_PIP, MODE_EXEC_SCRIPT };

static int create_fresh(int dirfd, const char *name, int kind, const char *what)
{
	struct stat st;
	int fd;

	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
		if (errno == EISDIR || errno == EPERM)
			return venv_error_set(VENV_EEXISTS, "cannot install '%s' in '%s': a "
					      "directory is in the way", name, what);
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot replace '%s' "
					    "in '%s'", name, what);
	}
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    kind == MODE_EXEC_PIP ? 0777 : 0666);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot create '%s' "
					    "in '%s'", name, what);
	if (kind != MODE_FILE) {
		mode_t want;

		if (fstat(fd, &st) < 0) {
			close(fd);
			return venv_error_set_errno(VENV_EIO, "cannot stat '%s'", name);
		}
		/* pip: 0777 & ~umask | 0111; distlib's scripts: mode | 0555. */
		want = (st.st_mode & 07777) | (kind == MODE_EXEC_PIP ? 0111 : 0555);
		if (want != (st.st_mode & 07777) && fchmod(fd, want) < 0) {
			close(fd);
			return venv_error_set_errno(VENV_EIO, "cannot set the mode of '%s'", name);
		}
	}
	return fd;
}

static int write_fresh(int dirfd, const char *name, const void *data, size_t len, int kind,
		       const char *what)
{
	int fd = create_fresh(dirfd, name, kind, what), error = 0;

	if (fd < 0)
		return fd;
	if (write_all(fd, data, len) < 0)
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot write '%s' "
					     "in '%s'", name, what);
	if (close(fd) < 0 && !error)
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s' in '%s'", name, what);
	return error;
}

/* Read a member of an unpacked tree (never through a link). */
static int read_member(struct vbuf *out, int treefd, const char *path, size_t cap)
{
	struct dirstack ds;
	const char *base;
	int error;

	ds_init(&ds, treefd, "the unpacked wheel");
	if ((error = ds_enter_parent(&ds, path, 0, &base)) >= 0)
		error = venv_fs_read_file_at(out, ds_top(&ds), base, cap);
	ds_pop_to(&ds, 0);
	return error;
}

int venv_wheel_hash_fd(int fd, unsigned char out[VENV_SHA256_LEN])
{
	struct venv_sha256 c = { NULL, 0 };
	char *buf = malloc(COPY_CHUNK);

	int error;

	if (!buf)
		return oom();
	if ((error = venv_sha256_init(&c)) < 0)
		goto done;
	for (;;) {
		ssize_t n = read(fd, buf, COPY_CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = venv_error_set_errno(VENV_EIO, "cannot read the wheel");
			goto done;
		}
		if (n == 0)
			break;
		if ((error = venv_sha256_update(&c, buf, (size_t)n)) < 0)
			goto done;
	}
	error = venv_sha256_final(&c, out);
done:
	venv_sha256_release(&c);
	free(buf);
	return error;
}

/* ---- the zip directory, checked before libarchive allocates for it ---- */

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/*
 * The member names as the central directory gives them, sorted: libarchive
 * takes each name from the member's local header without comparing it with
 * the directory, where pip's zipfile refuses a member whose two names
 * differ; a wheel must not unpack other files for us than for pip (WHL-08).
 */
struct cd_name {
	uint32_t off, len;     /* in cd_names.dir */
};

struct cd_names {
	unsigned char *dir;    /* the whole central directory */
	struct cd_name *v;
	size_t nr;
};

static void cd_names_release(struct cd_names *cd)
{
	free(cd->dir);
	free(cd->v);
	memset(cd, 0, sizeof(*cd));
}

static int cd_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* qsort has no context argument: the directory being sorted. */
static const unsigned char *cd_sort_base;

static int cd_name_cmp(const void *a, const void *b)
{
	const struct cd_name *x = a, *y = b;

	return cd_cmp(cd_sort_base + x->off, x->len, cd_sort_base + y->off, y->len);
}

static int cd_has_name(const struct cd_names *cd, const char *name)
{
	size_t lo = 0, hi = cd->nr, len = strlen(name);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cd_cmp(cd->dir + cd->v[mid].off, cd->v[mid].len,
			       (const unsigned char *)name, len);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Read the central directory of cdsize bytes at cdoff and index its names. */
static int read_cd_names(int fd, uint64_t fsize, uint64_t cdoff, uint64_t cdsize,
			 uint64_t entries, struct cd_names *cd, const char *what)
{
	size_t pos = 0, k;

	if (cdoff > fsize || cdsize > fsize - cdoff)
		return venv_error_set(VENV_EINVAL, "'%s' has a central directory outside the "
				      "file", what);
	if (!(cd->dir = malloc(cdsize ? (size_t)cdsize : 1)) ||
	    !(cd->v = calloc(entries ? (size_t)entries : 1, sizeof(*cd->v))))
		return oom();
	if (cdsize && read_at(fd, cd->dir, (size_t)cdsize, (off_t)cdoff) < 0)
		return venv_error_set_errno(VENV_EIO, "cannot read '%s'", what);
	for (k = 0; k < entries; k++) {
		const unsigned char *h = cd->dir + pos;
		uint64_t n, extra, comment;

		if (cdsize - pos < 46 || h[0] != 'P' || h[1] != 'K' || h[2] != 1 || h[3] != 2)
			return venv_error_set(VENV_EINVAL, "'%s' has a broken central directory", what);
		n = le(h + 28, 2);
		extra = le(h + 30, 2);
		comment = le(h + 32, 2);
		if (46 + n + extra + comment > cdsize - pos)
			return venv_error_set(VENV_EINVAL, "'%s' has a broken central directory", what);
		cd->v[k].off = (uint32_t)(pos + 46);
		cd->v[k].len = (uint32_t)n;
		pos += (size_t)(46 + n + extra + comment);
	}
	cd->nr = (size_t)entries;
	cd_sort_base = cd->dir;
	qsort(cd->v, cd->nr, sizeof(*cd->v), cd_name_cmp);
	return 0;
}

/*
 * Find the end-of-central-directory record and refuse archives that claim
 * more entries, or a larger directory, than any wheel we install can have
 * (WHL-09): libarchive would otherwise read the whole directory into memory.
 * Then index the directory's names (struct cd_names).
 */
static int check_zip_directory(int fd, uint64_t fsize, const char *what, struct cd_names *cd)
{
	size_t tail = fsize < 65557 ? (size_t)fsize : 65557, i;
	unsigned char *buf = NULL, z[56];
	uint64_t entries = 0, cdsize = 0, cdoff = 0;
	int error = 0, found = 0;

	if (tail < 22)
		return venv_error_set(VENV_EINVAL, "'%s' is not a zip archive", what);
	if (!(buf = malloc(tail)))
		return oom();
	if (read_at(fd, buf, tail, (off_t)(fsize - tail)) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", what);
		goto done;
	}
	for (i = tail - 22 + 1; i-- > 0; ) {
		if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6 &&
		    le(buf + i + 20, 2) <= tail - i - 22) {
			found = 1;
			break;
		}
	}
	if (!found) {
		error = venv_error_set(VENV_EINVAL, "'%s' is not a zip archive (no central "
				       "directory)", what);
		goto done;
	}
	entries = le(buf + i + 10, 2);
	cdsize = le(buf + i + 12, 4);
	cdoff = le(buf + i + 16, 4);
	if ((entries == 0xffff || cdsize == 0xffffffffu) && i >= 20 &&
	    buf[i - 20] == 'P' && buf[i - 19] == 'K' && buf[i - 18] == 6 && buf[i - 17] == 7) {
		uint64_t off = le(buf + i - 20 + 8, 8);

		if (off > fsize - 56 || read_at(fd, z, sizeof(z), (off_t)off) < 0 ||
		    z[0] != 'P' || z[1] != 'K' || z[2] != 6 || z[3] != 6) {
			error = venv_error_set(VENV_EINVAL, "'%s' has a broken zip64 directory",
					       what);
			goto done;
		}
		entries = le(z + 32, 8);
		cdsize = le(z + 40, 8);
		cdoff = le(z + 48, 8);
	}
	if (entries > VENV_WHEEL_MAX_ENTRIES || cdsize > (uint64_t)64 * 1024 * 1024)
		error = venv_error_set(VENV_ETOOBIG, "refusing '%s': its zip directory lists "
				       "%llu entries in %llu bytes (the limit is %d entries)",
				       what, (unsigned long long)entries,
				       (unsigned long long)cdsize, VENV_WHEEL_MAX_ENTRIES);
	else
		error = read_cd_names(fd, fsize, cdoff, cdsize, entries, cd, what);
done:
	free(buf);
	return error;
}

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

static struct venv_wheel_file *find_file(const struct venv_wheel *w, const char *path)
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
		error = oom();
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
		f = find_file(w, r->path);
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

static int add_file(struct venv_wheel *w, const char *path, uint64_t size,
		    const unsigned char *sha, int exec)
{
	struct venv_wheel_file *f;

	if (w->nfiles == w->alloc) {
		size_t n = w->alloc ? w->alloc * 2 : 256;

		if (!(f = realloc(w->files, n * sizeof(*f))))
			return oom();
		w->files = f;
		w->alloc = n;
	}
	f = &w->files[w->nfiles];
	if (!(f->path = strdup(path)))
		return oom();
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
	struct dirstack ds;
	struct vbuf record;
	char *buf;
	uint64_t total;
	uint64_t wheel_size;
	size_t entries;
	char *record_dir;      /* the dist-info that held RECORD */
	unsigned flags;
	struct cd_names cd;
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
		if ((error = ds_enter_parent(&st->ds, name, 1, &base)) < 0)
			return error;
		fd = openat(ds_top(&st->ds), base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
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
		la_ssize_t n = LA(archive_read_data)(st->a, st->buf, COPY_CHUNK);

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
		} else if (write_all(fd, st->buf, (size_t)n) < 0) {
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
		error = add_file(w, name, got, digest, exec);
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
	normalize_name(a, sizeof(a), st->record_dir, (size_t)(dash - st->record_dir));
	normalize_name(b, sizeof(b), fname, strlen(fname));
	if (strcmp(a, b) || strlen(fver) != dl - 10 - (size_t)(dash - st->record_dir) - 1 ||
	    strncasecmp(fver, dash + 1, strlen(fver))) {
		error = venv_error_set(VENV_EINVAL, "the wheel's .dist-info '%s' does not match "
				       "its file name", st->record_dir);
		goto done;
	}
	if (!(w->dist_info = strdup(st->record_dir)) ||
	    !(w->name = xstrndup(st->record_dir, (size_t)(dash - st->record_dir))) ||
	    !(w->version = xstrndup(dash + 1, dl - 10 - (size_t)(dash - st->record_dir) - 1)) ||
	    !(w->data_dir = malloc(dl - 10 + 6))) {
		error = oom();
		goto done;
	}
	memcpy(w->data_dir, st->record_dir, dl - 10);
	memcpy(w->data_dir + dl - 10, ".data", 6);
	qsort(w->files, w->nfiles, sizeof(*w->files), cmp_file);
	/* Twins on a case-insensitive file system (WHL-11; ASCII case only). */
	{
		char **lower = calloc(w->nfiles ? w->nfiles : 1, sizeof(*lower));

		if (!lower) {
			error = oom();
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
	if (!find_file(w, tmp.buf)) {
		error = venv_error_set(VENV_EINVAL, "the wheel has no %s", tmp.buf);
		goto done;
	}
	if ((error = read_member(&meta, treefd, tmp.buf, VBUF_MAX_CFG)) < 0 ||
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
	if (find_file(w, tmp.buf)) {
		struct venv_entry_point *eps = NULL;
		size_t neps = 0;

		if ((error = read_member(&meta, treefd, tmp.buf, VBUF_MAX_CFG)) < 0 ||
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
	ds_init(&st.ds, dirfd, "the unpacked wheel");
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
	if ((error = check_zip_directory(fd, st.wheel_size, path, &st.cd)) < 0 ||
	    (error = venv_wheel_hash_fd(fd, w->sha256)) < 0)
		goto done;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot read '%s'", path);
		goto done;
	}
	if (!(st.buf = malloc(COPY_CHUNK)) || !(st.a = LA(archive_read_new)())) {
		error = oom();
		goto done;
	}
	/* Seekable only: the central directory is authoritative (WHL-08). */
	if (LA(archive_read_support_format_zip_seekable)(st.a) != ARCHIVE_OK ||
	    LA(archive_read_open_fd)(st.a, fd, COPY_CHUNK) != ARCHIVE_OK) {
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
		if (!cd_has_name(&st.cd, name)) {
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
			if (!(st.record_dir = xstrndup(name, di))) {
				error = oom();
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
	ds_pop_to(&st.ds, 0);
	if (st.a)
		LA(archive_read_free)(st.a);
	if (fd >= 0)
		close(fd);
	free(st.buf);
	free(st.record_dir);
	vbuf_release(&st.record);
	cd_names_release(&st.cd);
	return error;
}

/* The public entry: libarchive is loaded on first use (see common/la.h). */
int venv_wheel_unpack(struct venv_wheel *w, const char *path, int dirfd, unsigned flags)
{
	int error = venv_la_load();

	return error < 0 ? error : wheel_unpack(w, path, dirfd, flags);
}

/* ---- manifest ---- */

#define MANIFEST_MAGIC "venv-wheel-manifest 1"

int venv_wheel_manifest_write(const struct venv_wheel *w, int dirfd, const char *name)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_RECORD);
	char hex[VENV_SHA256_HEX_LEN + 1], b64[VENV_SHA256_B64_LEN + 1];
	size_t i;
	int error;

	venv_sha256_hex(w->sha256, hex);
	if ((error = vbuf_addf(&out, "%s\nsha256 %s\ndist-info %s\nroot %s\nmtime %lld\n",
			       MANIFEST_MAGIC, hex, w->dist_info, w->root_is_purelib ? "purelib" :
			       "platlib", (long long)w->mtime)) < 0)
		goto done;
	for (i = 0; i < w->nfiles; i++) {
		const struct venv_wheel_file *f = &w->files[i];

		venv_sha256_b64(f->sha256, b64);
		if ((error = vbuf_addf(&out, "file %s %llu %c %s\n", b64,
				       (unsigned long long)f->size, f->executable ? 'x' : '-',
				       f->path)) < 0)
			goto done;
	}
	if ((error = vbuf_addf(&out, "end %zu\n", w->nfiles)) < 0)
		goto done;
	error = venv_fs_write_file_at(dirfd, name, out.buf, out.len, 0644, VENV_FS_ATOMIC);
done:
	vbuf_release(&out);
	return error;
}

static int bad_manifest(const char *why)
{
	return venv_error_set(VENV_EINVAL, "bad wheel cache manifest: %s", why);
}

int venv_wheel_manifest_read(struct venv_wheel *w, int dirfd, const char *name)
{
	struct vbuf in = VBUF_INIT(VBUF_MAX_RECORD);
	unsigned char digest[VENV_SHA256_LEN];
	char *p, *end, *line;
	size_t dl;
	int error, ended = 0, is_dir;
	const char *dash;

	memset(w, 0, sizeof(*w));
	if ((error = venv_fs_read_file_at(&in, dirfd, name, VBUF_MAX_RECORD)) < 0)
		goto done;
	p = in.buf;
	end = in.buf + in.len;
	for (line = p; line < end; line = p) {
		char *nl = memchr(line, '\n', (size_t)(end - line));

		if (!nl) {
			error = bad_manifest("truncated");
			goto done;
		}
		*nl = '\0';
		p = nl + 1;
		if (ended) {
			error = bad_manifest("text after the end");
			goto done;
		}
		if (line == in.buf) {
			if (strcmp(line, MANIFEST_MAGIC)) {
				error = bad_manifest("unknown format");
				goto done;
			}
		} else if (!strncmp(line, "sha256 ", 7)) {
			size_t i;

			if (strlen(line + 7) != VENV_SHA256_HEX_LEN) {
				error = bad_manifest("bad sha256");
				goto done;
			}
			for (i = 0; i < VENV_SHA256_LEN; i++) {
				int hi = hexval(line[7 + 2 * i]), lo = hexval(line[8 + 2 * i]);

				if (hi < 0 || lo < 0) {
					error = bad_manifest("bad sha256");
					goto done;
				}
				w->sha256[i] = (unsigned char)(hi << 4 | lo);
			}
		} else if (!strncmp(line, "dist-info ", 10)) {
			if (w->dist_info || !(w->dist_info = strdup(line + 10))) {
				error = w->dist_info ? bad_manifest("two dist-info lines") : oom();
				goto done;
			}
		} else if (!strncmp(line, "mtime ", 6)) {
			char *endp;
			long long v;

			errno = 0;
			v = strtoll(line + 6, &endp, 10);
			if (endp == line + 6 || *endp || errno || v < 0) {
				error = bad_manifest("bad mtime");
				goto done;
			}
			w->mtime = v;
		} else if (!strncmp(line, "root ", 5)) {
			w->root_is_purelib = !strcmp(line + 5, "purelib");
		} else if (!strncmp(line, "file ", 5)) {
			char *f = line + 5, *sp1, *sp2;
			unsigned long long size;
			char *endp;

			sp1 = strchr(f, ' ');
			if (!sp1 || venv_sha256_from_b64(digest, f, (size_t)(sp1 - f)) < 0) {
				error = bad_manifest("bad file hash");
				goto done;
			}
			errno = 0;
			size = strtoull(sp1 + 1, &endp, 10);
			if (errno || *endp != ' ' || (endp[1] != 'x' && endp[1] != '-') ||
			    endp[2] != ' ') {
				error = bad_manifest("bad file line");
				goto done;
			}
			sp2 = endp + 3;
			if ((error = venv_wheel_check_name(sp2, &is_dir)) < 0)
				goto done;
			if (is_dir || (w->nfiles && strcmp(w->files[w->nfiles - 1].path, sp2) >= 0)) {
				error = bad_manifest("files out of order");
				goto done;
			}
			if (w->nfiles >= VENV_WHEEL_MAX_ENTRIES) {
				error = bad_manifest("too many files");
				goto done;
			}
			if ((error = add_file(w, sp2, size, digest, endp[1] == 'x')) < 0)
				goto done;
		} else if (!strncmp(line, "end ", 4)) {
			char *endp;
			unsigned long long n;

			errno = 0;
			n = strtoull(line + 4, &endp, 10);
			if (endp == line + 4 || *endp || errno || n != (unsigned long long)w->nfiles) {
				error = bad_manifest("file count");
				goto done;
			}
			ended = 1;
		} else {
			error = bad_manifest("unknown line");
			goto done;
		}
	}
	if (!ended || !w->dist_info) {
		error = bad_manifest("incomplete");
		goto done;
	}
	dl = strlen(w->dist_info);
	dash = strchr(w->dist_info, '-');
	if (dl <= 10 || strcmp(w->dist_info + dl - 10, ".dist-info") || !dash ||
	    strchr(w->dist_info, '/') || (size_t)(dash - w->dist_info) + 11 > dl) {
		error = bad_manifest("bad dist-info");
		goto done;
	}
	if (!(w->name = xstrndup(w->dist_info, (size_t)(dash - w->dist_info))) ||
	    !(w->version = xstrndup(dash + 1, dl - 10 - (size_t)(dash - w->dist_info) - 1)) ||
	    !(w->data_dir = malloc(dl - 10 + 6))) {
		error = oom();
		goto done;
	}
	memcpy(w->data_dir, w->dist_info, dl - 10);
	memcpy(w->data_dir + dl - 10, ".data", 6);
done:
	if (error < 0)
		venv_wheel_release(w);
	vbuf_release(&in);
	return error;
}

/* ---- entry points ---- */

void venv_entry_points_free(struct venv_entry_point *eps, size_t neps)
{
	size_t i;

	for (i = 0; i < neps; i++) {
		free(eps[i].name);
		free(eps[i].module);
		free(eps[i].attr);
	}
	free(eps);
}

static int is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* "a.b.c": dotted ASCII identifiers only, so nothing else reaches the script. */
static int dotted_ok(const char *s, size_t len)
{
	size_t i;
	int start = 1;

	if (!len || len > 256)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (start)
				return 0;
			start = 1;
		} else if (start ? !is_ident_start(s[i]) : !is_ident_char(s[i])) {
			return 0;
		} else {
			start = 0;
		}
	}
	return !start;
}

/* A script name that cannot leave bin/ or shadow the environment's own files (WHL-04). */
static int script_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 128 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!is_ident_char(c) && c != '.' && c != '-' && c != '+')
			return 0;
	}
	if (len >= 6 && !memcmp(s, "python", 6)) {
		for (i = 6; i < len; i++)
			if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
				break;
		if (i == len)
			return 0;
	}
	if ((len >= 8 && (!memcmp(s, "activate", 8) || !memcmp(s, "Activate", 8))) ||
	    (len >= 10 && !memcmp(s, "deactivate", 10)))
		return 0;
	return 1;
}

static int add_ep(struct venv_entry_point **eps, size_t *neps, const char *name,
		  const char *module, const char *attr)
{
	struct venv_entry_point *p;
	size_t i;

	/* A later definition of the same name wins, as a later write would. */
	for (i = 0; i < *neps; i++) {
		if (!strcmp((*eps)[i].name, name)) {
			char *m = strdup(module), *a = strdup(attr);

			if (!m || !a) {
				free(m);
				free(a);
				return oom();
			}
			free((*eps)[i].module);
			free((*eps)[i].attr);
			(*eps)[i].module = m;
			(*eps)[i].attr = a;
			return 0;
		}
	}
	if (*neps >= VENV_WHEEL_MAX_SCRIPTS)
		return venv_error_set(VENV_ETOOBIG, "more than %d console scripts",
				      VENV_WHEEL_MAX_SCRIPTS);
	if (!(p = realloc(*eps, (*neps + 1) * sizeof(*p))))
		return oom();
	*eps = p;
	p[*neps].name = strdup(name);
	p[*neps].module = strdup(module);
	p[*neps].attr = strdup(attr);
	(*neps)++;
	if (!p[*neps - 1].name || !p[*neps - 1].module || !p[*neps - 1].attr)
		return oom();
	return 0;
}

/* pip's special names: pip, pipN, pipN.M (and easy_install, easy_install-N.M). */
static int is_versioned(const char *name, const char *stem, char sep)
{
	size_t sl = strlen(stem);
	const char *p = name + sl;
	int dots = 0;

	if (strncmp(name, stem, sl))
		return 0;
	if (!*p)
		return 1;
	if (sep && *p++ != sep)
		return 0;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p; p++) {
		if (*p == '.') {
			if (++dots > 1 || p[1] < '0' || p[1] > '9')
				return 0;
		} else if (*p < '0' || *p > '9') {
			return 0;
		}
	}
	/* easy_install takes only the -N.M form. */
	return !sep || dots == 1;
}

int venv_entry_points_parse(const char *text, size_t len, int major, int minor,
			    struct venv_entry_point **eps, size_t *neps)
{
	struct venv_entry_point *raw = NULL;
	size_t nraw = 0, pos = 0, i;
	char name[160], module[300], attr[300], section[64] = "";
	const char *pip_mod = NULL, *pip_attr = NULL, *ei_mod = NULL, *ei_attr = NULL;
	int error = 0;

	*eps = NULL;
	*neps = 0;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *eq, *colon, *v, *ve;
		size_t nl_, ml, al;

		pos += ll + 1;
		while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' ' || line[ll - 1] == '\t'))
			ll--;
		while (ll && (*line == ' ' || *line == '\t')) {
			line++;
			ll--;
		}
		if (!ll || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			if (line[ll - 1] != ']' || ll - 2 >= sizeof(section)) {
				error = venv_error_set(VENV_EINVAL, "entry_points.txt: bad section "
						       "'%.*s'", (int)ll, line);
				goto done;
			}
			memcpy(section, line + 1, ll - 2);
			section[ll - 2] = '\0';
			continue;
		}
		if (strcmp(section, "console_scripts") && strcmp(section, "gui_scripts"))
			continue;
		eq = memchr(line, '=', ll);
		if (!eq) {
			error = venv_error_set(VENV_EINVAL, "entry_points.txt: bad line '%.*s'",
					       (int)ll, line);
			goto done;
		}
		nl_ = (size_t)(eq - line);
		while (nl_ && (line[nl_ - 1] == ' ' || line[nl_ - 1] == '\t'))
			nl_--;
		v = eq + 1;
		ve = line + ll;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		/* Drop "[extras]": they change nothing in the script. */
		{
			const char *br = memchr(v, '[', (size_t)(ve - v));

			if (br) {
				if (ve[-1] != ']') {
					error = venv_error_set(VENV_EINVAL, "entry_points.txt: bad "
							       "extras in '%.*s'", (int)ll, line);
					goto done;
				}
				ve = br;
				while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
					ve--;
			}
		}
		colon = memchr(v, ':', (size_t)(ve - v));
		if (!script_name_ok(line, nl_) || nl_ >= sizeof(name)) {
			error = venv_error_set(VENV_EUNSAFE, "entry_points.txt: refusing the script "
					       "name '%.*s'", (int)nl_, line);
			goto done;
		}
		if (!colon) {
			error = venv_error_set(VENV_EINVAL, "entry_points.txt: '%.*s' names no "
					       "callable (module:attribute)", (int)nl_, line);
			goto done;
		}
		ml = (size_t)(colon - v);
		while (ml && (v[ml - 1] == ' ' || v[ml - 1] == '\t'))
			ml--;
		colon++;
		while (colon < ve && (*colon == ' ' || *colon == '\t'))
			colon++;
		al = (size_t)(ve - colon);
		if (!dotted_ok(v, ml) || !dotted_ok(colon, al) || ml >= sizeof(module) ||
		    al >= sizeof(attr)) {
			error = venv_error_set(VENV_EUNSAFE, "entry_points.txt: refusing the "
					       "callable of '%.*s'", (int)nl_, line);
			goto done;
		}
		memcpy(name, line, nl_);
		name[nl_] = '\0';
		memcpy(module, v, ml);
		module[ml] = '\0';
		memcpy(attr, colon, al);
		attr[al] = '\0';
		if ((error = add_ep(&raw, &nraw, name, module, attr)) < 0)
			goto done;
	}
	/*
	 * pip's get_console_script_specs() without ENSUREPIP_OPTIONS (venv runs
	 * ensurepip with --default-pip): pip, pipX, pipX.Y for the running
	 * Python; every other versioned pip name in the wheel is dropped.
	 */
	for (i = 0; i < nraw; i++) {
		if (!strcmp(raw[i].name, "pip")) {
			pip_mod = raw[i].module;
			pip_attr = raw[i].attr;
		} else if (!strcmp(raw[i].name, "easy_install")) {
			ei_mod = raw[i].module;
			ei_attr = raw[i].attr;
		}
	}
	if (pip_mod) {
		snprintf(name, sizeof(name), "pip%d", major);
		if ((error = add_ep(eps, neps, "pip", pip_mod, pip_attr)) < 0 ||
		    (error = add_ep(eps, neps, name, pip_mod, pip_attr)) < 0)
			goto done;
		snprintf(name, sizeof(name), "pip%d.%d", major, minor);
		if ((error = add_ep(eps, neps, name, pip_mod, pip_attr)) < 0)
			goto done;
	}
	if (ei_mod) {
		snprintf(name, sizeof(name), "easy_install-%d.%d", major, minor);
		if ((error = add_ep(eps, neps, "easy_install", ei_mod, ei_attr)) < 0 ||
		    (error = add_ep(eps, neps, name, ei_mod, ei_attr)) < 0)
			goto done;
	}
	for (i = 0; i < nraw; i++) {
		if ((pip_mod && is_versioned(raw[i].name, "pip", 0)) ||
		    (ei_mod && is_versioned(raw[i].name, "easy_install", '-')))
			continue;
		if ((error = add_ep(eps, neps, raw[i].name, raw[i].module, raw[i].attr)) < 0)
			goto done;
	}
done:
	venv_entry_points_free(raw, nraw);
	if (error < 0) {
		venv_entry_points_free(*eps, *neps);
		*eps = NULL;
		*neps = 0;
	}
	return error;
}

/* ---- shebang ---- */

int venv_wheel_shebang(struct vbuf *out, const char *python)
{
	size_t len = strlen(python), i;
	int blank = 0;

	if (python[0] != '/')
		return venv_error_set(VENV_EINVAL, "the interpreter path '%s' is not absolute",
				      python);
	if (!venv_utf8_valid(python, len))
		return venv_error_set(VENV_EUNSAFE, "cannot write console scripts for '%s': the "
				      "path is not valid UTF-8, which Python cannot read in a "
				      "script", python);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)python[i];

		if (c == ' ' || c == '\t')
			blank = 1;
		else if (c < 0x20 || c == 0x7f)
			return venv_error_set(VENV_EUNSAFE, "cannot write console scripts for "
					      "'%s': the path contains a control character",
					      python);
	}
	/* distlib: "#!" + path + "\n" within 127 bytes and no blank (SHB-01, SHB-02). */
	if (!blank && len + 3 <= VENV_SHEBANG_MAX)
		return vbuf_addf(out, "#!%s\n", python);
	/*
	 * The trampoline is read by sh and by Python: sh runs the exec line,
	 * Python sees a string literal. The path sits in single quotes, where sh
	 * expands nothing (SHB-03, unlike distlib's double quotes: F4); a quote
	 * could end the quoting or form the ''' that ends Python's string, and a
	 * backslash would be an escape in Python's string (SHB-04).
	 */
	if (strchr(python, '\'') || strchr(python, '\\'))
		return venv_error_set(VENV_EUNSAFE, "cannot write console scripts for '%s': a "
				      "path that has a blank or is longer than %d bytes needs a "
				      "/bin/sh launcher, which cannot safely carry ' or \\",
				      python, VENV_SHEBANG_MAX - 3);
	return vbuf_addf(out, "#!/bin/sh\n'''exec' '%s' \"$0\" \"$@\"\n' '''", python);
}

/* ---- install ---- */

struct record_row {
	char *path;
	char hash[8 + VENV_SHA256_B64_LEN + 1];
	char size[24];
};

struct record_rows {
	struct record_row *v;
	size_t n, alloc;
};

static void rows_release(struct record_rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int rows_add(struct record_rows *r, const char *path, const unsigned char *sha,
		    uint64_t size)
{
	struct record_row *row;

	if (r->n == r->alloc) {
		size_t n = r->alloc ? r->alloc * 2 : 256;

		if (!(row = realloc(r->v, n * sizeof(*row))))
			return oom();
		r->v = row;
		r->alloc = n;
	}
	row = &r->v[r->n];
	if (!(row->path = strdup(path)))
		return oom();
	row->hash[0] = row->size[0] = '\0';
	if (sha) {
		char b64[VENV_SHA256_B64_LEN + 1];

		venv_sha256_b64(sha, b64);
		snprintf(row->hash, sizeof(row->hash), "sha256=%s", b64);
		snprintf(row->size, sizeof(row->size), "%llu", (unsigned long long)size);
	}
	r->n++;
	return 0;
}

/* pip sorts the rows as tuples of strings. */
static int cmp_row(const void *a, const void *b)
{
	const struct record_row *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (!c)
		c = strcmp(x->hash, y->hash);
	if (!c)
		c = strcmp(x->size, y->size);
	return c;
}

/* Copy `size` bytes; the kernel does it when it can. */
/*
 * Make `out` (new and empty) a reflink of `in`: the two share extents until
 * either is written, when the file system copies what changes, so nothing
 * written through one is seen through the other. 0, or -1 with errno
 * (EOPNOTSUPP, EXDEV, EINVAL, ENOTTY... where the file system cannot).
 */
static int clone_file(int in, int out)
{
#if defined(__linux__) && defined(FICLONE)
	return ioctl(out, FICLONE, in);
#else
	(void)in;
	(void)out;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

static int clone_unsupported(int err)
{
	return err == EOPNOTSUPP || err == ENOTTY || err == EXDEV || err == EINVAL ||
	       err == ENOSYS || err == EPERM || err == EBADF;
}

/*
 * Copy `size` bytes: a reflink where *clone_ok and the file system has
 * them (then clear *clone_ok if it has not), else copy_file_range(), else
 * read and write.
 */
static int copy_data(int in, int out, uint64_t size, const char *name, int *clone_ok)
{
	uint64_t left = size;
	char *buf = NULL;
	int error = 0;

	if (*clone_ok && size) {
		if (clone_file(in, out) == 0)
			return 0;
		if (!clone_unsupported(errno))
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot copy '%s'",
						    name);
		*clone_ok = 0;
	}
#ifdef __linux__
	while (left) {
		ssize_t n = copy_file_range(in, NULL, out, NULL,
					    left > (1u << 30) ? (size_t)1 << 30 : (size_t)left, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == EPERM))
			break;
		if (n < 0)
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot copy '%s'",
						    name);
		if (n == 0)
			return venv_error_set(VENV_EIO, "'%s' changed while it was copied", name);
		left -= (uint64_t)n;
	}
	if (!left)
		return 0;
#endif
	if (!(buf = malloc(COPY_CHUNK)))
		return oom();
	while (left) {
		ssize_t n = read(in, buf, left < COPY_CHUNK ? (size_t)left : COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = n < 0 ? venv_error_set_errno(VENV_EIO, "cannot read '%s'", name) :
				venv_error_set(VENV_EIO, "'%s' changed while it was copied", name);
			break;
		}
		if (write_all(out, buf, (size_t)n) < 0) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot write "
						     "'%s'", name);
			break;
		}
		left -= (uint64_t)n;
	}
	free(buf);
	return error;
}

/*
 * Does the tree's file still look as it did when it was unpacked? A file
 * that does not is reported as VENV_ENOTFOUND: the tree is damaged.
 */
static int check_tree_file(const struct stat *st, const struct venv_wheel *w,
			   const struct venv_wheel_file *f)
{
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size != f->size ||
	    (w->mtime && ((st->st_mode & 07777) != (f->executable ? 0755u : 0644u) ||
			  (int64_t)st->st_mtim.tv_sec != w->mtime || st->st_mtim.tv_nsec)))
		return venv_error_set(VENV_ENOTFOUND, "'%s' in the unpacked wheel has changed "
				      "since it was unpacked", f->path);
	return 0;
}

/* What place_file() learnt about the file systems, for the next files. */
struct place_state {
	int link_ok;   /* hard links work (drops to 0 after EXDEV, EPERM...) */
	int clone_ok;  /* reflinks may work (drops to 0 when one fails) */
};

static int link_file(int sdir, const char *sname, int ddir, const char *dname,
		     const struct venv_wheel *w, const struct venv_wheel_file *f,
		     struct place_state *ps, const char *what)
{
	struct stat st;
	int tries, error;

	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return venv_error_set_errno(VENV_ENOTFOUND, "cannot find '%s' in the "
					    "unpacked wheel", f->path);
	if ((error = check_tree_file(&st, w, f)) < 0)
		return error;
	for (tries = 0; tries < 2; tries++) {
		if (linkat(sdir, sname, ddir, dname, 0) == 0)
			return 0;
		if (errno != EEXIST)
			break;
		/* Replace what is in the way; a directory stays an error. */
		if (unlinkat(ddir, dname, 0) < 0 && errno != ENOENT)
			return venv_error_set(VENV_EEXISTS, "cannot install '%s' in '%s': "
					      "something is in the way", dname, what);
	}
	if (errno == EXDEV || errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS)
		ps->link_ok = 0;
	else if (errno != EMLINK)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot link "
					    "'%s' into '%s'", f->path, what);
	return 1; /* copy it instead */
}

/*
 * Put one file of the tree at its destination: a hard link with
 * VENV_WHEEL_LINK (with VENV_WHEEL_AUTO, only where reflinks do not work),
 * a rename with VENV_WHEEL_MOVE, else a copy (a reflink where possible).
 */
static int place_file(int sdir, const char *sname, int ddir, const char *dname,
		      const struct venv_wheel *w, const struct venv_wheel_file *f,
		      unsigned flags, struct place_state *ps, const char *what)
{
	struct stat st;
	int in = -1, out = -1, error = 0;

	if ((flags & VENV_WHEEL_LINK) && ps->link_ok &&
	    !((flags & VENV_WHEEL_AUTO) && ps->clone_ok)) {
		if ((error = link_file(sdir, sname, ddir, dname, w, f, ps, what)) <= 0)
			return error;
		/* Fall back to a copy. */
	}
	if (flags & VENV_WHEEL_MOVE) {
		if (renameat(sdir, sname, ddir, dname) == 0)
			return 0;
		if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST)
			return venv_error_set(VENV_EEXISTS, "cannot install '%s' in '%s': a "
					      "directory is in the way", dname, what);
		if (errno != EXDEV)
			return venv_error_set_errno(venv_error_from_errno(errno), "cannot move "
						    "'%s' into '%s'", f->path, what);
	}
	in = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (in < 0) {
		error = venv_error_set_errno(VENV_ENOTFOUND, "cannot open '%s' in the unpacked "
					     "wheel", f->path);
		goto done;
	}
	/* The cache is ours, but a file that changed is not what RECORD says. */
	if (fstat(in, &st) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot stat '%s'", f->path);
		goto done;
	}
	if ((error = check_tree_file(&st, w, f)) < 0)
		goto done;
	out = create_fresh(ddir, dname, f->executable ? MODE_EXEC_PIP : MODE_FILE, what);
	if (out < 0) {
		error = out;
		goto done;
	}
	if ((flags & VENV_WHEEL_LINK) && (flags & VENV_WHEEL_AUTO) && ps->clone_ok &&
	    ps->link_ok) {
		/* Auto: a reflink, or if this file system has none, a hard link. */
		if (f->size == 0 || clone_file(in, out) == 0)
			goto done;
		if (!clone_unsupported(errno)) {
			error = venv_error_set_errno(venv_error_from_errno(errno), "cannot copy "
						     "'%s'", f->path);
			goto done;
		}
		ps->clone_ok = 0;
		close(out);
		out = -1;
		if ((error = link_file(sdir, sname, ddir, dname, w, f, ps, what)) <= 0)
			goto done;
		out = create_fresh(ddir, dname, f->executable ? MODE_EXEC_PIP : MODE_FILE, what);
		if (out < 0) {
			error = out;
			goto done;
		}
	}
	error = copy_data(in, out, f->size, f->path, &ps->clone_ok);
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !error)
		error = venv_error_set_errno(VENV_EIO, "cannot write '%s' in '%s'", dname, what);
	return error;
}

/*
 * A file of .data/scripts: pip rewrites a "#!python" first line to run the
 * environment's interpreter. We use the console scripts' shebang rules for
 * it, so that long paths and paths with blanks work too.
 */
static int place_script(int sdir, const char *sname, int ddir, const char *dname,
			const struct venv_wheel_file *f, const char *python, const char *what,
			unsigned char *sha, uint64_t *size)
{
	struct vbuf in = VBUF_INIT(VBUF_MAX_SCRIPT), out = VBUF_INIT(VBUF_MAX_SCRIPT + 4096);
	int error;

	if ((error = venv_fs_read_file_at(&in, sdir, sname, VBUF_MAX_SCRIPT)) < 0)
		goto done;
	if (in.len >= 8 && !memcmp(in.buf, "#!python", 8)) {
		const char *nl = memchr(in.buf, '\n', in.len);
		size_t rest = nl ? (size_t)(nl + 1 - in.buf) : in.len;

		if ((error = venv_wheel_shebang(&out, python)) < 0)
			goto done;
		if (out.buf[out.len - 1] != '\n' && (error = vbuf_addch(&out, '\n')) < 0)
			goto done;
		if ((error = vbuf_add(&out, in.buf + rest, in.len - rest)) < 0)
			goto done;
	} else if ((error = vbuf_add(&out, in.buf, in.len)) < 0) {
		goto done;
	}
	(void)f;
	if ((error = write_fresh(ddir, dname, out.buf, out.len, MODE_EXEC_PIP, what)) == 0)
		error = venv_sha256(out.buf, out.len, sha);
	*size = out.len;
done:
	vbuf_release(&in);
	vbuf_release(&out);
	return error;
}

static int record_path(struct vbuf *out, const char *root, const char *rel, const char *lib_dir)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (!strcmp(root, lib_dir))
		return vbuf_sets(out, rel);
	if ((error = venv_path_join(&abs, root, rel)) >= 0)
		error = venv_path_relative(out, abs.buf, lib_dir);
	vbuf_release(&abs);
	return error;
}

static int open_root(const char *path)
{
	int fd, error;

	if ((error = venv_fs_mkdirs(path)) < 0)
		return error;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", path);
	return fd;
}

/* distlib's script body (pip 22 to 24 write the same). */
static int script_text(struct vbuf *out, const char *shebang, const struct venv_entry_point *ep)
{
	const char *dot = strchr(ep->attr, '.');

	return vbuf_addf(out, "%s# -*- coding: utf-8 -*-\n"
			 "import re\n"
			 "import sys\n"
			 "from %s import %.*s\n"
			 "if __name__ == '__main__':\n"
			 "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
			 "    sys.exit(%s())\n",
			 shebang, ep->module,
			 (int)(dot ? (size_t)(dot - ep->attr) : strlen(ep->attr)), ep->attr,
			 ep->attr);
}

/* The entry points of the unpacked wheel (none when it has no entry_points.txt). */
static int read_entry_points(const struct venv_wheel *w, int treefd,
			     const struct venv_wheel_target *t, struct venv_entry_point **eps,
			     size_t *neps)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_CFG), rel = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	*eps = NULL;
	*neps = 0;
	if ((error = vbuf_addf(&rel, "%s/entry_points.txt", w->dist_info)) < 0 ||
	    !find_file(w, rel.buf))
		goto done;
	if ((error = read_member(&text, treefd, rel.buf, VBUF_MAX_CFG)) < 0)
		goto done;
	error = venv_entry_points_parse(text.buf, text.len, t->major, t->minor, eps, neps);
done:
	vbuf_release(&text);
	vbuf_release(&rel);
	return error;
}

static int install_scripts(const struct venv_wheel_target *t, const char *lib_dir,
			   const struct venv_entry_point *eps, size_t neps,
			   struct record_rows *rows)
{
	struct vbuf shebang = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf text = VBUF_INIT(VBUF_MAX_SCRIPT), rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int error = 0, bindir = -1;

	if (!neps)
		goto done;
	if ((error = venv_wheel_shebang(&shebang, t->python)) < 0)
		goto done;
	if ((bindir = open_root(t->scripts)) < 0) {
		error = bindir;
		goto done;
	}
	for (i = 0; i < neps; i++) {
		unsigned char sha[VENV_SHA256_LEN];

		vbuf_reset(&text);
		if ((error = script_text(&text, shebang.buf, &eps[i])) < 0 ||
		    (error = write_fresh(bindir, eps[i].name, text.buf, text.len,
					 MODE_EXEC_SCRIPT, t->scripts)) < 0 ||
		    (error = record_path(&rel, t->scripts, eps[i].name, lib_dir)) < 0)
			goto done;
		if ((error = venv_sha256(text.buf, text.len, sha)) < 0 ||
		    (error = rows_add(rows, rel.buf, sha, text.len)) < 0)
			goto done;
	}
done:
	if (bindir >= 0)
		close(bindir);
	vbuf_release(&shebang);
	vbuf_release(&text);
	vbuf_release(&rel);
	return error;
}

/* INSTALLER, REQUESTED and RECORD in the installed .dist-info. */
static int write_metadata(const struct venv_wheel *w, const struct venv_wheel_target *t,
			  const char *lib_dir, struct record_rows *rows)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), out = VBUF_INIT(VBUF_MAX_RECORD);
	struct dirstack ds;
	unsigned char sha[VENV_SHA256_LEN];
	int libfd, dfd, error;
	size_t i;

	if ((libfd = open_root(lib_dir)) < 0)
		return libfd;
	ds_init(&ds, libfd, lib_dir);
	if ((error = ds_enter(&ds, w->dist_info, strlen(w->dist_info), 1)) < 0)
		goto done;
	dfd = ds_top(&ds);
	/* ensurepip's pip writes "pip" here, and REQUESTED for what it was asked for. */
	if ((error = write_fresh(dfd, "INSTALLER", "pip\n", 4, MODE_FILE, w->dist_info)) < 0 ||
	    (error = vbuf_addf(&rel, "%s/INSTALLER", w->dist_info)) < 0)
		goto done;
	if ((error = venv_sha256("pip\n", 4, sha)) < 0 ||
	    (error = rows_add(rows, rel.buf, sha, 4)) < 0)
		goto done;
	if (t->requested) {
		vbuf_reset(&rel);
		if ((error = write_fresh(dfd, "REQUESTED", "", 0, MODE_FILE, w->dist_info)) < 0 ||
		    (error = vbuf_addf(&rel, "%s/REQUESTED", w->dist_info)) < 0)
			goto done;
		if ((error = venv_sha256("", 0, sha)) < 0 ||
		    (error = rows_add(rows, rel.buf, sha, 0)) < 0)
			goto done;
	}
	vbuf_reset(&rel);
	if ((error = vbuf_addf(&rel, "%s/RECORD", w->dist_info)) < 0 ||
	    (error = rows_add(rows, rel.buf, NULL, 0)) < 0)
		goto done;
	if (rows->n > 1)
		qsort(rows->v, rows->n, sizeof(*rows->v), cmp_row);
	for (i = 0; i < rows->n; i++) {
		if ((error = venv_record_add_field(&out, rows->v[i].path)) < 0 ||
		    (error = vbuf_addf(&out, ",%s,%s\r\n", rows->v[i].hash, rows->v[i].size)) < 0)
			goto done;
	}
	error = write_fresh(dfd, "RECORD", out.buf, out.len, MODE_FILE, w->dist_info);
done:
	ds_pop_to(&ds, 0);
	close(libfd);
	vbuf_release(&rel);
	vbuf_release(&out);
	return error;
}

int venv_wheel_install(const struct venv_wheel *w, int treefd,
		       const struct venv_wheel_target *t, unsigned flags)
{
	const char *lib_dir = w->root_is_purelib ? t->purelib : t->platlib;
	const char *cur_root = NULL;
	struct dirstack src, dst;
	struct record_rows rows;
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), shebang = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_entry_point *eps = NULL;
	size_t dd = strlen(w->data_dir), i, neps = 0;
	struct place_state ps = { 1, 1 };
	int dst_root = -1, error = 0;

	memset(&rows, 0, sizeof(rows));
	ds_init(&src, treefd, "the unpacked wheel");
	ds_init(&dst, -1, "");
	if (!t->purelib || !t->platlib || !t->scripts || !t->headers || !t->data || !t->python)
		return venv_error_set(VENV_EINVAL, "incomplete install target");
	/*
	 * Everything that can refuse the wheel or the interpreter path is
	 * checked before the first file is placed (and before a move empties
	 * the tree).
	 */
	if ((error = read_entry_points(w, treefd, t, &eps, &neps)) < 0 ||
	    (error = venv_wheel_shebang(&shebang, t->python)) < 0)
		goto done;
	for (i = 0; i < w->nfiles; i++) {
		const struct venv_wheel_file *f = &w->files[i];
		const char *root = lib_dir, *path = f->path, *sbase, *dbase;
		unsigned char sha[VENV_SHA256_LEN];
		uint64_t size = f->size;
		int script = 0;

		if (!strncmp(path, w->data_dir, dd) && path[dd] == '/') {
			const char *scheme = path + dd + 1, *slash = strchr(scheme, '/');
			size_t sl = slash ? (size_t)(slash - scheme) : 0;

			if (!slash) {
				error = venv_error_set(VENV_EUNSAFE, "'%s' is not inside a scheme "
						       "directory of %s", path, w->data_dir);
				goto done;
			}
			/* Only the five schemes of the wheel spec (WHL-03). */
			if (sl == 7 && !memcmp(scheme, "purelib", 7))
				root = t->purelib;
			else if (sl == 7 && !memcmp(scheme, "platlib", 7))
				root = t->platlib;
			else if (sl == 7 && !memcmp(scheme, "headers", 7))
				root = t->headers;
			else if (sl == 4 && !memcmp(scheme, "data", 4))
				root = t->data;
			else if (sl == 7 && !memcmp(scheme, "scripts", 7))
				root = t->scripts, script = 1;
			else {
				error = venv_error_set(VENV_EUNSAFE, "'%s' uses the unknown scheme "
						       "'%.*s'", path, (int)sl, scheme);
				goto done;
			}
			path = slash + 1;
			if (script && strchr(path, '/')) {
				error = venv_error_set(VENV_EUNSAFE, "the script '%s' is in a "
						       "subdirectory", f->path);
				goto done;
			}
		}
		if (root != cur_root) {
			ds_pop_to(&dst, 0);
			if (dst_root >= 0)
				close(dst_root);
			if ((dst_root = open_root(root)) < 0) {
				error = dst_root;
				goto done;
			}
			ds_init(&dst, dst_root, root);
			cur_root = root;
		}
		if ((error = ds_enter_parent(&src, f->path, 0, &sbase)) < 0 ||
		    (error = ds_enter_parent(&dst, path, 1, &dbase)) < 0)
			goto done;
		memcpy(sha, f->sha256, sizeof(sha));
		if (script)
			error = place_script(ds_top(&src), sbase, ds_top(&dst), dbase, f, t->python,
					     root, sha, &size);
		else
			error = place_file(ds_top(&src), sbase, ds_top(&dst), dbase, w, f, flags,
					   &ps, root);
		if (error < 0 ||
		    (error = record_path(&rel, root, path, lib_dir)) < 0 ||
		    (error = rows_add(&rows, rel.buf, sha, size)) < 0)
			goto done;
	}
	ds_pop_to(&dst, 0);
	ds_pop_to(&src, 0);
	if ((error = install_scripts(t, lib_dir, eps, neps, &rows)) < 0)
		goto done;
	error = write_metadata(w, t, lib_dir, &rows);
done:
	ds_pop_to(&dst, 0);
	ds_pop_to(&src, 0);
	if (dst_root >= 0)
		close(dst_root);
	venv_entry_points_free(eps, neps);
	rows_release(&rows);
	vbuf_release(&rel);
	vbuf_release(&shebang);
	return error;
}
