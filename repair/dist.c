#include "compat.h"
#include <dirent.h>
#include <jansson.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "dist.h"

#define META_MAX ((size_t)4 * 1024 * 1024)

int venv_repair_dist_normalize(struct vbuf *out, const char *name)
{
	int sep = 0, error = 0;

	vbuf_reset(out);
	for (; *name && !error; name++) {
		char c = *name;

		if (c == '-' || c == '_' || c == '.') {
			sep = 1;
			continue;
		}
		if (sep && out->len)
			error = vbuf_addch(out, '-');
		sep = 0;
		if (!error)
			error = vbuf_addch(out, (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
	}
	return error;
}

int venv_repair_file_url(struct vbuf *out, const char *url)
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

/* The value of the first "Key: value" header line of an RFC 822 block. */
static int header(struct vbuf *out, const char *text, size_t len, const char *key)
{
	size_t pos = 0, kl = strlen(key);

	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		if (n == 0 || (n == 1 && l[0] == '\r'))
			break;   /* the body starts */
		if (n > kl + 1 && !strncasecmp(l, key, kl) && l[kl] == ':') {
			size_t a = kl + 1;

			while (a < n && (l[a] == ' ' || l[a] == '\t'))
				a++;
			while (n > a && (l[n - 1] == '\r' || l[n - 1] == ' '))
				n--;
			vbuf_reset(out);
			return vbuf_add(out, l + a, n - a);
		}
		pos += n + 1;
	}
	return VENV_ENOTFOUND;
}

static int add_script(struct venv_dist *d, const char *name, size_t n)
{
	char **p = realloc(d->scripts, (d->nscripts + 1) * sizeof(*p));

	if (!p)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	d->scripts = p;
	if (!(p[d->nscripts] = strndup(name, n)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	d->nscripts++;
	return 0;
}

/* The files a distribution put in bin/: RECORD rows "../../../bin/NAME,...". */
static int read_record(struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD), field = VBUF_INIT(VBUF_MAX_PATH);
	size_t pos = 0;
	int error = 0;

	if (venv_fs_read_file_at(&text, ifd, "RECORD", VBUF_MAX_RECORD) < 0) {
		venv_error_clear();
		goto done;
	}
	while (pos < text.len && !error) {
		const char *l = text.buf + pos, *nl = memchr(l, '\n', text.len - pos);
		size_t n = nl ? (size_t)(nl - l) : text.len - pos, i = 0;
		const char *slash;

		vbuf_reset(&field);
		if (n && l[0] == '"') {
			for (i = 1; i < n; i++) {
				if (l[i] == '"') {
					if (i + 1 < n && l[i + 1] == '"') {
						vbuf_addch(&field, '"');
						i++;
						continue;
					}
					break;
				}
				vbuf_addch(&field, l[i]);
			}
		} else {
			while (i < n && l[i] != ',')
				i++;
			vbuf_add(&field, l, i);
		}
		pos += n + 1;
		/* Anything in the environment's bin/, seen from site-packages. */
		if (strncmp(field.buf, "../../../bin/", 13))
			continue;
		slash = field.buf + 13;
		if (!*slash || strchr(slash, '/'))
			continue;
		error = add_script(d, slash, strlen(slash));
	}
done:
	vbuf_release(&text);
	vbuf_release(&field);
	return error;
}

static int read_direct_url(struct venv_dist *d, int ifd)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PROBE);
	json_error_t jerr;
	json_t *j = NULL, *dir_info, *vcs;
	const char *url;
	int error = 0;

	if (venv_fs_read_file_at(&text, ifd, "direct_url.json", VBUF_MAX_PROBE) < 0) {
		venv_error_clear();
		goto done;
	}
	j = json_loadb(text.buf, text.len, 0, &jerr);
	if (!j || !(url = json_string_value(json_object_get(j, "url"))))
		goto done;
	if (!(d->url = strdup(url))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
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

static int dists_add(struct venv_dists *ds, struct venv_dist *d)
{
	if (ds->nr == ds->alloc) {
		size_t n = ds->alloc ? ds->alloc * 2 : 32;
		struct venv_dist *p = realloc(ds->v, n * sizeof(*p));

		if (!p)
			return venv_error_set(VENV_ENOMEM, "out of memory");
		ds->v = p;
		ds->alloc = n;
	}
	/* The list takes the strings over; d is left empty. */
	ds->v[ds->nr++] = *d;
	memset(d, 0, sizeof(*d));
	return 0;
}

static void dist_release(struct venv_dist *d)
{
	size_t i;

	free(d->name);
	free(d->version);
	free(d->url);
	free(d->req);
	for (i = 0; i < d->nscripts; i++)
		free(d->scripts[i]);
	free(d->scripts);
	memset(d, 0, sizeof(*d));
}

static int read_one(struct venv_dists *out, int sfd, const char *dirname, int egg)
{
	struct vbuf meta = VBUF_INIT(META_MAX), v = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf req = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_dist d;
	int ifd, error = 0;

	memset(&d, 0, sizeof(d));
	ifd = openat(sfd, dirname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ifd < 0)
		return 0;
	if (venv_fs_read_file_at(&meta, ifd, egg ? "PKG-INFO" : "METADATA", META_MAX) < 0) {
		venv_error_clear();
		goto done;
	}
	if (header(&v, meta.buf, meta.len, "Name") < 0 || !(d.name = strdup(v.buf)) ||
	    header(&v, meta.buf, meta.len, "Version") < 0 || !(d.version = strdup(v.buf)))
		goto done;
	if (!egg && ((error = read_record(&d, ifd)) < 0 || (error = read_direct_url(&d, ifd)) < 0))
		goto done;
	if (d.editable && d.url) {
		if (venv_repair_file_url(&req, d.url) < 0) {
			venv_error_clear();
			vbuf_sets(&req, d.url);
		}
	} else if (d.url) {
		vbuf_addf(&req, "%s @ %s", d.name, d.url);
	} else {
		vbuf_addf(&req, "%s==%s", d.name, d.version);
	}
	if (!(d.req = vbuf_detach(&req, NULL))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	error = dists_add(out, &d);
done:
	dist_release(&d);
	close(ifd);
	vbuf_release(&meta);
	vbuf_release(&v);
	vbuf_release(&req);
	return error;
}

static int cmp_dist(const void *a, const void *b)
{
	return strcasecmp(((const struct venv_dist *)a)->name, ((const struct venv_dist *)b)->name);
}

int venv_repair_dists_read(struct venv_dists *out, const char *site)
{
	DIR *d = NULL;
	struct dirent *de;
	int sfd, dupfd, error = 0;

	sfd = open(site, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		if (errno == ENOENT)
			return 0;
		return venv_error_set_errno(VENV_EIO, "cannot open '%s'", site);
	}
	if ((dupfd = dup(sfd)) < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		close(sfd);
		return venv_error_set_errno(VENV_EIO, "cannot read '%s'", site);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 10 && !strcmp(de->d_name + n - 10, ".dist-info"))
			error = read_one(out, sfd, de->d_name, 0);
		else if (n > 9 && !strcmp(de->d_name + n - 9, ".egg-info"))
			error = read_one(out, sfd, de->d_name, 1);
		if (error < 0)
			break;
	}
	closedir(d);
	close(sfd);
	if (!error && out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), cmp_dist);
	return error;
}

void venv_repair_dists_release(struct venv_dists *ds)
{
	size_t i;

	for (i = 0; i < ds->nr; i++)
		dist_release(&ds->v[i]);
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}
