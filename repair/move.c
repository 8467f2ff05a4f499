#include "compat.h"
#include <dirent.h>
#include <sys/utsname.h>
#include "venv.h"
#include "diag.h"
#include "fs.h"
#include "path.h"
#include "sha256.h"
#include "pep508.h"
#include "../create/wheel.h"
#include "move.h"
#include "wheels.h"

/* A RECORD path of the old site-packages and the distribution it belongs to. */
struct owned_path {
	char *path;   /* relative to site-packages */
	size_t dist;
};

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

static int push_str(char ***v, size_t *n, size_t *alloc, const char *s)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 64;
		char **p = realloc(*v, na * sizeof(*p));

		if (!p)
			return oom();
		*v = p;
		*alloc = na;
	}
	if (!((*v)[*n] = strdup(s)))
		return oom();
	(*n)++;
	return 0;
}

static void free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_owned(const void *a, const void *b)
{
	return strcmp(((const struct owned_path *)a)->path, ((const struct owned_path *)b)->path);
}

/* Index of the first path >= key. */
static size_t lower_bound(const struct owned_path *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is `rel` itself in v (exact), or anything below it ("rel/...")? */
static int has_exact(const struct owned_path *v, size_t n, const char *rel)
{
	size_t i = lower_bound(v, n, rel);

	return i < n && !strcmp(v[i].path, rel);
}

static int has_below(const struct owned_path *v, size_t n, const char *rel)
{
	size_t len = strlen(rel), i;
	char *key = malloc(len + 2);

	if (!key)
		return 1;   /* the safe answer: look inside */
	memcpy(key, rel, len);
	key[len] = '/';
	key[len + 1] = '\0';
	i = lower_bound(v, n, key);
	free(key);
	return i < n && !strncmp(v[i].path, rel, len) && v[i].path[len] == '/';
}

/* "pkg/__pycache__/mod.cpython-311.pyc" (or .opt-1.pyc) of Python 3.<minor>. */
static int is_old_bytecode(const char *path, int minor)
{
	char tag[32];
	const char *slash = strrchr(path, '/'), *dot;

	if (!slash || slash - path < 11 || strncmp(slash - 11, "__pycache__", 11) ||
	    (slash - path > 11 && slash[-12] != '/'))
		return 0;
	snprintf(tag, sizeof(tag), ".cpython-3%d.", minor);
	dot = strstr(slash, tag);
	return dot && strlen(path) > 4 && !strcmp(path + strlen(path) - 4, ".pyc");
}

/* Read RECORD of distribution d (in the site-packages directory sfd). */
static int read_rows(int sfd, const struct venv_dist *d, struct venv_record_row **rows,
		     size_t *nrows)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_RECORD);
	int ifd, error = 0;

	*rows = NULL;
	*nrows = 0;
	ifd = openat(sfd, d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (d->linked ? 0 : O_NOFOLLOW));
	if (ifd < 0)
		return venv_error_set_errno(VENV_EIO, "cannot open '%s'", d->dir);
	if ((error = venv_fs_read_file_at(&text, ifd, "RECORD", VBUF_MAX_RECORD)) < 0)
		goto done;
	error = venv_record_parse(text.buf, text.len, rows, nrows);
done:
	close(ifd);
	vbuf_release(&text);
	return error;
}

/*
 * A path of RECORD inside site-packages, normalised ("./" dropped), or
 * NULL for one outside it ("../../../bin/x", absolute paths).
 */
static const char *site_path(const char *p)
{
	while (!strncmp(p, "./", 2))
		p += 2;
	if (!*p || *p == '/' || !strncmp(p, "../", 3) || strstr(p, "/../"))
		return NULL;
	return p;
}

/* ---- deciding ---- */

/*
 * Pure distributions known not to run on a newer Python although their
 * Requires-Python admits it: setuptools before 66.1 uses pkgutil.ImpImporter,
 * which 3.12 removed (it is the seed of CPython 3.11's ensurepip).
 */
static const char *known_broken(const struct venv_dist *d, int minor, const char **min)
{
	if (minor >= 12 && !strcasecmp(d->name, "setuptools") && venv_localwheel_version_gt("66.1", d->version)) {
		*min = ">=66.1";
		return "uses pkgutil.ImpImporter, which Python 3.12 removed";
	}
	/* pip before 23.2 vendors such a pkg_resources: pip list and pip check fail. */
	if (minor >= 12 && !strcasecmp(d->name, "pip") && venv_localwheel_version_gt("23.2", d->version)) {
		*min = ">=23.2";
		return "vendors a pkg_resources that uses pkgutil.ImpImporter, which Python 3.12 "
		       "removed";
	}
	return NULL;
}

/* Does Requires-Python (when there is one, and valid) admit version? */
static int python_admitted(const struct venv_dist *d, const char *version)
{
	struct venv_specset set = VENV_SPECSET_INIT;
	struct venv_pep440 v;
	int ok = 1;

	if (d->requires_python && venv_specset_parse(&set, d->requires_python) == 0 &&
	    venv_pep440_parse(&v, version) == 0)
		ok = venv_specset_contains(&set, &v);
	/* pip ignores an invalid Requires-Python too (with a warning). */
	venv_error_clear();
	venv_specset_release(&set);
	return ok;
}

int venv_move_strf(char **out, const char *fmt, ...)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_LINE);
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(*out);
	*out = error < 0 ? NULL : vbuf_detach(&b, NULL);
	vbuf_release(&b);
	return error < 0 ? error : *out ? 0 : oom();
}

static int add_owned(struct owned_path **v, size_t *n, size_t *alloc, const char *path,
		     size_t dist)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 256;
		struct owned_path *p = realloc(*v, na * sizeof(*p));

		if (!p)
			return oom();
		*v = p;
		*alloc = na;
	}
	if (!((*v)[*n].path = strdup(path)))
		return oom();
	(*v)[*n].dist = dist;
	(*n)++;
	return 0;
}

/* The local wheel d was installed from (direct_url.json), when it fits the new Python. */
static int direct_wheel(char **out, const struct venv_dist *d, int minor)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH);
	const char *base;
	struct stat st;
	int error = 0;

	*out = NULL;
	if (d->url && !d->editable && venv_dist_file_url(&path, d->url) == 0 &&
	    (base = strrchr(path.buf, '/')) && venv_localwheel_fits(base + 1, d->name, d->version, minor, NULL) &&
	    stat(path.buf, &st) == 0 && S_ISREG(st.st_mode) && !(*out = strdup(path.buf)))
		error = oom();
	venv_error_clear();
	vbuf_release(&path);
	return error;
}

/*
 * What pip is given for d: the local source it came from while that still
 * exists (a directory, or a wheel the new Python takes), else name==version
 * (tox deletes the wheel it installed: a stale direct_url).
 */
static int pip_req(struct venv_move_dist *md, const struct venv_dist *d, int minor)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), req = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error = 0;

	if (d->url && venv_dist_file_url(&path, d->url) == 0 && stat(path.buf, &st) == 0 &&
	    (S_ISDIR(st.st_mode) || (strrchr(path.buf, '/') &&
				     venv_localwheel_fits(strrchr(path.buf, '/') + 1, d->name, d->version,
						minor, NULL))))
		error = d->editable ? vbuf_sets(&req, path.buf) :
				      vbuf_addf(&req, "%s @ %s", d->name, d->url);
	else if (d->url && strncmp(d->url, "file:", 5))
		error = vbuf_addf(&req, "%s @ %s", d->name, d->url);
	else
		error = vbuf_addf(&req, "%s==%s", d->name, d->version);
	venv_error_clear();
	md->editable = d->editable && d->url && req.buf[0] == '/';
	if (!error && !(md->req = vbuf_detach(&req, NULL)))
		error = oom();
	vbuf_release(&path);
	vbuf_release(&req);
	return error;
}

/* Is a distribution of that name kept (moved or installed again)? */
static int kept(const struct venv_move *m, const char *name)
{
	struct vbuf a = VBUF_INIT(VBUF_MAX_LINE), b = VBUF_INIT(VBUF_MAX_LINE);
	size_t i;
	int found = 0;

	if (venv_name_canonicalize(&a, name) < 0)
		goto done;
	for (i = 0; i < m->ds->nr && !found; i++)
		found = m->v[i].how != VENV_MOVE_DROP &&
			venv_name_canonicalize(&b, m->ds->v[i].name) == 0 && !strcmp(a.buf, b.buf);
done:
	venv_error_clear();
	vbuf_release(&a);
	vbuf_release(&b);
	return found;
}

/*
 * Requirements whose marker changes value between the old and the new
 * version (python_version, python_full_version, implementation_version):
 * reported; one needed now and not installed is installed from a local
 * wheel when there is one.
 */
static int find_markers(struct venv_move *m, const char *old_version,
			const struct venv_pyinfo *to)
{
	struct venv_marker_env before, after;
	size_t i, j, alloc = 0;
	int error = 0;

	if (!old_version)
		return 0;
	venv_marker_env_init(&before, old_version);
	venv_marker_env_init(&after, to->version);
	for (i = 0; i < m->ds->nr && !error; i++) {
		const struct venv_dist *d = &m->ds->v[i];

		if (m->v[i].how == VENV_MOVE_DROP)
			continue;
		for (j = 0; j < d->nrequires && !error; j++) {
			struct venv_requirement r;
			struct venv_move_marker *mk;
			int was, now;

			if (venv_requirement_parse(&r, d->requires[j]) < 0) {
				venv_error_clear();
				continue;
			}
			was = venv_requirement_applies(&r, &before);
			now = venv_requirement_applies(&r, &after);
			venv_error_clear();
			if (was < 0 || now < 0 || was == now) {
				venv_requirement_release(&r);
				continue;
			}
			if (m->nmarkers == alloc) {
				size_t na = alloc ? alloc * 2 : 8;

				if (!(mk = realloc(m->markers, na * sizeof(*mk)))) {
					error = oom();
					venv_requirement_release(&r);
					break;
				}
				m->markers = mk;
				alloc = na;
			}
			mk = &m->markers[m->nmarkers++];
			memset(mk, 0, sizeof(*mk));
			mk->dist = i;
			mk->now = now;
			if (!(mk->req = strdup(d->requires[j])) || !(mk->name = strdup(r.name)))
				error = oom();
			mk->present = kept(m, r.name);
			if (!error && now && !mk->present && !r.url) {
				char *ver = NULL;

				error = venv_localwheel_find(&mk->wheel, &ver, r.name, NULL, &r.spec, to);
				free(ver);
			}
			venv_requirement_release(&r);
		}
	}
	return error;
}

int venv_move_describe_marker(const struct venv_move *m, size_t i, struct vbuf *out)
{
	const struct venv_move_marker *mk = &m->markers[i];
	const struct venv_dist *d = &m->ds->v[mk->dist];

	vbuf_reset(out);
	if (!mk->now)
		return vbuf_addf(out, "%s %s: '%s' no longer applies to Python 3.%d%s", d->name,
				 d->version, mk->req, m->new_minor,
				 mk->present ? " (what it installed is kept)" : "");
	return vbuf_addf(out, "%s %s: '%s' applies to Python 3.%d: %s%s%s", d->name, d->version,
			 mk->req, m->new_minor, mk->present ? "it is installed" : mk->wheel ?
			 "installed from '" : "no local wheel of it was found; install it yourself",
			 mk->wheel && !mk->present ? mk->wheel : "",
			 mk->wheel && !mk->present ? "'" : "");
}

int venv_move_prepare(struct venv_move *m, const struct venv_dists *ds, struct venv_envdir *e,
		      const char *old_lib, const char *new_lib, int old_minor,
		      const char *old_version, const struct venv_pyinfo *to)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, j, aheld = 0, aowned = 0;
	int sfd = -1, error = 0;

	memset(m, 0, sizeof(*m));
	m->ds = ds;
	m->old_minor = old_minor;
	m->new_minor = to->minor;
	if (!(m->old_lib = strdup(old_lib)) || !(m->new_lib = strdup(new_lib)) ||
	    vbuf_addf(&b, "%s/site-packages", old_lib) < 0 || !(m->old_site = strdup(b.buf)) ||
	    (vbuf_reset(&b), vbuf_addf(&b, "%s/site-packages", new_lib)) < 0 ||
	    !(m->new_site = strdup(b.buf)) ||
	    !(m->v = calloc(ds->nr + 1, sizeof(*m->v)))) {
		error = oom();
		goto done;
	}
	{
		const char *base;

		vbuf_reset(&b);
		vbuf_addf(&b, "%s/x", m->old_site);
		if ((sfd = venv_repair_open_parent(e->fd, b.buf, &base)) < 0) {
			/* No old site-packages: nothing to move. */
			venv_error_clear();
			sfd = -1;
			goto done;
		}
	}
	for (i = 0; i < ds->nr; i++) {
		const struct venv_dist *d = &ds->v[i];
		struct venv_move_dist *md = &m->v[i];
		struct venv_record_row *rows = NULL;
		size_t nrows = 0;
		const char *compiled = NULL, *broken, *min = NULL, *tag;

		md->how = VENV_MOVE_MOVE;
		/* Egg-info has no RECORD: its files go with the files nobody owns. */
		if (d->egg)
			continue;
		if (read_rows(sfd, d, &rows, &nrows) < 0) {
			/* Without RECORD its files are not known: they are moved as they are. */
			venv_error_clear();
			continue;
		}
		for (j = 0; j < nrows && !compiled; j++)
			if (venv_dist_is_compiled_path(rows[j].path))
				compiled = rows[j].path;
		broken = known_broken(d, to->minor, &min);
		/*
		 * NEEDSWORK: Requires-Python is evaluated once the PEP 440 parser of
		 * common/ is there; until then it is taken to admit the new version.
		 */
		if (d->purelib == 0)
			error = venv_move_strf(&md->why, "not pure (Root-Is-Purelib: false)");
		else if (!venv_dist_tags_pure(d, &tag))
			error = venv_move_strf(&md->why, "not pure (WHEEL tag %s)",
					       tag ? tag : "without py3");
		else if (compiled)
			error = venv_move_strf(&md->why, "compiled (%s)", compiled);
		else if (broken)
			error = venv_move_strf(&md->why, "%s %s %s", d->name, d->version, broken);
		else if (!python_admitted(d, to->version))
			error = venv_move_strf(&md->why, "its Requires-Python '%s' excludes %s",
					       d->requires_python, to->version);
		if (error < 0) {
			venv_record_rows_free(rows, nrows);
			goto done;
		}
		if (md->why) {
			struct venv_specset set = VENV_SPECSET_INIT;

			if (broken && (error = venv_specset_parse(&set, min)) < 0)
				goto rows_done;
			if ((error = direct_wheel(&md->wheel, d, to->minor)) < 0 ||
			    (!md->wheel && (error = venv_localwheel_find(&md->wheel, &md->wversion, d->name,
							       broken ? NULL : d->version, &set,
							       to)) < 0) ||
			    (md->wheel && !md->wversion && !(md->wversion = strdup(d->version))))
				error = error < 0 ? error : oom();
			venv_specset_release(&set);
			if (error < 0)
				goto rows_done;
			if (md->wheel)
				md->how = VENV_MOVE_WHEEL;
			else if (broken)
				md->how = VENV_MOVE_DROP;
			else if ((md->how = VENV_MOVE_PIP), (error = pip_req(md, d, to->minor)) < 0)
				goto rows_done;
			/* Its files stay where they are (and go with the old version). */
			for (j = 0; j < nrows && !error; j++) {
				const char *p = site_path(rows[j].path);

				if (p)
					error = add_owned(&m->held, &m->nheld, &aheld, p, i);
			}
		}
		for (j = 0; j < nrows && !error; j++) {
			const char *p = site_path(rows[j].path);

			if (p)
				error = add_owned(&m->owned, &m->nowned, &aowned, p, i);
		}
		/* The metadata directory itself belongs to it (a link of virtualenv's too). */
		if (!error)
			error = add_owned(md->why ? &m->held : &m->owned, md->why ? &m->nheld :
					  &m->nowned, md->why ? &aheld : &aowned, d->dir, i);
		if (!error && md->why)
			error = add_owned(&m->owned, &m->nowned, &aowned, d->dir, i);
rows_done:
		venv_record_rows_free(rows, nrows);
		if (error < 0)
			goto done;
	}
	if (m->nheld)
		qsort(m->held, m->nheld, sizeof(*m->held), cmp_owned);
	if (m->nowned)
		qsort(m->owned, m->nowned, sizeof(*m->owned), cmp_owned);
	m->need_pip = venv_move_count(m, VENV_MOVE_PIP) && !kept(m, "pip");
	error = find_markers(m, old_version, to);
done:
	if (sfd >= 0)
		close(sfd);
	vbuf_release(&b);
	return error;
}

size_t venv_move_count(const struct venv_move *m, enum venv_move_how how)
{
	size_t i, n = 0;

	for (i = 0; m->ds && i < m->ds->nr; i++)
		n += m->v[i].how == how;
	return n;
}

int venv_move_describe(const struct venv_move *m, size_t i, struct vbuf *out)
{
	const struct venv_dist *d = &m->ds->v[i];
	const struct venv_move_dist *md = &m->v[i];

	vbuf_reset(out);
	switch (md->how) {
	case VENV_MOVE_MOVE:
		return vbuf_addf(out, "%s %s: moved%s%s", d->name, d->version,
				 d->linked ? " (a link into virtualenv's app-data)" : "",
				 d->editable ? " (editable: its .pth and finder kept)" : "");
	case VENV_MOVE_WHEEL:
		return vbuf_addf(out, "%s %s: installed again%s%s from '%s' (%s)", d->name,
				 d->version, strcmp(md->wversion, d->version) ? " at " : "",
				 strcmp(md->wversion, d->version) ? md->wversion : "", md->wheel,
				 md->why);
	case VENV_MOVE_PIP:
		return vbuf_addf(out, "%s %s: installed again with pip: %s%s (%s)", d->name,
				 d->version, md->editable ? "-e " : "", md->req, md->why);
	case VENV_MOVE_DROP:
		return vbuf_addf(out, "%s %s: not kept: %s, and no newer wheel of it was found "
				 "locally", d->name, d->version, md->why);
	}
	return 0;
}

/* ---- moving ---- */

static int add_pair(struct venv_move *m, const char *from, const char *to)
{
	int error = push_str(&m->pairs, &m->npairs, &m->apairs, from);

	return error < 0 ? error : push_str(&m->pairs, &m->npairs, &m->apairs, to);
}

static int add_unowned(struct venv_move *m, const char *from, const char *to, int renamed)
{
	struct venv_move_entry *p;

	if (m->nunowned == m->aunowned) {
		size_t na = m->aunowned ? m->aunowned * 2 : 16;

		if (!(p = realloc(m->unowned, na * sizeof(*p))))
			return oom();
		m->unowned = p;
		m->aunowned = na;
	}
	p = &m->unowned[m->nunowned];
	p->from = strdup(from);
	p->to = strdup(to);
	p->renamed = renamed;
	if (!p->from || !p->to) {
		free(p->from);
		free(p->to);
		return oom();
	}
	m->nunowned++;
	return 0;
}

/* lstat of an environment-relative path, never through a link on the way. */
static int lstat_rel(struct venv_envdir *e, const char *rel, struct stat *st)
{
	const char *base;
	int dfd = venv_repair_open_parent(e->fd, rel, &base), r;

	if (dfd < 0) {
		venv_error_clear();
		return -1;
	}
	r = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW);
	close(dfd);
	return r;
}

static int mkdir_rel(struct venv_envdir *e, const char *rel, mode_t mode)
{
	const char *base;
	int dfd = venv_repair_open_parent(e->fd, rel, &base), error = 0;

	if (dfd < 0)
		return dfd;
	if (mkdirat(dfd, base, mode & 07777) < 0 && errno != EEXIST)
		error = venv_error_set_errno(VENV_EIO, "cannot create '%s/%s'", e->dir, rel);
	close(dfd);
	return error;
}

/* The names in an environment-relative directory, sorted. */
static int list_dir(struct venv_envdir *e, const char *rel, char ***names, size_t *n)
{
	const char *base;
	size_t alloc = 0;
	DIR *d;
	struct dirent *de;
	int dfd = venv_repair_open_parent(e->fd, rel, &base), fd, error = 0;

	*names = NULL;
	*n = 0;
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return venv_error_set_errno(VENV_EIO, "cannot read '%s/%s'", e->dir, rel);
	}
	while ((de = readdir(d)) && !error)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			error = push_str(names, n, &alloc, de->d_name);
	closedir(d);
	return error;
}

/*
 * Plan the move of the entry `rel` of the old site-packages (site-relative)
 * into the new one: a whole rename unless something in it stays (it holds
 * files of a distribution installed again), or the new site-packages has a
 * directory of that name already (the two are merged entry by entry).
 */
static int plan_entry(struct venv_move *m, struct venv_envdir *e, const char *rel)
{
	struct vbuf from = VBUF_INIT(VBUF_MAX_PATH), to = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st, nst;
	char **names = NULL;
	size_t n = 0, i;
	int error = 0, descend = 0, renamed = 0;

	if (has_exact(m->held, m->nheld, rel))
		return 0;
	if ((error = vbuf_addf(&from, "%s/%s", m->old_site, rel)) < 0 ||
	    (error = vbuf_addf(&to, "%s/%s", m->new_site, rel)) < 0)
		goto done;
	if (lstat_rel(e, from.buf, &st) < 0)
		goto done;
	if (S_ISDIR(st.st_mode) && has_below(m->held, m->nheld, rel)) {
		descend = 1;
		if (!m->dry && (error = mkdir_rel(e, to.buf, st.st_mode)) < 0)
			goto done;
	} else if (lstat_rel(e, to.buf, &nst) == 0) {
		if (S_ISDIR(st.st_mode) && S_ISDIR(nst.st_mode)) {
			descend = 1;
		} else {
			/* Both are kept: ours gets the old version's name beside it. */
			int k;

			for (k = 1; k < 100; k++) {
				vbuf_reset(&to);
				vbuf_addf(&to, "%s/%s.python3.%d", m->new_site, rel, m->old_minor);
				if (k > 1)
					vbuf_addf(&to, "-%d", k);
				if (lstat_rel(e, to.buf, &nst) < 0)
					break;
			}
			renamed = 1;
		}
	}
	if (descend) {
		if ((error = list_dir(e, from.buf, &names, &n)) < 0)
			goto done;
		for (i = 0; i < n && !error; i++) {
			vbuf_reset(&to);
			if ((error = vbuf_addf(&to, "%s/%s", rel, names[i])) < 0)
				break;
			error = plan_entry(m, e, to.buf);
		}
		goto done;
	}
	if ((error = add_pair(m, from.buf, to.buf)) < 0)
		goto done;
	if (renamed || (!has_exact(m->owned, m->nowned, rel) && !has_below(m->owned, m->nowned, rel)))
		error = add_unowned(m, from.buf, to.buf, renamed);
done:
	free_strs(names, n);
	vbuf_release(&from);
	vbuf_release(&to);
	return error;
}

static int rename_rel(struct venv_envdir *e, const char *from, const char *to)
{
	const char *fb, *tb;
	int fd = venv_repair_open_parent(e->fd, from, &fb), td, error = 0;

	if (fd < 0)
		return fd;
	if ((td = venv_repair_open_parent(e->fd, to, &tb)) < 0) {
		close(fd);
		return td;
	}
	if (renameat(fd, fb, td, tb) < 0)
		error = venv_error_set_errno(VENV_EIO, "cannot move '%s' to '%s'", from, to);
	close(fd);
	close(td);
	return error;
}

/* ---- RECORD and console scripts ---- */

static int row_add(struct vbuf *out, const char *path, const char *hash, const char *size,
		   const char *eol)
{
	int error;

	if ((error = venv_record_add_field(out, path)) < 0 || (error = vbuf_addch(out, ',')) < 0 ||
	    (error = venv_record_add_field(out, hash)) < 0 || (error = vbuf_addch(out, ',')) < 0 ||
	    (error = venv_record_add_field(out, size)) < 0)
		return error;
	return vbuf_adds(out, eol);
}

static int hashed_row(struct vbuf *out, const char *path, const char *data, size_t len,
		      const char *eol)
{
	unsigned char sha[VENV_SHA256_LEN];
	char b64[VENV_SHA256_B64_LEN + 1], hash[8 + VENV_SHA256_B64_LEN + 1], size[24];

	venv_sha256(data, len, sha);
	venv_sha256_b64(sha, b64);
	snprintf(hash, sizeof(hash), "sha256=%s", b64);
	snprintf(size, sizeof(size), "%zu", len);
	return row_add(out, path, hash, size, eol);
}

static int has_name(const struct venv_entry_point *eps, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(eps[i].name, name))
			return 1;
	return 0;
}

/*
 * A data script (.data/scripts) whose first line runs the old version's
 * interpreter by name ("#!.../bin/python3.11"): pip wrote the interpreter
 * it ran as; that name goes with the old version, so the line is written
 * for the new one. Returns 1 when the file was rewritten (new in *data).
 */
static int fix_data_script(int bfd, const char *name, const char *python, int old_minor,
			   struct vbuf *data)
{
	char tail[32];
	const char *nl;
	size_t tl;
	struct vbuf out = VBUF_INIT(VBUF_MAX_SCRIPT + 4096);
	int error = 0;

	vbuf_reset(data);
	if (venv_fs_read_file_at(data, bfd, name, VBUF_MAX_SCRIPT) < 0) {
		venv_error_clear();
		return 0;
	}
	snprintf(tail, sizeof(tail), "/python3.%d", old_minor);
	tl = strlen(tail);
	nl = memchr(data->buf, '\n', data->len);
	if (data->len < 2 || memcmp(data->buf, "#!", 2) || !nl || (size_t)(nl - data->buf) < tl ||
	    memcmp(nl - tl, tail, tl))
		goto done;
	if ((error = venv_wheel_shebang(&out, python)) < 0)
		goto done;
	if (out.buf[out.len - 1] != '\n' && (error = vbuf_addch(&out, '\n')) < 0)
		goto done;
	if ((error = vbuf_add(&out, nl + 1, data->len - (size_t)(nl + 1 - data->buf))) < 0 ||
	    (error = venv_fs_write_file_mode(bfd, name, out.buf, out.len, 0755,
					     VENV_FS_ATOMIC)) < 0)
		goto done;
	vbuf_reset(data);
	error = vbuf_add(data, out.buf, out.len);
	if (!error)
		error = 1;
done:
	vbuf_release(&out);
	return error;
}

/*
 * Is bin/<name> a versioned copy of a console script that virtualenv
 * writes (name3, name-3.11, name3.11)? Then it is written again, for the
 * new version (name-3.12), the old one removed, and 1 returned with the
 * RECORD path in row and the text in script.
 */
static int variant(struct venv_move *m, int bfd, const char *name,
		   const struct venv_entry_point *eps, size_t neps, const char *shebang,
		   struct vbuf *row, struct vbuf *script)
{
	char forms[3][32];
	size_t i, k, bl;
	int error;

	for (i = 0; i < neps; i++) {
		bl = strlen(eps[i].name);
		if (!bl || (eps[i].name[bl - 1] >= '0' && eps[i].name[bl - 1] <= '9') ||
		    strncmp(name, eps[i].name, bl))
			continue;
		snprintf(forms[0], sizeof(forms[0]), "3");
		snprintf(forms[1], sizeof(forms[1]), "-3.%d", m->old_minor);
		snprintf(forms[2], sizeof(forms[2]), "3.%d", m->old_minor);
		for (k = 0; k < 3; k++)
			if (!strcmp(name + bl, forms[k]))
				break;
		if (k == 3)
			continue;
		vbuf_reset(script);
		vbuf_reset(row);
		if ((error = venv_wheel_script_text(script, shebang, &eps[i])) < 0 ||
		    (error = vbuf_addf(row, "%s%s", eps[i].name, k == 0 ? "3" : k == 1 ? "-3." :
				       "3.")) < 0 ||
		    (k && (error = vbuf_addf(row, "%d", m->new_minor)) < 0))
			return error;
		if (k)
			unlinkat(bfd, name, 0);
		if ((error = venv_fs_write_file_mode(bfd, row->buf, script->buf, script->len, 0755,
						     VENV_FS_ATOMIC)) < 0)
			return error;
		/* The row: "../../../bin/" + the new name. */
		{
			struct vbuf t = VBUF_INIT(VBUF_MAX_PATH);

			if ((error = vbuf_addf(&t, "../../../bin/%s", row->buf)) == 0)
				error = vbuf_sets(row, t.buf);
			vbuf_release(&t);
			if (error < 0)
				return error;
		}
		return 1;
	}
	return 0;
}

/* Does RECORD list bin/<name>? */
static int lists_script(const struct venv_record_row *rows, size_t nrows, const char *name)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strncmp(rows[i].path, "../../../bin/", 13) && !strcmp(rows[i].path + 13, name))
			return 1;
	return 0;
}

/*
 * The console scripts of a moved distribution, written again for the new
 * interpreter (pip's versioned names follow the version: pip3.11 becomes
 * pip3.12); the old ones that no longer exist are removed. With rows (its
 * RECORD), the new RECORD goes to `record`. A shared RECORD (a dist-info
 * linked into virtualenv's app-data, which other environments use) is never
 * written: the files it lists under bin/ keep their names, or check would
 * find them missing (VNV603).
 */
static int rewrite_dist(struct venv_move *m, struct venv_envdir *e, int ifd, int bfd,
			const char *python, const struct venv_record_row *rows, size_t nrows,
			int shared, struct vbuf *record, struct venv_plan *done)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_CFG), shebang = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf script = VBUF_INIT(VBUF_MAX_SCRIPT), path = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_entry_point *neweps = NULL, *oldeps = NULL;
	size_t nnew = 0, nold = 0, i;
	const char *eol = "\n";
	int error = 0;

	if (venv_fs_read_file_at(&text, ifd, "entry_points.txt", VBUF_MAX_CFG) == 0) {
		if ((error = venv_entry_points_parse(text.buf, text.len, 3, m->new_minor, &neweps,
						     &nnew)) < 0 ||
		    (error = venv_entry_points_parse(text.buf, text.len, 3, m->old_minor, &oldeps,
						     &nold)) < 0)
			goto done;
	}
	venv_error_clear();
	if (nnew && (error = venv_wheel_shebang(&shebang, python)) < 0)
		goto done;
	/* Old names that go: pip3.11, and the pip-3.11 virtualenv writes beside it. */
	for (i = 0; i < nold; i++) {
		char suffix[16], dash[NAME_MAX + 16];
		size_t nl = strlen(oldeps[i].name), sl;

		if (!has_name(neweps, nnew, oldeps[i].name) &&
		    !(shared && lists_script(rows, nrows, oldeps[i].name)))
			unlinkat(bfd, oldeps[i].name, 0);
		snprintf(suffix, sizeof(suffix), "3.%d", m->old_minor);
		sl = strlen(suffix);
		if (nl > sl + 1 && !strcmp(oldeps[i].name + nl - sl, suffix) &&
		    oldeps[i].name[nl - sl - 1] != '-') {
			snprintf(dash, sizeof(dash), "%.*s-%s", (int)(nl - sl), oldeps[i].name, suffix);
			if (!(shared && lists_script(rows, nrows, dash)))
				unlinkat(bfd, dash, 0);
		}
	}
	for (i = 0; i < nnew; i++) {
		vbuf_reset(&script);
		if ((error = venv_wheel_script_text(&script, shebang.buf, &neweps[i])) < 0 ||
		    (error = venv_fs_write_file_mode(bfd, neweps[i].name, script.buf, script.len,
						     0755, VENV_FS_ATOMIC)) < 0)
			goto done;
	}
	if (!nrows)
		goto done;
	/* pip writes RECORD with csv's "\r\n"; a RECORD of \n lines keeps them. */
	if (venv_fs_read_file_at(&text, ifd, "RECORD", VBUF_MAX_RECORD) == 0 &&
	    memmem(text.buf, text.len, "\r\n", 2))
		eol = "\r\n";
	venv_error_clear();
	for (i = 0; i < nrows && !error; i++) {
		const char *p = rows[i].path;

		if (!strcmp(p + strlen(p) - (strlen(p) >= 7 ? 7 : 0), "/RECORD") && strchr(p, '/') ==
		    strrchr(p, '/'))
			continue;   /* its own row goes last */
		if (is_old_bytecode(p, m->old_minor)) {
			const char *sp = site_path(p);

			vbuf_reset(&path);
			if (sp && (error = vbuf_addf(&path, "%s/%s", m->new_site, sp)) == 0)
				error = push_str(&m->stale, &m->nstale, &m->astale, path.buf);
			continue;
		}
		if (!strncmp(p, "../../../bin/", 13) && !strchr(p + 13, '/')) {
			int r = 0;

			if (has_name(oldeps, nold, p + 13) || has_name(neweps, nnew, p + 13))
				continue;   /* a console script: written below */
			/* virtualenv's copies of a console script: wheel3, wheel-3.11, wheel3.11. */
			if (shared)
				;   /* kept as the shared RECORD names them */
			else if ((r = variant(m, bfd, p + 13, neweps, nnew, shebang.buf, &path,
					 &script)) < 0) {
				error = r;
				break;
			}
			if (r > 0) {
				error = hashed_row(record, path.buf, script.buf, script.len, eol);
				continue;
			}
			r = fix_data_script(bfd, p + 13, python, m->old_minor, &script);
			if (r < 0) {
				error = r;
				break;
			}
			if (r > 0) {
				error = hashed_row(record, p, script.buf, script.len, eol);
				continue;
			}
		}
		error = row_add(record, p, rows[i].hash, rows[i].size, eol);
	}
	for (i = 0; i < nnew && !error; i++) {
		vbuf_reset(&script);
		vbuf_reset(&path);
		if ((error = venv_wheel_script_text(&script, shebang.buf, &neweps[i])) < 0 ||
		    (error = vbuf_addf(&path, "../../../bin/%s", neweps[i].name)) < 0)
			break;
		error = hashed_row(record, path.buf, script.buf, script.len, eol);
	}
done:
	(void)e;
	(void)done;
	venv_entry_points_free(neweps, nnew);
	venv_entry_points_free(oldeps, nold);
	vbuf_release(&text);
	vbuf_release(&shebang);
	vbuf_release(&script);
	vbuf_release(&path);
	return error;
}

/* Install a local wheel with our own installer (never running Python). */
static int install_wheel(struct venv_move *m, struct venv_envdir *e, const char *wheel,
			 const char *python, const struct venv_pyinfo *to, int requested,
			 size_t n)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH), purelib = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf scripts = VBUF_INIT(VBUF_MAX_PATH), headers = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_wheel w;
	struct venv_wheel_target t;
	int treefd = -1, error;

	memset(&w, 0, sizeof(w));
	memset(&t, 0, sizeof(t));
	/* Unpacked inside the upgrade's backup directory, which goes at the end either way. */
	vbuf_addf(&tmp, "%s/wheel-%zu", VENV_REPAIR_BACKUP, n);
	if ((error = mkdir_rel(e, tmp.buf, 0700)) < 0)
		goto done;
	{
		const char *base;
		int dfd = venv_repair_open_parent(e->fd, tmp.buf, &base);

		if (dfd < 0) {
			error = dfd;
			goto done;
		}
		treefd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (treefd < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot open '%s'", tmp.buf);
			goto done;
		}
	}
	if ((error = venv_wheel_unpack(&w, wheel, treefd, 0)) < 0)
		goto done;
	if ((error = vbuf_addf(&purelib, "%s/%s", e->dir, m->new_site)) < 0 ||
	    (error = vbuf_addf(&scripts, "%s/bin", e->dir)) < 0 ||
	    (error = vbuf_addf(&headers, "%s/include/site/python3.%d/%s", e->dir, to->minor,
			       w.name)) < 0)
		goto done;
	t.purelib = t.platlib = purelib.buf;
	t.scripts = scripts.buf;
	t.headers = headers.buf;
	t.data = e->dir;
	t.python = python;
	t.major = to->major;
	t.minor = to->minor;
	t.requested = requested;
	error = venv_wheel_install(&w, treefd, &t, VENV_WHEEL_MOVE);
done:
	if (treefd >= 0)
		close(treefd);
	venv_wheel_release(&w);
	vbuf_release(&tmp);
	vbuf_release(&purelib);
	vbuf_release(&scripts);
	vbuf_release(&headers);
	return error;
}

static int report(struct venv_plan *done, int code, int kind, const char *path, const char *msg)
{
	return venv_plan_add(done, code, kind, path, NULL, 0, kind == VENV_FIX_MKDIR ? 0755 : 0644,
			     msg);
}

int venv_move_plan(struct venv_move *m, struct venv_envdir *e, int dry)
{
	char **names = NULL;
	size_t n = 0, i;
	struct stat st;
	int error = 0;

	free_strs(m->pairs, m->npairs);
	m->pairs = NULL;
	m->npairs = m->apairs = 0;
	for (i = 0; i < m->nunowned; i++) {
		free(m->unowned[i].from);
		free(m->unowned[i].to);
	}
	m->nunowned = 0;
	m->dry = dry;
	if (!m->ds || lstat_rel(e, m->old_site, &st) < 0)
		return 0;
	/* Everything of the old lib directory: site-packages entry by entry, the rest whole. */
	if ((error = list_dir(e, m->old_site, &names, &n)) < 0)
		goto done;
	for (i = 0; i < n && !error; i++)
		error = plan_entry(m, e, names[i]);
	free_strs(names, n);
	names = NULL;
	n = 0;
	if (error < 0 || (error = list_dir(e, m->old_lib, &names, &n)) < 0)
		goto done;
	for (i = 0; i < n && !error; i++) {
		struct vbuf from = VBUF_INIT(VBUF_MAX_PATH), dest = VBUF_INIT(VBUF_MAX_PATH);
		struct stat nst;

		if (!strcmp(names[i], "site-packages"))
			continue;
		vbuf_addf(&from, "%s/%s", m->old_lib, names[i]);
		vbuf_addf(&dest, "%s/%s", m->new_lib, names[i]);
		if (lstat_rel(e, dest.buf, &nst) == 0)
			vbuf_addf(&dest, ".python3.%d", m->old_minor);
		if ((error = add_pair(m, from.buf, dest.buf)) == 0)
			error = add_unowned(m, from.buf, dest.buf, 0);
		vbuf_release(&from);
		vbuf_release(&dest);
	}
done:
	free_strs(names, n);
	return error;
}

/*
 * A lib directory of the new version that was there before the upgrade
 * (venv_upgrade_begin moved it into the backup whole) comes back entry by
 * entry into the one the builder made, before the old version's files are
 * planned: it keeps its names, and an old file of a name it has gets the old
 * version's name beside it (plan_entry). What meets something the builder
 * made (pip, put in first) is kept as NAME.before-upgrade; those are listed
 * in kept (from, to pairs). The moves are journaled first: a rollback takes
 * them back into the backup, which then returns whole.
 */
static int bring_back_new_lib(struct venv_move *m, struct venv_envdir *e, char ***kept,
			      size_t *nkept)
{
	struct vbuf from = VBUF_INIT(VBUF_MAX_PATH), to = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);
	char **names = NULL, **sub = NULL, **pairs = NULL;
	size_t n = 0, nsub = 0, npairs = 0, apairs = 0, akept = 0, i, j;
	struct stat st;
	int error = 0;

	if ((error = vbuf_addf(&src, "%s/newlib", VENV_REPAIR_BACKUP)) < 0)
		goto done;
	if (lstat_rel(e, src.buf, &st) < 0 || !S_ISDIR(st.st_mode))
		goto done;
	if ((error = list_dir(e, src.buf, &names, &n)) < 0)
		goto done;
	for (i = 0; i < n && !error; i++) {
		int merge = 0;

		vbuf_reset(&from);
		vbuf_addf(&from, "%s/%s", src.buf, names[i]);
		if (!strcmp(names[i], "site-packages") && lstat_rel(e, from.buf, &st) == 0 &&
		    S_ISDIR(st.st_mode) && lstat_rel(e, m->new_site, &st) == 0 && S_ISDIR(st.st_mode))
			merge = 1;
		free_strs(sub, nsub);
		sub = NULL;
		nsub = 0;
		if (merge && (error = list_dir(e, from.buf, &sub, &nsub)) < 0)
			break;
		for (j = 0; j < (merge ? nsub : 1) && !error; j++) {
			const char *name = merge ? sub[j] : names[i];
			size_t plain;
			int k;

			vbuf_reset(&from);
			vbuf_reset(&to);
			if ((error = vbuf_addf(&from, "%s/%s%s%s", src.buf, merge ? "site-packages/" : "",
					       merge ? name : "", merge ? "" : name)) < 0 ||
			    (error = vbuf_addf(&to, "%s/%s", merge ? m->new_site : m->new_lib,
					       name)) < 0)
				break;
			plain = to.len;
			for (k = 1; k < 100 && lstat_rel(e, to.buf, &st) == 0; k++) {
				vbuf_setlen(&to, plain);
				if ((error = vbuf_addf(&to, ".before-upgrade")) < 0 ||
				    (k > 1 && (error = vbuf_addf(&to, "-%d", k)) < 0))
					break;
			}
			if (!error && (error = push_str(&pairs, &npairs, &apairs, from.buf)) == 0)
				error = push_str(&pairs, &npairs, &apairs, to.buf);
			if (!error && to.len != plain) {
				vbuf_setlen(&to, plain);
				if ((error = push_str(kept, nkept, &akept, to.buf)) == 0)
					error = push_str(kept, nkept, &akept, pairs[npairs - 1]);
			}
		}
	}
	if (error < 0 || !npairs ||
	    (error = venv_upgrade_journal_moves(e, (const char *const *)pairs, npairs / 2)) < 0)
		goto done;
	for (i = 0; i < npairs && !error; i += 2)
		error = rename_rel(e, pairs[i], pairs[i + 1]);
done:
	free_strs(names, n);
	free_strs(sub, nsub);
	free_strs(pairs, npairs);
	vbuf_release(&from);
	vbuf_release(&to);
	vbuf_release(&src);
	return error;
}

int venv_move_run(struct venv_move *m, struct venv_envdir *e, const char *python,
		  const struct venv_pyinfo *to, struct venv_plan *done)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf record = VBUF_INIT(VBUF_MAX_RECORD);
	char **names = NULL, **recs = NULL, **kept = NULL;
	size_t n = 0, i, j, first, nrecs = 0, arecs = 0, nkept = 0;
	struct stat st;
	int error = 0, bfd = -1, sfd = -1;

	if (!m->ds || lstat_rel(e, m->old_site, &st) < 0)
		goto done;
	if ((error = bring_back_new_lib(m, e, &kept, &nkept)) < 0 ||
	    (error = venv_move_plan(m, e, 0)) < 0)
		goto done;
	for (i = 0; i < nkept && !error; i += 2)
		error = add_unowned(m, kept[i], kept[i + 1], 1);
	if (error < 0)
		goto done;
	/* Each moved RECORD that will be rewritten is kept in the backup first. */
	first = m->npairs;
	for (i = 0; i < m->ds->nr; i++) {
		const struct venv_dist *d = &m->ds->v[i];

		if (m->v[i].how != VENV_MOVE_MOVE || d->linked || d->egg)
			continue;
		vbuf_reset(&rel);
		vbuf_addf(&rel, "%s/%s/RECORD", m->new_site, d->dir);
		if (lstat_rel(e, rel.buf, &st) == 0)
			continue;   /* already there: not one of ours */
		vbuf_reset(&msg);
		vbuf_addf(&msg, "%s/records/%zu", VENV_REPAIR_BACKUP, nrecs);
		if ((error = push_str(&recs, &nrecs, &arecs, d->dir)) < 0 ||
		    (error = add_pair(m, rel.buf, msg.buf)) < 0)
			goto done;
	}
	vbuf_reset(&rel);
	vbuf_addf(&rel, "%s/records", VENV_REPAIR_BACKUP);
	if ((error = mkdir_rel(e, rel.buf, 0700)) < 0 ||
	    (error = venv_upgrade_journal_moves(e, (const char *const *)m->pairs, m->npairs / 2)) < 0)
		goto done;
	for (i = 0; i < first; i += 2)
		if ((error = rename_rel(e, m->pairs[i], m->pairs[i + 1])) < 0)
			goto done;
	bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		error = venv_error_set_errno(VENV_EIO, "cannot open '%s/bin'", e->dir);
		goto done;
	}
	{
		const char *base;
		int pfd;

		vbuf_reset(&rel);
		vbuf_addf(&rel, "%s/x", m->new_site);
		if ((pfd = venv_repair_open_parent(e->fd, rel.buf, &base)) < 0) {
			error = pfd;
			goto done;
		}
		sfd = pfd;
	}
	/* RECORDs and console scripts of what was moved. */
	for (i = 0, j = 0; i < m->ds->nr; i++) {
		const struct venv_dist *d = &m->ds->v[i];
		struct venv_record_row *rows = NULL;
		size_t nrows = 0;
		int ifd, rewrite = j < nrecs && !strcmp(recs[j], d->dir);

		if (m->v[i].how != VENV_MOVE_MOVE || d->egg)
			continue;
		ifd = openat(sfd, d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			     (d->linked ? 0 : O_NOFOLLOW));
		if (ifd < 0)
			continue;   /* moved under another name (a collision): left as it is */
		if (rewrite)
			j++;
		if (read_rows(sfd, d, &rows, &nrows) < 0) {
			venv_error_clear();
			rewrite = 0;
		}
		vbuf_reset(&record);
		error = rewrite_dist(m, e, ifd, bfd, python, rows, nrows, d->linked, &record, done);
		if (!error && rewrite) {
			vbuf_reset(&rel);
			vbuf_addf(&rel, "%s/RECORD", d->dir);
			if ((error = row_add(&record, rel.buf, "", "",
					     memmem(record.buf, record.len, "\r\n", 2) ? "\r\n" :
					     "\n")) == 0 &&
			    (error = rename_rel(e, m->pairs[first + 2 * (j - 1)],
						m->pairs[first + 2 * (j - 1) + 1])) == 0)
				error = venv_fs_write_file_at(ifd, "RECORD", record.buf, record.len,
							      0644, VENV_FS_ATOMIC);
		}
		close(ifd);
		venv_record_rows_free(rows, nrows);
		if (error < 0)
			goto done;
	}
	/* What is installed again from a local wheel. */
	for (i = 0; i < m->ds->nr; i++)
		if (m->v[i].how == VENV_MOVE_WHEEL &&
		    (error = install_wheel(m, e, m->v[i].wheel, python, to, m->ds->v[i].requested,
					   i)) < 0) {
			char text[2048];

			snprintf(text, sizeof(text), "%s", venv_error_last());
			error = venv_error_set(error, "cannot install %s %s again from '%s': %s",
					       m->ds->v[i].name, m->ds->v[i].version, m->v[i].wheel,
					       text);
			goto done;
		}
	/* What a marker needs now. */
	for (i = 0; i < m->nmarkers; i++)
		if (m->markers[i].now && !m->markers[i].present && m->markers[i].wheel &&
		    (error = install_wheel(m, e, m->markers[i].wheel, python, to, 0,
					   m->ds->nr + i)) < 0) {
			char text[2048];

			snprintf(text, sizeof(text), "%s", venv_error_last());
			error = venv_error_set(error, "cannot install '%s' from '%s': %s",
					       m->markers[i].req, m->markers[i].wheel, text);
			goto done;
		}
	/* The report: one line per distribution, marker change, entry nobody owns. */
	for (i = 0; i < m->nmarkers && !error; i++) {
		vbuf_reset(&rel);
		vbuf_addf(&rel, "%s/%s", m->new_site, m->ds->v[m->markers[i].dist].dir);
		if ((error = venv_move_describe_marker(m, i, &msg)) == 0)
			error = report(done, VENV_DIAG_BASE_VERSION_MISMATCH, VENV_FIX_WRITE,
				       rel.buf, msg.buf);
	}
	for (i = 0; i < m->ds->nr && !error; i++) {
		vbuf_reset(&rel);
		vbuf_addf(&rel, "%s/%s", m->v[i].how == VENV_MOVE_MOVE ? m->new_site : m->old_site,
			  m->ds->v[i].dir);
		if ((error = venv_move_describe(m, i, &msg)) == 0)
			error = report(done, VENV_DIAG_BASE_VERSION_MISMATCH,
				       m->v[i].how == VENV_MOVE_DROP ? VENV_FIX_REMOVE :
				       VENV_FIX_WRITE, rel.buf, msg.buf);
	}
	for (i = 0; i < m->nunowned && !error; i++) {
		vbuf_reset(&msg);
		vbuf_addf(&msg, "%s: moved to %s (no distribution owns it)%s", m->unowned[i].from,
			  m->unowned[i].to, m->unowned[i].renamed ?
			  "; the new site-packages has one of that name, both are kept" : "");
		error = report(done, VENV_DIAG_BASE_VERSION_MISMATCH, VENV_FIX_WRITE,
			       m->unowned[i].to, msg.buf);
	}
done:
	if (bfd >= 0)
		close(bfd);
	if (sfd >= 0)
		close(sfd);
	free_strs(names, n);
	free_strs(recs, nrecs);
	free_strs(kept, nkept);
	vbuf_release(&rel);
	vbuf_release(&msg);
	vbuf_release(&record);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void venv_move_finish(struct venv_move *m, struct venv_envdir *e)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), cur = VBUF_INIT(VBUF_MAX_PATH);
	const char *base;
	size_t i;
	int dfd = -1;

	/* Sorted, the files of one __pycache__ come together: it is opened once. */
	if (m->nstale)
		qsort(m->stale, m->nstale, sizeof(*m->stale), cmp_str);
	for (i = 0; i <= m->nstale; i++) {
		if (i < m->nstale && venv_path_dirname(&dir, m->stale[i]) < 0)
			break;
		if (dfd >= 0 && (i == m->nstale || strcmp(dir.buf, cur.buf))) {
			int pfd;

			close(dfd);
			dfd = -1;
			/* An emptied __pycache__ goes too (a non-empty one is refused). */
			if ((pfd = venv_repair_open_parent(e->fd, cur.buf, &base)) >= 0) {
				unlinkat(pfd, base, AT_REMOVEDIR);
				close(pfd);
			}
		}
		if (i == m->nstale)
			break;
		if (dfd < 0) {
			vbuf_sets(&cur, dir.buf);
			if ((dfd = venv_repair_open_parent(e->fd, m->stale[i], &base)) < 0)
				continue;
		}
		base = strrchr(m->stale[i], '/');
		unlinkat(dfd, base ? base + 1 : m->stale[i], 0);
	}
	if (dfd >= 0)
		close(dfd);
	vbuf_release(&dir);
	vbuf_release(&cur);
	venv_error_clear();
}

void venv_move_release(struct venv_move *m)
{
	size_t i;

	for (i = 0; m->v && m->ds && i < m->ds->nr; i++) {
		free(m->v[i].why);
		free(m->v[i].wheel);
		free(m->v[i].wversion);
		free(m->v[i].req);
	}
	free(m->v);
	for (i = 0; i < m->nmarkers; i++) {
		free(m->markers[i].req);
		free(m->markers[i].name);
		free(m->markers[i].wheel);
	}
	free(m->markers);
	for (i = 0; i < m->nunowned; i++) {
		free(m->unowned[i].from);
		free(m->unowned[i].to);
	}
	free(m->unowned);
	for (i = 0; i < m->nheld; i++)
		free(m->held[i].path);
	free(m->held);
	for (i = 0; i < m->nowned; i++)
		free(m->owned[i].path);
	free(m->owned);
	free_strs(m->pairs, m->npairs);
	free_strs(m->stale, m->nstale);
	free(m->old_site);
	free(m->new_site);
	free(m->old_lib);
	free(m->new_lib);
	memset(m, 0, sizeof(*m));
}
