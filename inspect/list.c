#include "compat.h"
#include <time.h>
#include <jansson.h>
#include "envdir.h"
#include "error.h"
#include "format.h"
#include "fs.h"
#include "model.h"
#include "sha256.h"
#include "list.h"

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

/*
 * The links out of the environment that the read of site (below the
 * environment) left out since the first `from` of them, as paths below the
 * environment, for the error that says each (list.h).
 */
static int keep_outside(struct venv_list_env *e, const char *site, size_t from)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t k, n = e->dists.noutside - from;
	char **p;
	int error = 0;

	if (!n)
		return 0;
	if (!(p = realloc(e->outside, (e->noutside + n) * sizeof(*p))))
		return oom();
	e->outside = p;
	for (k = from; k < e->dists.noutside && !error; k++) {
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s", site, e->dists.outside[k])) < 0)
			break;
		if (!(p[e->noutside] = strdup(rel.buf)))
			error = oom();
		else
			e->noutside++;
	}
	vbuf_release(&rel);
	return error;
}

/*
 * The distributions of each lib/pythonX.Y/site-packages the model found (in
 * lib/'s order); in a PyPy environment each lib/pypyX.Y/site-packages (the
 * model's lib_stem), never the other kind. A site-packages that is a
 * symbolic link is not followed, as check does not (VNV007), nor is one
 * reached through a link now: each is opened below the model's handle of
 * the environment, never by its path again.
 * On failure nothing is kept: an environment with an error has no
 * distributions (list.h), or JSON and CycloneDX would list part of it as
 * if it were all, and e->sites would be shorter than e->dists.
 */
static int read_env(struct venv_list_env *e, const struct venv_model *m)
{
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH), disp = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, k, nslots = 0;   /* e->sites' length */
	int error = 0;

	for (i = 0; i < m->nlibs && !error; i++) {
		const struct venv_model_libdir *lib = &m->libs[i];
		size_t before = e->dists.nr, out_before = e->dists.noutside;
		char **p;

		if (!lib->has_site || !venv_model_is_own_lib(m, lib->name))
			continue;
		vbuf_reset(&site);
		vbuf_reset(&disp);
		if ((error = vbuf_addf(&site, "lib/%s/site-packages", lib->name)) < 0 ||
		    (error = vbuf_addf(&disp, "%s/%s", m->abs, site.buf)) < 0 ||
		    (error = venv_dists_read_at(&e->dists, m->root, site.buf, disp.buf,
						VENV_DISTS_ALL | VENV_DISTS_EGG_LINKS)) < 0 ||
		    (error = keep_outside(e, site.buf, out_before)) < 0 ||
		    e->dists.nr == before)
			continue;
		if (!(p = realloc(e->sites, e->dists.nr * sizeof(*p)))) {
			error = oom();
			break;
		}
		e->sites = p;
		nslots = e->dists.nr;
		memset(p + before, 0, (e->dists.nr - before) * sizeof(*p));
		for (k = before; k < e->dists.nr && !error; k++)
			if (!(e->sites[k] = strdup(site.buf)))
				error = oom();
	}
	if (error < 0) {
		for (k = 0; k < nslots; k++)
			free(e->sites[k]);
		free(e->sites);
		e->sites = NULL;
		venv_dists_release(&e->dists);
		for (k = 0; k < e->noutside; k++)
			free(e->outside[k]);
		free(e->outside);
		e->outside = NULL;
		e->noutside = 0;
	}
	vbuf_release(&site);
	vbuf_release(&disp);
	return error;
}

static int not_an_env(const char *path)
{
	struct vbuf below = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (venv_envs_below(&below, path) > 0)
		error = venv_error_set(VENV_ENOTFOUND, "'%s' is not a virtual environment (no "
				       "pyvenv.cfg, no lib/pythonX.Y/site-packages); did you mean %s?",
				       path, below.buf);
	else
		error = venv_error_set(VENV_ENOTFOUND, "'%s' is not a virtual environment (no "
				       "pyvenv.cfg, no lib/pythonX.Y/site-packages)", path);
	vbuf_release(&below);
	return error;
}

/*
 * A pyvenv.cfg that is there but cannot be read as a regular file (a FIFO,
 * a directory, over the cap, unreadable) makes the directory no working
 * environment (Python hangs on the FIFO, ignores the directory): an error,
 * as check's VNV201, not an empty list. How the model's reading of it went
 * (a FIFO is never opened) says which. A symbolic link is not followed, and
 * not an error here (Python follows it; check reports it); nor is a
 * pyvenv.cfg read whole that check finds too long to parse.
 */
static int cfg_unusable(const struct venv_model *m, const char *path)
{
	if (m->cfg_rd == VENV_RD_OK || m->cfg_rd == VENV_RD_MISSING || m->cfg_rd == VENV_RD_LINK)
		return 0;
	if (m->cfg_rd == VENV_RD_SPECIAL && S_ISREG(m->cfg_mode))
		return venv_error_set(VENV_EUNSAFE, "cannot list '%s': its pyvenv.cfg was replaced "
				      "while it was read", path);
	if (m->cfg_rd == VENV_RD_SPECIAL)
		return venv_error_set(VENV_EUNSAFE, "cannot list '%s': its pyvenv.cfg is %s, not a "
				      "regular file", path, venv_fs_kind_name(m->cfg_mode));
	if (m->cfg_rd == VENV_RD_TOO_BIG)
		return venv_error_set(VENV_ETOOBIG, "cannot list '%s': its pyvenv.cfg is larger "
				      "than %zu bytes", path, (size_t)VBUF_MAX_CFG);
	errno = m->cfg_err ? m->cfg_err : EIO;
	return venv_error_set_errno(venv_error_from_errno(errno), "cannot list '%s': cannot read "
				    "its pyvenv.cfg", path);
}

/*
 * lib/ that the model could not open. Its errno does not say a link from
 * a file (O_DIRECTORY with O_NOFOLLOW fails a link to a directory with
 * ENOTDIR: "cannot open 'DIR/lib': Not a directory" was said of one), so
 * what is there now is looked at, for the message only.
 */
static int lib_unusable(const struct venv_model *m, const char *path)
{
	struct stat st;

	if (m->lib_state == VENV_DIR_LINK &&
	    fstatat(m->root, "lib", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		return S_ISLNK(st.st_mode) ?
		       venv_error_set(VENV_EUNSAFE, "cannot list '%s': its lib is a symbolic link; "
				      "not followed", path) :
		       venv_error_set(VENV_EUNSAFE, "cannot list '%s': its lib is %s, not a "
				      "directory", path, venv_fs_kind_name(st.st_mode));
	errno = m->lib_err ? m->lib_err : EIO;
	return venv_error_set_errno(VENV_EIO, "cannot open '%s/lib'", path);
}

/*
 * The environment as the model loads it for check, but for bin/ (nothing
 * listed comes from there): 0, or the error that fails it.
 */
static int list_env(struct venv_list_env *e, int fd, const char *path)
{
	struct venv_model m;
	size_t i, nsites = 0;
	int error;

	if ((error = venv_model_load_at(&m, fd, path, VENV_MODEL_NO_BIN)) < 0 ||
	    (error = cfg_unusable(&m, path)) < 0)
		goto done;
	if (m.lib_state == VENV_DIR_LINK || m.lib_state == VENV_DIR_BAD) {
		error = lib_unusable(&m, path);
		goto done;
	}
	/*
	 * Python imports through a lib/pythonX.Y that is a link (out of the
	 * environment, say); the model does not follow it, nor check (VNV007):
	 * said, not an SBOM without what it holds. A lib/pypyX.Y link too: the
	 * model keeps the first link in lib/'s order, so skipping a PyPy one
	 * would hide a lib/pythonX.Y link after it (an empty list, exit 0).
	 */
	if (m.lib_link[0]) {
		error = venv_error_set(VENV_EUNSAFE, "cannot list '%s': its lib/%s is a symbolic "
				       "link; not followed", path, m.lib_link);
		goto done;
	}
	/* Likewise a lib/pythonX.Y/site-packages link (it was an empty list, exit 0). */
	for (i = 0; i < m.nlibs; i++)
		if (m.libs[i].site_link && venv_model_is_own_lib(&m, m.libs[i].name)) {
			error = venv_error_set(VENV_EUNSAFE, "cannot list '%s': its lib/%s/"
					       "site-packages is a symbolic link; not followed",
					       path, m.libs[i].name);
			goto done;
		}
	/* A list of some of them would be taken for all. */
	if (m.libs_partial && m.lib_err) {
		errno = m.lib_err;
		error = venv_error_set_errno(VENV_EIO, "cannot read '%s/lib'", path);
		goto done;
	}
	if (m.libs_partial) {
		error = venv_error_set(VENV_ETOOBIG, "cannot list '%s': its lib has more than %d "
				       "pythonX.Y directories; not all were read", path,
				       VENV_MODEL_MAX_LIBDIRS);
		goto done;
	}
	for (i = 0; i < m.nlibs; i++)
		nsites += m.libs[i].has_site && venv_model_is_own_lib(&m, m.libs[i].name);
	/*
	 * Nothing to list and no pyvenv.cfg: not an environment (a project
	 * directory, a typo), said as check says it, not an empty list.
	 */
	if (!nsites && m.cfg_state == VENV_CFG_ABSENT)
		error = not_an_env(path);
	else
		error = read_env(e, &m);
done:
	venv_model_release(&m);
	return error;
}

int venv_list_add(struct venv_list *l, const char *path, int dirfd)
{
	struct venv_list_env *p = realloc(l->envs, (l->nr + 1) * sizeof(*p)), *e;
	int fd = dirfd, error;

	if (!p)
		return oom();
	l->envs = p;
	e = &p[l->nr];
	memset(e, 0, sizeof(*e));
	if (!(e->path = strdup(path)))
		return oom();
	l->nr++;
	if (fd < 0 && (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", path);
	} else {
		error = list_env(e, fd, path);
		if (fd != dirfd)
			close(fd);
	}
	if (error < 0 && error != VENV_ENOMEM) {
		if (!(e->error = strdup(venv_error_last())))
			return oom();
		venv_error_clear();
		return 0;
	}
	return error;
}

void venv_list_release(struct venv_list *l)
{
	size_t i, k;

	for (i = 0; i < l->nr; i++) {
		for (k = 0; k < l->envs[i].dists.nr; k++)
			free(l->envs[i].sites ? l->envs[i].sites[k] : NULL);
		free(l->envs[i].sites);
		venv_dists_release(&l->envs[i].dists);
		for (k = 0; k < l->envs[i].noutside; k++)
			free(l->envs[i].outside[k]);
		free(l->envs[i].outside);
		free(l->envs[i].path);
		free(l->envs[i].error);
	}
	free(l->envs);
	memset(l, 0, sizeof(*l));
}

int venv_list_purl(struct vbuf *out, const char *name, const char *version)
{
	const char *p;
	int error;

	vbuf_reset(out);
	if ((error = vbuf_adds(out, "pkg:pypi/")) < 0)
		return error;
	for (p = name; *p && !error; p++) {
		int c = (unsigned char)*p;

		if (c == '_')
			c = '-';
		else if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
			error = vbuf_addch(out, c);
		else
			error = vbuf_addf(out, "%%%02X", c);
	}
	if (!error)
		error = vbuf_addch(out, '@');
	for (p = version; *p && !error; p++) {
		int c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' || c == '~')
			error = vbuf_addch(out, c);
		else
			error = vbuf_addf(out, "%%%02X", c);
	}
	return error;
}

/* The sha256 RECORD gives the dist-info's METADATA, as hex; 0 or -1. */
static int metadata_sha256(const struct venv_dist *d, char hex[VENV_SHA256_HEX_LEN + 1])
{
	size_t i, dl = strlen(d->dir);

	for (i = 0; i < d->nrecord; i++) {
		const struct venv_record_row *r = &d->record[i];
		unsigned char digest[VENV_SHA256_LEN];

		if (strncmp(r->path, d->dir, dl) || strcmp(r->path + dl, "/METADATA") ||
		    strncmp(r->hash, "sha256=", 7))
			continue;
		if (venv_sha256_from_b64(digest, r->hash + 7, strlen(r->hash + 7)) < 0)
			return -1;
		venv_sha256_hex(digest, hex);
		return 0;
	}
	return -1;
}

static const char *location(const struct venv_dist *d)
{
	return d->editable && d->url ? d->url : NULL;
}

/*
 * The columns of one row, escaped: names, versions and paths come from the
 * environment (METADATA, direct_url.json), and a terminal must not act on
 * what they hold (venv_text_escape()).
 */
static int text_row(struct vbuf col[6], const char *const raw[6])
{
	size_t c;
	int error = 0;

	for (c = 0; c < 6 && !error; c++) {
		vbuf_reset(&col[c]);
		error = venv_text_escape(&col[c], raw[c]);
	}
	return error;
}

static void text_raw(const char *raw[6], const struct venv_list_env *e, size_t k)
{
	const struct venv_dist *d = &e->dists.v[k];

	raw[0] = d->name;
	raw[1] = d->version;
	raw[2] = d->installer ? d->installer : "-";
	raw[3] = d->editable ? "yes" : "no";
	raw[4] = location(d) ? location(d) : e->sites[k];
	raw[5] = d->license_expression ? d->license_expression : "-";
}

static int render_text(struct vbuf *out, const struct venv_list *l)
{
	static const char *const head[] = { "Package", "Version", "Installer", "Editable",
					    "Location", "License" };
	struct vbuf col[6];
	size_t i, k, c, shown = 0;
	int error = 0;

	for (c = 0; c < 6; c++)
		vbuf_init(&col[c], VBUF_MAX_PATH);
	for (i = 0; i < l->nr && !error; i++) {
		const struct venv_list_env *e = &l->envs[i];
		const char *raw[6];
		size_t w[6];

		/* Its error goes to stderr alone, as ls says of a file it cannot list. */
		if (e->error)
			continue;
		vbuf_reset(&col[0]);
		if ((error = venv_text_escape(&col[0], e->path)) < 0 ||
		    (error = vbuf_addf(out, "%s%s\n", shown++ ? "\n" : "", col[0].buf)) < 0)
			break;
		for (c = 0; c < 6; c++)
			w[c] = strlen(head[c]);
		for (k = 0; k < e->dists.nr && !error; k++) {
			if (e->dists.v[k].metadata_error)
				continue;
			text_raw(raw, e, k);
			if ((error = text_row(col, raw)) < 0)
				break;
			for (c = 0; c < 6; c++)
				if (col[c].len > w[c])
					w[c] = col[c].len;
		}
		for (k = 0; k <= e->dists.nr && !error; k++) {
			if (k == 0)
				memcpy(raw, head, sizeof(raw));
			else if (e->dists.v[k - 1].metadata_error)
				continue;
			else
				text_raw(raw, e, k - 1);
			if ((error = text_row(col, raw)) < 0)
				break;
			error = vbuf_addf(out, "  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n",
					  (int)w[0], col[0].buf, (int)w[1], col[1].buf, (int)w[2],
					  col[2].buf, (int)w[3], col[3].buf, (int)w[4], col[4].buf,
					  col[5].buf);
		}
	}
	for (c = 0; c < 6; c++)
		vbuf_release(&col[c]);
	return error;
}

/* Strings from the environment may be invalid UTF-8: replaced, as check does. */
static int set_str(json_t *o, const char *key, const char *v)
{
	if (json_object_set_new(o, key, v ? venv_json_str(v) : json_null()) < 0)
		return oom();
	return 0;
}

/*
 * A new value (NULL when out of memory) put under key of o at once, and
 * returned: json_object_set_new() takes it, also when it fails, so that
 * nothing is left to free and nothing is freed twice whichever allocation
 * fails. add_new() does the same for an array.
 */
static json_t *set_new(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) < 0 ? NULL : v;
}

static json_t *add_new(json_t *a, json_t *v)
{
	return json_array_append_new(a, v) < 0 ? NULL : v;
}

static int render_json(struct vbuf *out, const struct venv_list *l)
{
	json_t *root = json_object(), *envs = json_array();
	size_t i, k;
	char *text = NULL;
	int error = 0;

	if (!root || !envs || json_object_set_new(root, "version", json_integer(1)) < 0 ||
	    json_object_set(root, "environments", envs) < 0) {
		error = oom();
		goto done;
	}
	for (i = 0; i < l->nr && !error; i++) {
		const struct venv_list_env *e = &l->envs[i];
		json_t *je, *ds;

		if (!(je = add_new(envs, json_object())) ||
		    !(ds = set_new(je, "distributions", json_array()))) {
			error = oom();
			break;
		}
		error = set_str(je, "path", e->path);
		if (!error && e->error)
			error = set_str(je, "error", e->error);
		for (k = 0; k < e->dists.nr && !error; k++) {
			const struct venv_dist *d = &e->dists.v[k];
			json_t *jd;

			if (d->metadata_error)
				continue;
			if (!(jd = add_new(ds, json_object()))) {
				error = oom();
				break;
			}
			if ((error = set_str(jd, "name", d->name)) < 0 ||
			    (error = set_str(jd, "version", d->version)) < 0 ||
			    (error = set_str(jd, "installer", d->installer)) < 0 ||
			    (error = set_str(jd, "location", e->sites[k])) < 0 ||
			    (error = set_str(jd, "dist_info", d->dir)) < 0 ||
			    (error = set_str(jd, "editable_location", location(d))) < 0 ||
			    (error = set_str(jd, "license_expression", d->license_expression)) < 0 ||
			    (error = set_str(jd, "license", d->license)) < 0)
				break;
			if (json_object_set_new(jd, "editable", json_boolean(d->editable)) < 0)
				error = oom();
		}
	}
	if (!error && (!(text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)) ||
		       (error = vbuf_adds(out, text)) < 0 || (error = vbuf_addch(out, '\n')) < 0)) {
		if (!error)
			error = oom();
	}
done:
	free(text);
	json_decref(envs);
	json_decref(root);
	return error;
}

/* A v4 UUID from /dev/urandom (serialNumber); the nil-free fallback is time. */
static int uuid(char out[37])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t i;

	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		if (fd >= 0)
			close(fd);
		return venv_error_set_errno(VENV_EIO, "cannot read /dev/urandom");
	}
	close(fd);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++)
		snprintf(out + i * 2 + (i >= 4) + (i >= 6) + (i >= 8) + (i >= 10), 3, "%02x", b[i]);
	out[8] = out[13] = out[18] = out[23] = '-';
	out[36] = '\0';
	return 0;
}

static int cdx_component(json_t *comps, json_t *deps, size_t env_i, const struct venv_dist *d,
			 const char *site)
{
	struct vbuf purl = VBUF_INIT(VBUF_MAX_PATH), ref = VBUF_INIT(VBUF_MAX_PATH);
	json_t *c = add_new(comps, json_object());
	char hex[VENV_SHA256_HEX_LEN + 1];
	int error;

	if (!c)
		return oom();
	if ((error = venv_list_purl(&purl, d->name, d->version)) < 0 ||
	    (error = vbuf_addf(&ref, "env%zu:%s:%s", env_i + 1, site, d->dir)) < 0)
		goto done;
	if ((error = set_str(c, "type", "library")) < 0 || (error = set_str(c, "bom-ref", ref.buf)) < 0 ||
	    (error = set_str(c, "name", d->name)) < 0 || (error = set_str(c, "version", d->version)) < 0 ||
	    (error = set_str(c, "purl", purl.buf)) < 0)
		goto done;
	if (d->license_expression || d->license) {
		json_t *lic, *one;

		if (!(lic = set_new(c, "licenses", json_array())) || !(one = add_new(lic, json_object()))) {
			error = oom();
			goto done;
		}
		if (d->license_expression) {
			error = set_str(one, "expression", d->license_expression);
		} else {
			json_t *l = set_new(one, "license", json_object());

			if (!l)
				error = oom();
			else
				error = set_str(l, "name", d->license);
		}
		if (error < 0)
			goto done;
	}
	if (metadata_sha256(d, hex) == 0) {
		json_t *hs, *h;

		if (!(hs = set_new(c, "hashes", json_array())) || !(h = add_new(hs, json_object())) ||
		    (error = set_str(h, "alg", "SHA-256")) < 0 || (error = set_str(h, "content", hex)) < 0) {
			error = error ? error : oom();
			goto done;
		}
	}
	{
		static const char *const keys[] = { "venv:installer", "venv:editable", "venv:location",
						    "venv:dist-info" };
		const char *vals[4];
		json_t *props;
		size_t k;

		vals[0] = d->installer;
		vals[1] = d->editable ? "true" : "false";
		vals[2] = site;
		vals[3] = d->dir;
		if (!(props = set_new(c, "properties", json_array()))) {
			error = oom();
			goto done;
		}
		for (k = 0; k < 4 && !error; k++) {
			json_t *p;

			/* No INSTALLER: no property, and nothing made for one. */
			if (!vals[k])
				continue;
			if (!(p = add_new(props, json_object())) ||
			    (error = set_str(p, "name", keys[k])) < 0 || (error = set_str(p, "value", vals[k])) < 0)
				error = error ? error : oom();
		}
	}
	if (!error && json_array_append_new(deps, venv_json_str(ref.buf)) < 0)
		error = oom();
done:
	vbuf_release(&purl);
	vbuf_release(&ref);
	return error;
}

static int render_cyclonedx(struct vbuf *out, const struct venv_list *l)
{
	json_t *root = json_object(), *meta = json_object(), *comps = json_array();
	json_t *deps = json_array(), *tools, *tc, *tool;
	char id[37], stamp[32], *text = NULL;
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	time_t now = time(NULL);
	struct tm tm;
	size_t i, k;
	int error = 0;

	if (!root || !meta || !comps || !deps) {
		error = oom();
		goto done;
	}
	if ((error = uuid(id)) < 0 || (error = vbuf_addf(&tmp, "urn:uuid:%s", id)) < 0)
		goto done;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((error = set_str(root, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json")) < 0 ||
	    (error = set_str(root, "bomFormat", "CycloneDX")) < 0 ||
	    (error = set_str(root, "specVersion", "1.5")) < 0 ||
	    (error = set_str(root, "serialNumber", tmp.buf)) < 0 ||
	    json_object_set_new(root, "version", json_integer(1)) < 0 ||
	    json_object_set(root, "metadata", meta) < 0 || (error = set_str(meta, "timestamp", stamp)) < 0) {
		error = error ? error : oom();
		goto done;
	}
	if (!(tools = set_new(meta, "tools", json_object())) ||
	    !(tc = set_new(tools, "components", json_array())) || !(tool = add_new(tc, json_object())) ||
	    (error = set_str(tool, "type", "application")) < 0 || (error = set_str(tool, "name", "venv")) < 0) {
		error = error ? error : oom();
		goto done;
	}
	if (json_object_set(root, "components", comps) < 0 ||
	    json_object_set(root, "dependencies", deps) < 0) {
		error = oom();
		goto done;
	}
	for (i = 0; i < l->nr && !error; i++) {
		const struct venv_list_env *e = &l->envs[i];
		json_t *env, *dep, *on;

		vbuf_reset(&tmp);
		/* Each environment is an application component that depends on its distributions. */
		if (!(env = add_new(comps, json_object())) || !(dep = add_new(deps, json_object())) ||
		    !(on = set_new(dep, "dependsOn", json_array())) ||
		    (error = vbuf_addf(&tmp, "env%zu", i + 1)) < 0 ||
		    (error = set_str(env, "type", "application")) < 0 ||
		    (error = set_str(env, "bom-ref", tmp.buf)) < 0 ||
		    (error = set_str(env, "name", e->path)) < 0 || (error = set_str(dep, "ref", tmp.buf)) < 0) {
			error = error ? error : oom();
			break;
		}
		for (k = 0; k < e->dists.nr && !error; k++)
			if (!e->dists.v[k].metadata_error)
				error = cdx_component(comps, on, i, &e->dists.v[k], e->sites[k]);
	}
	if (!error && (!(text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)) ||
		       (error = vbuf_adds(out, text)) < 0 || (error = vbuf_addch(out, '\n')) < 0))
		error = error ? error : oom();
done:
	free(text);
	vbuf_release(&tmp);
	json_decref(meta);
	json_decref(comps);
	json_decref(deps);
	json_decref(root);
	return error;
}

int venv_list_render(struct vbuf *out, const struct venv_list *l, enum venv_list_format fmt)
{
	vbuf_reset(out);
	if (fmt == VENV_LIST_JSON)
		return render_json(out, l);
	if (fmt == VENV_LIST_CYCLONEDX)
		return render_cyclonedx(out, l);
	return render_text(out, l);
}
