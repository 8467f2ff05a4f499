#include "compat.h"
#include <dirent.h>
#include <jansson.h>
#include "array.h"
#include "entrypoints.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "pep440.h"
#include "dist.h"

/* Caps on the number of repeated fields kept per distribution. */
#define MAX_REQUIRES 4096
#define MAX_TAGS 1024
#define MAX_ENTRIES 4096

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

/* One venv_dists_read(): where, how, and what it found so far. */
struct reader {
	struct venv_dists *ds;
	const char *site;  /* how the caller names it */
	struct vbuf env;   /* the environment: three levels above site (see env_of()) */
	int env_known;
	unsigned flags;
	int sfd;
};

/* What venv_dists_read() could not read (kept in unread), as readers return it. */
#define UNREAD 1

/*
 * name (of d's metadata directory, or with d NULL of site-packages; "" is
 * site-packages itself) is there but could not be read: kept in unread
 * (which, without VENV_DISTS_PARTIAL, fails the whole read at its end).
 */
static int unreadable(struct reader *r, struct venv_dist *d, const char *op, const char *name,
		      int err)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_dist_unread *u;
	int error;

	if (!err)
		err = EIO;
	if ((error = d ? vbuf_addf(&rel, "%s/%s", d->dir, name) : vbuf_sets(&rel, name)) < 0)
		goto done;
	if ((error = VENV_ARRAY_GROW(r->ds->unread, r->ds->unread_alloc, r->ds->nunread + 1, 4)) < 0)
		goto done;
	u = &r->ds->unread[r->ds->nunread];
	u->op = op;
	u->err = err;
	if (!(u->rel = vbuf_detach(&rel, NULL))) {
		error = oom();
		goto done;
	}
	r->ds->nunread++;
	if (d)
		d->unread++;
	error = UNREAD;
done:
	vbuf_release(&rel);
	return error;
}

/*
 * Read the file `file` of d's metadata directory ifd: 0; UNREAD when it is
 * there but cannot be read (see unreadable()); else a negative code with
 * the message set: VENV_ENOTFOUND when it is not there, VENV_EUNSAFE or
 * VENV_ETOOBIG when it is not read (a link, not a regular file, over cap).
 */
static int read_meta(struct reader *r, struct venv_dist *d, int ifd, const char *file, size_t cap,
		     struct vbuf *text)
{
	int err, rc = venv_fs_read_capped(ifd, file, cap, 0, text, NULL, &err);

	if (rc == VENV_RD_DENIED || rc == VENV_RD_IOERR)
		return unreadable(r, d, "read", file, err);
	return venv_fs_read_error(rc, err, file, cap);
}

static int dup_to(char **out, const char *s, size_t n)
{
	free(*out);
	if (!(*out = strndup(s, n)))
		return oom();
	return 0;
}

static int push(char ***v, size_t *n, size_t cap, const char *s, size_t len)
{
	char **p;

	if (*n >= cap)
		return 0;   /* more than any real distribution: the rest is left out */
	if (!(p = realloc(*v, (*n + 1) * sizeof(*p))))
		return oom();
	*v = p;
	if (!(p[*n] = strndup(s, len)))
		return oom();
	(*n)++;
	return 0;
}

int venv_dist_file_url(struct vbuf *out, const char *url)
{
	const char *p;
	int error = 0;

	vbuf_reset(out);
	if (strncmp(url, "file://", 7))
		return venv_error_set(VENV_EINVAL, "'%s' is not a file URL", url);
	p = url + 7;
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/')
		return venv_error_set(VENV_EINVAL, "'%s' is not a local file URL", url);
	for (; *p && !error; p++) {
		if (*p == '%' && p[1] && p[2]) {
			char hex[3] = { p[1], p[2], '\0' };
			char *end;
			long v = strtol(hex, &end, 16);

			if (*end || v <= 0)
				return venv_error_set(VENV_EINVAL, "bad escape in '%s'", url);
			error = vbuf_addch(out, (int)v);
			p += 2;
		} else {
			error = vbuf_addch(out, *p);
		}
	}
	return error;
}

/* Is every element of the dotted set s[0..n) one of the names in `ok` (NULL-ended)? */
static int dotted_within(const char *s, size_t n, const char *const *ok, int *has_first)
{
	if (!n)
		return 0;
	for (;;) {
		const char *dot = memchr(s, '.', n);
		size_t l = dot ? (size_t)(dot - s) : n;
		size_t i;

		for (i = 0; ok[i]; i++)
			if (strlen(ok[i]) == l && !strncmp(s, ok[i], l))
				break;
		if (!ok[i])
			return 0;
		if (i == 0 && has_first)
			*has_first = 1;
		if (l == n)
			return 1;
		s += l + 1;
		n -= l + 1;
		if (!n)
			return 0;
	}
}

int venv_dist_tags_pure(const struct venv_dist *d, const char **bad)
{
	static const char *const pys[] = { "py3", "py2", NULL };
	static const char *const none[] = { "none", NULL };
	static const char *const any[] = { "any", NULL };
	int py3 = 0;
	size_t i;

	*bad = NULL;
	for (i = 0; i < d->ntags; i++) {
		const char *t = d->tags[i], *a = strchr(t, '-'), *p = a ? strchr(a + 1, '-') : NULL;

		if (!a || !p || strchr(p + 1, '-') ||
		    !dotted_within(t, (size_t)(a - t), pys, &py3) ||
		    !dotted_within(a + 1, (size_t)(p - a - 1), none, NULL) ||
		    !dotted_within(p + 1, strlen(p + 1), any, NULL)) {
			*bad = t;
			return 0;
		}
	}
	return !d->ntags || py3;
}

int venv_dist_is_seed(const char *canon)
{
	return !strcmp(canon, "pip") || !strcmp(canon, "setuptools");
}

int venv_dist_is_compiled_path(const char *path)
{
	size_t n = strlen(path);
	const char *so;

	if ((n > 3 && !strcmp(path + n - 3, ".so")) || (n > 4 && !strcmp(path + n - 4, ".pyd")) ||
	    (n > 6 && !strcmp(path + n - 6, ".dylib")))
		return 1;
	/* libfoo.so.1.2 (auditwheel's <pkg>.libs/) */
	for (so = strstr(path, ".so."); so; so = strstr(so + 1, ".so.")) {
		const char *p = so + 4;

		if (!*p)
			break;
		while ((*p >= '0' && *p <= '9') || *p == '.')
			p++;
		if (!*p && !strchr(so + 4, '/'))
			return 1;
	}
	return 0;
}

/*
 * The headers of an RFC 822 block as email (compat32) reads them: up to the
 * first empty line, continuation lines folded in. cb is called for each
 * header with its key and value, stripped as pip strips them.
 */
typedef int (*header_fn)(struct venv_dist *d, const char *key, size_t kl,
			 const char *val, size_t vl);

static int each_header(struct venv_dist *d, const char *text, size_t len, header_fn cb)
{
	struct vbuf val = VBUF_INIT(VENV_DIST_MAX_METADATA);
	const char *key = NULL;
	size_t kl = 0, pos = 0;
	int error = 0;

	for (;;) {
		const char *l = text + pos, *nl = NULL;
		size_t n = 0, next = len, a;
		int eof = pos >= len;

		if (!eof) {
			nl = memchr(l, '\n', len - pos);
			n = nl ? (size_t)(nl - l) : len - pos;
			next = nl ? pos + n + 1 : len;
			if (n && l[n - 1] == '\r')
				n--;
		}
		if (!eof && n && (l[0] == ' ' || l[0] == '\t') && key) {
			/* A continuation line: folded into the value. */
			if ((error = vbuf_addch(&val, '\n')) < 0 || (error = vbuf_add(&val, l, n)) < 0)
				break;
			pos = next;
			continue;
		}
		if (key) {
			size_t s = 0, e = val.len;

			while (s < e && (val.buf[s] == ' ' || val.buf[s] == '\t' || val.buf[s] == '\n'))
				s++;
			while (e > s && (val.buf[e - 1] == ' ' || val.buf[e - 1] == '\t' ||
					 val.buf[e - 1] == '\n'))
				e--;
			error = cb(d, key, kl, val.buf + s, e - s);
			key = NULL;
			if (error < 0)
				break;
		}
		if (eof || n == 0)
			break;   /* the body starts */
		/* A line without ":" is a defect that email skips. */
		for (a = 0; a < n && l[a] != ':'; a++)
			;
		if (a < n && a > 0) {
			key = l;
			kl = a;
			vbuf_reset(&val);
			if ((error = vbuf_add(&val, l + a + 1, n - a - 1)) < 0)
				break;
		}
		pos = next;
	}
	vbuf_release(&val);
	return error;
}

static int key_is(const char *key, size_t kl, const char *want)
{
	return strlen(want) == kl && !strncasecmp(key, want, kl);
}

static int metadata_header(struct venv_dist *d, const char *key, size_t kl, const char *v,
			   size_t vl)
{
	if (key_is(key, kl, "Name") && !d->name)
		return dup_to(&d->name, v, vl);
	if (key_is(key, kl, "Version") && !d->version)
		return dup_to(&d->version, v, vl);
	if (key_is(key, kl, "Requires-Python") && !d->requires_python && vl)
		return dup_to(&d->requires_python, v, vl);
	if (key_is(key, kl, "Requires-Dist"))
		return push(&d->requires, &d->nrequires, MAX_REQUIRES, v, vl);
	if (key_is(key, kl, "License-Expression") && !d->license_expression && vl)
		return dup_to(&d->license_expression, v, vl);
	if (key_is(key, kl, "License") && !d->license && vl)
		return dup_to(&d->license, v, strcspn(v, "\n") < vl ? strcspn(v, "\n") : vl);
	return 0;
}

static int wheel_header(struct venv_dist *d, const char *key, size_t kl, const char *v,
			size_t vl)
{
	if (key_is(key, kl, "Root-Is-Purelib"))
		d->purelib = vl == 4 && !strncasecmp(v, "true", 4);
	else if (key_is(key, kl, "Tag"))
		return push(&d->tags, &d->ntags, MAX_TAGS, v, vl);
	return 0;
}

/*
 * 0, 1 when the file was not read (missing, or see read_meta(): the reason
 * in *errout when it is given and still NULL), or a negative code.
 */
static int read_headers(struct reader *r, struct venv_dist *d, int ifd, const char *file,
			size_t cap, header_fn cb, char **errout)
{
	struct vbuf text = VBUF_INIT(cap);
	int error = read_meta(r, d, ifd, file, cap, &text);

	if (error == UNREAD) {
		/* Its reason: the last one kept. */
		vbuf_reset(&text);
		if (errout && !*errout &&
		    ((error = vbuf_addf(&text, "cannot read '%s': %s", file,
					strerror(r->ds->unread[r->ds->nunread - 1].err))) < 0 ||
		     !(*errout = vbuf_detach(&text, NULL))))
			error = error < 0 ? error : oom();
		else
			error = 1;
	} else if (error < 0 && error != VENV_ENOMEM) {
		if (errout && !*errout && !(*errout = strdup(venv_error_last())))
			error = oom();
		else
			error = 1;
		venv_error_clear();
	} else if (error == 0) {
		error = each_header(d, text.buf, text.len, cb);
	}
	vbuf_release(&text);
	return error;
}

/* venv_ep_read_scripts()'s callback: one entry, kept (up to MAX_ENTRIES). */
static int add_entry(void *arg, const struct venv_ep_script *s)
{
	struct venv_dist *d = arg;
	struct venv_dist_entry *p, *e;

	if (d->nentries >= MAX_ENTRIES)
		return 0;
	if (!(p = realloc(d->entries, (d->nentries + 1) * sizeof(*p))))
		return oom();
	d->entries = p;
	e = &p[d->nentries];
	memset(e, 0, sizeof(*e));
	e->gui = s->gui;
	if (!(e->name = strndup(s->name, s->name_len)) ||
	    !(e->module = strndup(s->v.module, s->v.module_len)) ||
	    (s->v.attr && !(e->attr = strndup(s->v.attr, s->v.attr_len)))) {
		free(e->name);
		free(e->module);
		free(e->attr);
		return oom();
	}
	d->nentries++;
	return 0;
}

/*
 * Read a file of d's that may be missing (entry_points.txt, direct_url.json,
 * INSTALLER): 0 read, 1 not read (missing, unread, or not a regular file:
 * the spec's "none"), or a negative code.
 */
static int read_optional(struct reader *r, struct venv_dist *d, int ifd, const char *file,
			 size_t cap, struct vbuf *text)
{
	int error = read_meta(r, d, ifd, file, cap, text);

	if (error >= 0 || error == VENV_ENOMEM)
		return error;
	venv_error_clear();
	return 1;
}

/*
 * entry_points.txt as importlib.metadata reads it (common/entrypoints.h):
 * the entries of [console_scripts] and [gui_scripts] it lists and can
 * load, duplicates too (up to MAX_ENTRIES). A file it cannot read at all
 * (not UTF-8, a line without "=" after a header) has none, as
 * importlib.metadata lists none.
 */
static int read_entry_points(struct reader *r, struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PROBE);
	int error = read_meta(r, d, ifd, "entry_points.txt", VBUF_MAX_PROBE, &text);

	/* Over the cap: said (dist.h), not taken for none; the rest as read_optional(). */
	if (error == VENV_ETOOBIG) {
		d->entry_points_error = strdup(venv_error_last());
		venv_error_clear();
		error = d->entry_points_error ? 0 : oom();
		goto done;
	}
	if (error < 0 && error != VENV_ENOMEM) {
		venv_error_clear();
		error = 0;
		goto done;
	}
	if (error != 0) {   /* out of memory, or UNREAD (listed in unread) */
		error = error < 0 ? error : 0;
		goto done;
	}
	if ((error = venv_ep_read_scripts(text.buf, text.len, 0, add_entry, d)) == VENV_EINVAL) {
		venv_error_clear();
		error = 0;
	}
done:
	vbuf_release(&text);
	return error;
}

static int read_record(struct reader *r, struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD);
	size_t i;
	int error = read_meta(r, d, ifd, "RECORD", VBUF_MAX_RECORD, &text);

	if (error == UNREAD) {
		/* Not known: neither missing nor unparsable (check reports it as unread). */
		d->record_status = VENV_EIO;
		vbuf_reset(&text);
		if ((error = vbuf_addf(&text, "cannot read 'RECORD': %s",
				       strerror(r->ds->unread[r->ds->nunread - 1].err))) == 0 &&
		    !(d->record_error = vbuf_detach(&text, NULL)))
			error = oom();
		goto done;
	}
	if (error == 0)
		error = venv_record_parse(text.buf, text.len, &d->record, &d->nrecord);
	if (error < 0) {
		if (error == VENV_ENOMEM)
			goto done;
		d->record_status = error == VENV_ETOOBIG ? VENV_ETOOBIG :
				   error == VENV_ENOTFOUND ? VENV_ENOTFOUND : VENV_EINVAL;
		if (!(d->record_error = strdup(venv_error_last()))) {
			error = oom();
			goto done;
		}
		venv_record_rows_free(d->record, d->nrecord);
		d->record = NULL;
		d->nrecord = 0;
		venv_error_clear();
		error = 0;
		goto done;
	}
	for (i = 0; i < d->nrecord && !error; i++) {
		const char *p = d->record[i].path, *b;

		if (venv_dist_is_compiled_path(p))
			d->compiled = 1;
		/* Anything in the environment's bin/, seen from site-packages. */
		if (strncmp(p, "../../../bin/", 13))
			continue;
		b = p + 13;
		if (*b && !strchr(b, '/'))
			error = push(&d->scripts, &d->nscripts, SIZE_MAX, b, strlen(b));
	}
done:
	vbuf_release(&text);
	return error;
}

static int read_direct_url(struct reader *r, struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PROBE);
	json_error_t jerr;
	json_t *j = NULL, *dir_info, *vcs;
	const char *url;
	int error;

	if ((error = read_optional(r, d, ifd, "direct_url.json", VBUF_MAX_PROBE, &text)) != 0) {
		error = error < 0 ? error : 0;
		goto done;
	}
	j = json_loadb(text.buf, text.len, 0, &jerr);
	if (!j || !(url = json_string_value(json_object_get(j, "url"))))
		goto done;
	if (!(d->url = strdup(url))) {
		error = oom();
		goto done;
	}
	dir_info = json_object_get(j, "dir_info");
	d->editable = json_is_true(json_object_get(dir_info, "editable"));
	vcs = json_object_get(j, "vcs_info");
	if (vcs && !d->editable) {
		/* Pin the commit that was installed. */
		const char *kind = json_string_value(json_object_get(vcs, "vcs"));
		const char *commit = json_string_value(json_object_get(vcs, "commit_id"));
		struct vbuf u = VBUF_INIT(VBUF_MAX_PATH);

		if (kind && commit && (error = vbuf_addf(&u, "%s+%s@%s", kind, url, commit)) == 0) {
			free(d->url);
			d->url = vbuf_detach(&u, NULL);
		}
		vbuf_release(&u);
	}
done:
	json_decref(j);
	vbuf_release(&text);
	return error;
}

/* An .egg-info's top_level.txt: its top-level modules, one a line (RECORD's stand-in). */
static int read_top_level(struct reader *r, struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PROBE);
	const char *l, *end;
	int error;

	if ((error = read_optional(r, d, ifd, "top_level.txt", VBUF_MAX_PROBE, &text)) != 0) {
		error = error < 0 ? error : 0;
		goto done;
	}
	for (l = text.buf, end = text.buf + text.len; l < end && !error;) {
		size_t n = strcspn(l, "\r\n");

		if (n)
			error = push(&d->top_level, &d->ntop_level, MAX_ENTRIES, l, n);
		l += n + 1;
	}
done:
	vbuf_release(&text);
	return error;
}

static int read_installer(struct reader *r, struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(4096);
	size_t n;
	int error;

	if ((error = read_optional(r, d, ifd, "INSTALLER", 4096, &text)) != 0) {
		error = error < 0 ? error : 0;
		goto done;
	}
	n = strcspn(text.buf, "\r\n");
	while (n && (text.buf[n - 1] == ' ' || text.buf[n - 1] == '\t'))
		n--;
	if (n)
		error = dup_to(&d->installer, text.buf, n);
done:
	vbuf_release(&text);
	return error;
}

static int dists_add(struct venv_dists *ds, struct venv_dist *d)
{
	if (ds->nr == ds->alloc) {
		size_t n = ds->alloc ? ds->alloc * 2 : 32;
		struct venv_dist *p = realloc(ds->v, n * sizeof(*p));

		if (!p)
			return oom();
		ds->v = p;
		ds->alloc = n;
	}
	/* The list takes the strings over; d is left empty. */
	ds->v[ds->nr++] = *d;
	memset(d, 0, sizeof(*d));
	return 0;
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void dist_release(struct venv_dist *d)
{
	size_t i;

	free(d->dir);
	free(d->path);
	free(d->name);
	free(d->canon);
	free(d->version);
	free(d->dir_name);
	free(d->dir_version);
	free(d->metadata_error);
	free(d->entry_points_error);
	free(d->requires_python);
	free_list(d->requires, d->nrequires);
	free(d->license_expression);
	free(d->license);
	free_list(d->tags, d->ntags);
	free(d->installer);
	free(d->url);
	free(d->req);
	free_list(d->scripts, d->nscripts);
	free_list(d->top_level, d->ntop_level);
	for (i = 0; i < d->nentries; i++) {
		free(d->entries[i].name);
		free(d->entries[i].module);
		free(d->entries[i].attr);
	}
	free(d->entries);
	venv_record_rows_free(d->record, d->nrecord);
	free(d->record_error);
	memset(d, 0, sizeof(*d));
}

/* Does the real path `real` lie below the directory `dir` (resolved first)? */
static int below(const char *real, const char *dir)
{
	char *r = dir ? realpath(dir, NULL) : NULL;
	int in = r && venv_path_is_within(real, r) && strcmp(real, r);

	free(r);
	return in;
}

/*
 * See dist.h: links into the environment or virtualenv's app-data only.
 * *err: the errno of a failure to open what it leads to (0: opened).
 */
static int link_allowed(int sfd, const char *name, const char *env, int *err)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH);
	char *real = NULL;
	const char *v;
	int error = 0, ok = 0, fd = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*err = fd < 0 ? errno : 0;
	if (fd < 0)
		return 0;
	if (vbuf_addf(&dir, "/proc/self/fd/%d", fd) == 0)
		real = realpath(dir.buf, NULL);
	close(fd);
	if (!real)
		goto done;
	if (below(real, env)) {
		ok = 1;
		goto done;
	}
	vbuf_reset(&dir);
	if ((v = getenv("VIRTUALENV_OVERRIDE_APP_DATA")) && *v)
		error = vbuf_sets(&dir, v);
	else if ((v = getenv("XDG_DATA_HOME")) && *v == '/')
		error = vbuf_addf(&dir, "%s/virtualenv", v);
	else if ((v = getenv("HOME")) && *v == '/')
		error = vbuf_addf(&dir, "%s/.local/share/virtualenv", v);
	ok = !error && dir.len && below(real, dir.buf);
done:
	free(real);
	vbuf_release(&dir);
	venv_error_clear();
	return ok;
}

static int set_req(struct venv_dist *d)
{
	struct vbuf req = VBUF_INIT(VBUF_MAX_PATH);
	int error = 0;

	if (d->editable && d->url) {
		if (venv_dist_file_url(&req, d->url) < 0) {
			venv_error_clear();
			error = vbuf_sets(&req, d->url);
		}
	} else if (d->url) {
		error = vbuf_addf(&req, "%s @ %s", d->name, d->url);
	} else {
		error = vbuf_addf(&req, "%s==%s", d->name, d->version);
	}
	if (!error && !(d->req = vbuf_detach(&req, NULL)))
		error = oom();
	vbuf_release(&req);
	return error;
}

/*
 * What a failure to look at or open the metadata directory (or what its
 * link leads to) says: gone meanwhile, not a directory (an .egg-info file
 * of distutils) or a link now: not a distribution (0); anything else is a
 * directory that cannot be read (see unreadable()).
 */
static int open_failed(struct reader *r, const char *dirname, int err)
{
	if (err == ENOENT || err == ENOTDIR || err == ELOOP)
		return 0;
	return unreadable(r, NULL, "open", dirname, err);
}

/*
 * The environment of the site-packages read (lib/pythonX.Y/site-packages
 * below it), resolved from the directory held, whatever its path names
 * meanwhile; looked up once, at the first link. *env is NULL when it
 * cannot be told (no /proc): then no link is taken for one into it.
 */
static int env_of(struct reader *r, const char **env)
{
	char *real;
	int error = 0;

	if (!r->env_known) {
		r->env_known = 1;
		if ((error = vbuf_addf(&r->env, "/proc/self/fd/%d", r->sfd)) < 0)
			return error;
		real = realpath(r->env.buf, NULL);
		vbuf_reset(&r->env);
		if (real && ((error = vbuf_sets(&r->env, real)) < 0 ||
			     (error = venv_path_dirname(&r->env, r->env.buf)) < 0 ||
			     (error = venv_path_dirname(&r->env, r->env.buf)) < 0 ||
			     (error = venv_path_dirname(&r->env, r->env.buf)) < 0))
			vbuf_reset(&r->env);
		free(real);
	}
	*env = r->env.len ? r->env.buf : NULL;
	return error;
}

static int read_opened(struct reader *rd, struct venv_dist *dp, const char *dirname, int egg,
		       int ifd);

static int read_one(struct reader *rd, const char *dirname, int egg)
{
	struct venv_dist d;
	struct stat st;
	int ifd, err, error = 0;

	memset(&d, 0, sizeof(d));
	if (fstatat(rd->sfd, dirname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return open_failed(rd, dirname, errno);
	if (S_ISLNK(st.st_mode)) {
		const char *env;

		if ((error = env_of(rd, &env)) < 0)
			return error;
		if (!link_allowed(rd->sfd, dirname, env, &err)) {
			/*
			 * A link to nothing (virtualenv's app-data cleared under
			 * an environment made with --symlink-app-data) or a loop
			 * is still a link there, unlike one removed meanwhile:
			 * Python lists the distribution and fails to import it,
			 * so it is left out as a link, said, never dropped in
			 * silence (check and list found nothing, bin/pip failed).
			 */
			if ((err == ENOENT || err == ELOOP) &&
			    fstatat(rd->sfd, dirname, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				err = 0;
			return err ? open_failed(rd, dirname, err) :
			       push(&rd->ds->outside, &rd->ds->noutside, SIZE_MAX, dirname,
				    strlen(dirname));
		}
		d.linked = 1;
		ifd = openat(rd->sfd, dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		ifd = openat(rd->sfd, dirname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (ifd < 0)
		return open_failed(rd, dirname, errno);
	return read_opened(rd, &d, dirname, egg, ifd);
}

/*
 * A legacy editable install (setup.py develop, which pip runs for a project
 * without pyproject.toml): NAME.egg-link in site-packages, whose first line
 * is the directory holding NAME.egg-info, outside the environment, which
 * easy-install.pth puts on sys.path: Python imports it and pip lists it.
 * Read as an editable *.egg-info there (VENV_DISTS_EGG_LINKS); one whose
 * directory is gone is not installed any more (pip no longer lists it).
 */
static int read_egg_link(struct reader *rd, const char *name)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PATH), info = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_dist d;
	size_t n;
	int ifd, err, rc, error = 0;

	memset(&d, 0, sizeof(d));
	rc = venv_fs_read_capped(rd->sfd, name, VBUF_MAX_PATH, 1, &text, NULL, &err);
	if (rc == VENV_RD_DENIED || rc == VENV_RD_IOERR) {
		error = unreadable(rd, NULL, "read", name, err);
		goto done;
	}
	n = strcspn(text.buf, "\r\n");
	if (rc != VENV_RD_OK || !n || text.buf[0] != '/')
		goto done;   /* gone meanwhile, a link, not a file or not a path: not pip's */
	if ((error = vbuf_add(&info, text.buf, n)) < 0 ||
	    (error = vbuf_addf(&info, "/%.*s.egg-info", (int)(strlen(name) - 9), name)) < 0)
		goto done;
	if ((ifd = open(info.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error = errno == ENOENT || errno == ENOTDIR ? 0 : unreadable(rd, NULL, "open", name, errno);
		goto done;
	}
	d.editable = 1;
	error = read_opened(rd, &d, name, 1, ifd);
done:
	vbuf_release(&text);
	vbuf_release(&info);
	return error;
}

/* The rest of read_one() once the metadata directory is open as ifd (closed here). */
static int read_opened(struct reader *rd, struct venv_dist *dp, const char *dirname, int egg,
		       int ifd)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_dist d = *dp;
	const char *dash, *site = rd->site;
	size_t stem = strlen(dirname) - (egg ? 9 : 10);
	unsigned flags = rd->flags;
	int r, error = 0;

	d.egg = egg;
	d.purelib = -1;
	dash = memchr(dirname, '-', stem);
	if ((error = dup_to(&d.dir, dirname, strlen(dirname))) < 0 ||
	    (error = vbuf_addf(&tmp, "%s/%s", site, dirname)) < 0 ||
	    (error = dup_to(&d.path, tmp.buf, tmp.len)) < 0 ||
	    (error = dup_to(&d.dir_name, dirname, dash ? (size_t)(dash - dirname) : stem)) < 0 ||
	    (dash && (error = dup_to(&d.dir_version, dash + 1, stem - (size_t)(dash - dirname) - 1)) < 0))
		goto done;
	r = read_headers(rd, &d, ifd, egg ? "PKG-INFO" : "METADATA", VENV_DIST_MAX_METADATA,
			 metadata_header, &d.metadata_error);
	if ((error = r < 0 ? r : 0) < 0)
		goto done;
	if (!d.metadata_error && (!d.name || !d.version)) {
		if (!(d.metadata_error = strdup(d.name ? "METADATA has no Version" :
						"METADATA has no Name"))) {
			error = oom();
			goto done;
		}
	}
	if (d.metadata_error && !(flags & VENV_DISTS_ALL))
		goto done;
	if ((!d.name && (error = dup_to(&d.name, d.dir_name, strlen(d.dir_name))) < 0) ||
	    (!d.version && (error = dup_to(&d.version, d.dir_version ? d.dir_version : "",
					   d.dir_version ? strlen(d.dir_version) : 0)) < 0))
		goto done;
	if ((error = venv_name_canonicalize(&tmp, d.name)) < 0 ||
	    (error = dup_to(&d.canon, tmp.buf, tmp.len)) < 0)
		goto done;
	if (!egg && !(flags & VENV_DISTS_METADATA_ONLY)) {
		struct stat rst;

		if ((r = read_headers(rd, &d, ifd, "WHEEL", VBUF_MAX_PROBE, wheel_header, NULL)) < 0) {
			error = r;
			goto done;
		}
		d.requested = fstatat(ifd, "REQUESTED", &rst, AT_SYMLINK_NOFOLLOW) == 0;
		if (!d.requested && errno != ENOENT &&
		    (error = unreadable(rd, &d, "read", "REQUESTED", errno)) < 0)
			goto done;
		if ((error = read_record(rd, &d, ifd)) < 0 || (error = read_direct_url(rd, &d, ifd)) < 0 ||
		    (error = read_entry_points(rd, &d, ifd)) < 0 ||
		    (error = read_installer(rd, &d, ifd)) < 0)
			goto done;
	} else if (!egg && (flags & VENV_DISTS_EDITABLES)) {
		if ((error = read_direct_url(rd, &d, ifd)) < 0 ||
		    (d.editable && (error = read_record(rd, &d, ifd)) < 0))
			goto done;
	} else if (egg && !(flags & VENV_DISTS_METADATA_ONLY) &&
		   (error = read_top_level(rd, &d, ifd)) < 0) {
		goto done;
	}
	if ((error = set_req(&d)) < 0)
		goto done;
	error = dists_add(rd->ds, &d);
done:
	dist_release(&d);
	close(ifd);
	vbuf_release(&tmp);
	return error;
}

static int cmp_dist(const void *a, const void *b)
{
	const struct venv_dist *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->dir, y->dir);
}

/*
 * Drop what the read added after the first `nr` distributions, `nunread`
 * failures and `noutside` links out.
 */
static void dists_truncate(struct venv_dists *ds, size_t nr, size_t nunread, size_t noutside)
{
	while (ds->nr > nr)
		dist_release(&ds->v[--ds->nr]);
	while (ds->nunread > nunread)
		free(ds->unread[--ds->nunread].rel);
	while (ds->noutside > noutside)
		free(ds->outside[--ds->noutside]);
}

void venv_dists_drop_unusable(struct venv_dists *d)
{
	size_t i, kept = 0;

	for (i = 0; i < d->nr; i++) {
		if (d->v[i].metadata_error)
			dist_release(&d->v[i]);
		else
			d->v[kept++] = d->v[i];
	}
	d->nr = kept;
}

/* venv_dists_read() and venv_dists_read_at(): disp names site in what is kept and said. */
static int dists_read(struct venv_dists *out, int dirfd, const char *site, const char *disp,
		      unsigned flags, int below)
{
	struct reader rd = { out, disp, VBUF_INIT(VBUF_MAX_PATH), 0, flags, -1 };
	size_t nr = out->nr, nunread = out->nunread, noutside = out->noutside;
	DIR *d = NULL;
	struct dirent *de;
	int dupfd, error = 0;

	rd.sfd = below ? venv_fs_open_below(dirfd, site, NULL) :
		 openat(dirfd, site, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rd.sfd < 0) {
		int err = errno;
		struct stat st;

		/* O_DIRECTORY fails a link (O_NOFOLLOW) with ENOTDIR: "Not a directory" was said of one. */
		if (err == ENOTDIR && fstatat(dirfd, site, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			err = ELOOP;
		error = err == ENOENT ? 0 : unreadable(&rd, NULL, "open", "", err);
		goto done;
	}
	if ((dupfd = dup(rd.sfd)) < 0 || !(d = fdopendir(dupfd))) {
		error = unreadable(&rd, NULL, "list", "", errno);
		if (dupfd >= 0)
			close(dupfd);
		goto done;
	}
	rewinddir(d);
	/* A listing that fails half-way is not the end of site-packages. */
	for (errno = 0; (de = readdir(d)); errno = 0) {
		size_t n = strlen(de->d_name);

		if (n > 10 && !strcmp(de->d_name + n - 10, ".dist-info"))
			error = read_one(&rd, de->d_name, 0);
		else if (n > 9 && !strcmp(de->d_name + n - 9, ".egg-info"))
			error = read_one(&rd, de->d_name, 1);
		else if (n > 9 && !strcmp(de->d_name + n - 9, ".egg-link") &&
			 (flags & VENV_DISTS_EGG_LINKS))
			error = read_egg_link(&rd, de->d_name);
		if (error < 0)
			break;
	}
	if (error >= 0 && errno)
		error = unreadable(&rd, NULL, "list", "", errno);
done:
	if (error >= 0 && !(flags & VENV_DISTS_PARTIAL) && out->nunread > nunread) {
		const struct venv_dist_unread *u = &out->unread[nunread];

		error = venv_error_set(VENV_EIO, "cannot %s '%s%s%s': %s", u->op, disp,
				       u->rel[0] ? "/" : "", u->rel, venv_dist_unread_why(u));
	}
	if (d)
		closedir(d);
	if (rd.sfd >= 0)
		close(rd.sfd);
	vbuf_release(&rd.env);
	if (error < 0) {
		dists_truncate(out, nr, nunread, noutside);
		/* As it was: empty, its arrays too (a caller may drop it without a release). */
		if (!nr && !nunread && !noutside)
			venv_dists_release(out);
		return error;
	}
	/* Only what this read added: a caller may keep several site-packages in one list. */
	if (out->nr > nr)
		qsort(out->v + nr, out->nr - nr, sizeof(*out->v), cmp_dist);
	return 0;
}

int venv_dists_read(struct venv_dists *out, const char *site, unsigned flags)
{
	return dists_read(out, AT_FDCWD, site, site, flags, 0);
}

int venv_dists_read_at(struct venv_dists *out, int dirfd, const char *site, const char *disp,
		       unsigned flags)
{
	return dists_read(out, dirfd, site, disp, flags, 1);
}

const char *venv_dist_unread_why(const struct venv_dist_unread *u)
{
	return u->err == ELOOP ? "a symbolic link on the way, not followed" : strerror(u->err);
}

void venv_dists_release(struct venv_dists *ds)
{
	dists_truncate(ds, 0, 0, 0);
	free(ds->v);
	free(ds->unread);
	free(ds->outside);
	memset(ds, 0, sizeof(*ds));
}

const struct venv_dist *venv_dists_find(const struct venv_dists *d, const char *canon)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (d->v[i].canon && !strcmp(d->v[i].canon, canon))
			return &d->v[i];
	return NULL;
}
