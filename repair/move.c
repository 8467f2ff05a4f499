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
#include "move_int.h"
#include "wheels.h"

int venv_move__oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

int venv_move__push_str(char ***v, size_t *n, size_t *alloc, const char *s)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 64;
		char **p = realloc(*v, na * sizeof(*p));

		if (!p)
			return venv_move__oom();
		*v = p;
		*alloc = na;
	}
	if (!((*v)[*n] = strdup(s)))
		return venv_move__oom();
	(*n)++;
	return 0;
}

void venv_move__free_strs(char **v, size_t n)
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
int venv_move__has_exact(const struct owned_path *v, size_t n, const char *rel)
{
	size_t i = lower_bound(v, n, rel);

	return i < n && !strcmp(v[i].path, rel);
}

int venv_move__has_below(const struct owned_path *v, size_t n, const char *rel)
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

/*
 * "pkg/__pycache__/mod.cpython-311.pyc" (or .opt-1.pyc) of Python 3.<minor>,
 * or PyPy's "mod.pypy39.pyc" (its sys.implementation.cache_tag): bytecode
 * that no interpreter of the next minor version reads.
 */
int venv_move__is_old_bytecode(const char *path, int minor)
{
	char cpython[32], pypy[32];
	const char *slash = strrchr(path, '/');
	size_t len = strlen(path);

	if (!slash || slash - path < 11 || strncmp(slash - 11, "__pycache__", 11) ||
	    (slash - path > 11 && slash[-12] != '/'))
		return 0;
	snprintf(cpython, sizeof(cpython), ".cpython-3%d.", minor);
	snprintf(pypy, sizeof(pypy), ".pypy3%d.", minor);
	return (strstr(slash, cpython) || strstr(slash, pypy)) && len > 4 &&
	       !strcmp(path + len - 4, ".pyc");
}

/*
 * Read RECORD of distribution d (in the site-packages directory sfd), and
 * the line end it is written with: pip writes csv's "\r\n"; a RECORD of
 * "\n" lines keeps them when it is written again.
 */
int venv_move__read_rows(int sfd, const struct venv_dist *d, struct venv_record_row **rows,
			 size_t *nrows, const char **eol)
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
	*eol = memmem(text.buf, text.len, "\r\n", 2) ? "\r\n" : "\n";
done:
	close(ifd);
	vbuf_release(&text);
	return error;
}

/*
 * A path of RECORD inside site-packages, normalised ("./" dropped), or
 * NULL for one outside it ("../../../bin/x", absolute paths).
 */
const char *venv_move__site_path(const char *p)
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
	return error < 0 ? error : *out ? 0 : venv_move__oom();
}

static int add_owned(struct owned_path **v, size_t *n, size_t *alloc, const char *path,
		     size_t dist)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 256;
		struct owned_path *p = realloc(*v, na * sizeof(*p));

		if (!p)
			return venv_move__oom();
		*v = p;
		*alloc = na;
	}
	if (!((*v)[*n].path = strdup(path)))
		return venv_move__oom();
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
		error = venv_move__oom();
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
		error = venv_move__oom();
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
					error = venv_move__oom();
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
				error = venv_move__oom();
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
		      const char *old_version, const struct venv_pyinfo *to, int code)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_dists fresh = VENV_DISTS_INIT;
	size_t i, j, aheld = 0, aowned = 0;
	int sfd = -1, error = 0;

	memset(m, 0, sizeof(*m));
	m->ds = ds;
	m->code = code;
	m->old_minor = old_minor;
	m->new_minor = to->minor;
	if (!(m->old_lib = strdup(old_lib)) || !(m->new_lib = strdup(new_lib)) ||
	    vbuf_addf(&b, "%s/site-packages", old_lib) < 0 || !(m->old_site = strdup(b.buf)) ||
	    (vbuf_reset(&b), vbuf_addf(&b, "%s/site-packages", new_lib)) < 0 ||
	    !(m->new_site = strdup(b.buf)) ||
	    !(m->v = calloc(ds->nr + 1, sizeof(*m->v)))) {
		error = venv_move__oom();
		goto done;
	}
	{
		const char *base;

		vbuf_reset(&b);
		if ((error = vbuf_addf(&b, "%s/x", m->old_site)) < 0)
			goto done;
		if ((sfd = venv_repair_open_parent(e->fd, b.buf, &base)) < 0) {
			error = sfd;
			sfd = -1;
			/* No old site-packages: nothing to move. */
			if (error == VENV_ENOTFOUND) {
				venv_error_clear();
				error = 0;
				goto done;
			}
			/*
			 * A link on the way (lib/python3.11 leading out of the
			 * environment), or not a directory: what it holds is not
			 * the environment's to move, and taking it for nothing
			 * would leave the new version without any of it.
			 */
			error = venv_error_set(error, "'%s' cannot be opened inside the environment "
					       "(%s): the upgrade moves only what the environment "
					       "holds; put it back in place (not a link) first",
					       m->old_site, error == VENV_EUNSAFE ?
					       "a symbolic link on the way" : venv_error_last());
			goto done;
		}
	}
	/*
	 * What the new site-packages has already (`venv create --upgrade` put
	 * pip there, or the user installed it again): its copy is kept.
	 */
	vbuf_reset(&b);
	if ((error = vbuf_addf(&b, "%s/%s", e->dir, m->new_site)) < 0 ||
	    (error = venv_dists_read_at(&fresh, e->fd, m->new_site, b.buf, 0)) < 0)
		goto done;
	for (i = 0; i < ds->nr; i++) {
		const struct venv_dist *d = &ds->v[i];
		const struct venv_dist *nd = d->canon ? venv_dists_find(&fresh, d->canon) : NULL;
		struct venv_move_dist *md = &m->v[i];
		const struct venv_record_row *rows = d->record;
		size_t nrows = d->nrecord;
		const char *compiled = NULL, *broken = NULL, *min = NULL, *tag;

		md->how = VENV_MOVE_MOVE;
		if (nd) {
			md->how = VENV_MOVE_NEWER;
			if ((error = venv_move_strf(&md->why, "'%s' has %s %s, which is kept",
						    m->new_site, nd->name, nd->version)) < 0)
				goto done;
		}
		/* Egg-info has no RECORD: its files go with the files nobody owns. */
		if (d->egg) {
			if (nd && (error = add_owned(&m->held, &m->nheld, &aheld, d->dir, i)) < 0)
				goto done;
			continue;
		}
		/* Its RECORD as the model read it. A read error stops the plan: a guess would move
		 * what it should not. */
		if (d->record_status == VENV_EIO) {
			error = venv_error_set(VENV_EIO, "%s: %s", d->dir, d->record_error);
			goto done;
		}
		if (d->record_status) {
			/* Without RECORD its files are not known: they are moved as they are. */
			if (nd && (error = add_owned(&m->held, &m->nheld, &aheld, d->dir, i)) < 0)
				goto done;
			continue;
		}
		for (j = 0; j < nrows && !compiled && !nd; j++)
			if (venv_dist_is_compiled_path(rows[j].path))
				compiled = rows[j].path;
		if (!nd)
			broken = known_broken(d, to->minor, &min);
		if (nd)
			;   /* decided: its files stay, and go with the old version */
		else if (d->purelib == 0)
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
		if (error < 0)
			goto done;
		if (md->why && !nd) {
			struct venv_specset set = VENV_SPECSET_INIT;

			if (broken && (error = venv_specset_parse(&set, min)) < 0)
				goto rows_done;
			if ((error = direct_wheel(&md->wheel, d, to->minor)) < 0 ||
			    (!md->wheel && (error = venv_localwheel_find(&md->wheel, &md->wversion, d->name,
							       broken ? NULL : d->version, &set,
							       to)) < 0) ||
			    (md->wheel && !md->wversion && !(md->wversion = strdup(d->version))))
				error = error < 0 ? error : venv_move__oom();
			venv_specset_release(&set);
			if (error < 0)
				goto rows_done;
			if (md->wheel)
				md->how = VENV_MOVE_WHEEL;
			else if (broken)
				md->how = VENV_MOVE_DROP;
			else if ((md->how = VENV_MOVE_PIP), (error = pip_req(md, d, to->minor)) < 0)
				goto rows_done;
		}
		if (md->why) {
			/* Its files stay where they are (and go with the old version). */
			for (j = 0; j < nrows && !error; j++) {
				const char *p = venv_move__site_path(rows[j].path);

				if (p)
					error = add_owned(&m->held, &m->nheld, &aheld, p, i);
			}
		}
		for (j = 0; j < nrows && !error; j++) {
			const char *p = venv_move__site_path(rows[j].path);

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
		if (error < 0)
			goto done;
	}
	if (m->nheld)
		qsort(m->held, m->nheld, sizeof(*m->held), cmp_owned);
	if (m->nowned)
		qsort(m->owned, m->nowned, sizeof(*m->owned), cmp_owned);
	m->need_pip = venv_move_count(m, VENV_MOVE_PIP) && !kept(m, "pip") &&
		      !venv_dists_find(&fresh, "pip");
	error = find_markers(m, old_version, to);
done:
	if (sfd >= 0)
		close(sfd);
	venv_dists_release(&fresh);
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
	case VENV_MOVE_NEWER:
		return vbuf_addf(out, "%s %s: not moved: %s; this copy goes with '%s' "
				 "(--archive keeps one)", d->name, d->version, md->why, m->old_lib);
	}
	return 0;
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
	venv_move__free_strs(m->pairs, m->npairs);
	venv_move__free_strs(m->stale, m->nstale);
	free(m->old_site);
	free(m->new_site);
	free(m->old_lib);
	free(m->new_lib);
	memset(m, 0, sizeof(*m));
}
