/*
 * Rules over the distributions installed in the active site-packages
 * (common/dist.h): RECORD present and readable, the files it lists present
 * with their sizes, one metadata directory per project, dependencies as
 * pip check judges them (common/pep508.h, never by running pip), .pth files
 * that run code and belong to no distribution, console scripts whose
 * module is gone, and what of the distributions' metadata could not be
 * read (VNV003: then the rest of what is said of them is incomplete).
 */
#include "compat.h"
#include "audit.h"
#include "ruleset.h"
#include "dist.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "pep440.h"
#include "pep508.h"
#include <dirent.h>
#include <pthread.h>

#define add(c, code, rel, ...) venv_check_add((c), (code), (rel), 0, NULL, NULL, __VA_ARGS__)

/* site-relative path p as an environment-relative path, or -1 when it leaves it. */
static int env_rel(struct vbuf *out, const struct venv_model *env, const char *site_rel,
		   const char *p)
{
	struct vbuf j = VBUF_INIT(VBUF_MAX_PATH);
	const char *rest;
	int error;

	if (p[0] == '/') {
		vbuf_release(&j);
		if (!(rest = venv_record_abs_rest(env, p)))
			return -1;
		if ((error = venv_path_normalize(out, rest)) < 0)
			return error;
		if (!strcmp(out->buf, "..") || !strncmp(out->buf, "../", 3) || out->buf[0] == '/')
			return -1;
		return 0;
	}
	if ((error = vbuf_addf(&j, "%s/%s", site_rel, p)) < 0 ||
	    (error = venv_path_normalize(out, j.buf)) < 0) {
		vbuf_release(&j);
		return error;
	}
	vbuf_release(&j);
	if (!strcmp(out->buf, "..") || !strncmp(out->buf, "../", 3) || out->buf[0] == '/')
		return -1;
	return 0;
}

static int is_pyc(const char *p)
{
	size_t n = strlen(p);

	return n > 4 && !strcmp(p + n - 4, ".pyc");
}

/*
 * The module a RECORD path names, when it is one Python imports from
 * site-packages (demo/__init__.py -> demo, demo/core.py -> demo.core,
 * demo/_speed.cpython-312-x86_64-linux-gnu.so -> demo._speed), into out;
 * 0 when it is not (data, scripts, metadata), 1 when it is, or an error.
 * Only a missing module breaks an import, which makes its absence an error.
 */
static int module_of(struct vbuf *out, const char *p)
{
	size_t n = strlen(p), i, end;
	const char *base = strrchr(p, '/');
	int error;

	base = base ? base + 1 : p;
	if (!strncmp(p, "../", 3) || strstr(p, ".dist-info/") || strstr(p, ".data/"))
		return 0;
	if (n > 3 && !strcmp(p + n - 3, ".py"))
		end = n - 3;
	else if (n > 3 && !strcmp(p + n - 3, ".so") && strchr(base, '.'))
		end = (size_t)(strchr(base, '.') - p);
	else
		return 0;
	vbuf_reset(out);
	for (i = 0; i < end; i++) {
		char ch = p[i] == '/' ? '.' : p[i];

		/* A module name is an identifier: demo-1/x.py is not importable. */
		if (!(ch == '.' || ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || (unsigned char)ch >= 0x80))
			return 0;
		if ((error = vbuf_addch(out, ch)) < 0)
			return error;
	}
	if (out->len >= 9 && !strcmp(out->buf + out->len - 9, ".__init__"))
		vbuf_setlen(out, out->len - 9);
	else if (!strcmp(out->buf, "__init__"))
		return 0;
	return out->len && out->buf[0] != '.';
}

/*
 * What the walk (rules_tree.c) saw of rel, a path below site-packages, as
 * much of a struct stat as the RECORD rules read: 1, or 0 when it did not
 * list it (then the file is looked at: a path through a link, say).
 */
static int listed_stat(struct venv_check_ctx *c, const char *site_rel, const char *rel,
		       struct stat *st)
{
	size_t n = strlen(site_rel);
	const struct venv_site_entry *se;

	if (strncmp(rel, site_rel, n) || rel[n] != '/' ||
	    !(se = venv_site_list_find(&c->site, rel + n + 1)))
		return 0;
	memset(st, 0, sizeof(*st));
	st->st_mode = se->mode;
	st->st_nlink = se->nlink;
	st->st_size = se->size;
	return 1;
}

static int check_record(struct venv_check_ctx *c, struct venv_audit *a, const struct venv_dist *d,
			const char *site_rel, int unread)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), drel = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf mod = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int error = 0;

	if ((error = vbuf_addf(&drel, "%s/%s", site_rel, d->dir)) < 0)
		goto done;
	if (d->record_status == VENV_ENOTFOUND) {
		error = add(c, VENV_DIAG_RECORD_MISSING, drel.buf, "%s has no RECORD", d->dir);
		goto done;
	}
	/* Unreadable: report_unread() says so, unless VNV003 is not asked for (--select VNV6). */
	if (d->record_status == VENV_EIO && unread)
		goto done;
	if (d->record_status) {
		error = add(c, VENV_DIAG_RECORD_UNPARSEABLE, drel.buf, "%s/RECORD: %s", d->dir,
			    d->record_error ? d->record_error : "cannot be read");
		goto done;
	}
	for (i = 0; i < d->nrecord && !error; i++) {
		const struct venv_record_row *row = &d->record[i];
		struct stat st;
		int r = env_rel(&rel, c->env, site_rel, row->path);

		if (r < 0) {
			if (r != -1) {
				error = r;
				break;
			}
			error = add(c, VENV_DIAG_RECORD_UNPARSEABLE, drel.buf, "%s/RECORD lists '%s', "
				    "which is outside the environment (not followed)", d->dir, row->path);
			continue;
		}
		/*
		 * Not through a link out of the environment (bin/ linked to
		 * /usr/bin): what is there is not this distribution's. A
		 * virtualenv --symlink-app-data one links into its app-data.
		 */
		if (!listed_stat(c, site_rel, rel.buf, &st) &&
		    (d->linked ? fstatat(c->env->root, rel.buf, &st, AT_SYMLINK_NOFOLLOW) :
		     venv_fs_lstat_beneath(c->env->root, rel.buf, &st)) < 0) {
			int err = errno;

			if ((error = venv_audit_own(a, d, rel.buf)) < 0)
				break;
			if (err == ELOOP || err == EXDEV) {
				error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel.buf, "'%s' of %s %s is "
					    "reached through a symbolic link out of the environment; "
					    "not followed", rel.buf, d->name, d->version);
				continue;
			}
			/* Unreadable (bin/ without permission) is not missing. */
			if (err != ENOENT && err != ENOTDIR) {
				error = venv_check_report_read(c, err == EACCES || err == EPERM ?
							       VENV_RD_DENIED : VENV_RD_IOERR, err,
							       rel.buf);
				continue;
			}
			/* Bytecode comes and goes with Python; some RECORDs list its directories. */
			if (is_pyc(row->path) || strstr(row->path, "__pycache__") || !strcmp(row->path + strlen(row->path) -
							  (strlen(row->path) >= 7 ? 7 : 0), "/RECORD"))
				continue;
			if ((error = module_of(&mod, row->path)) < 0)
				break;
			if (error)
				error = venv_check_add_sev(c, VENV_SEVERITY_ERROR,
							   VENV_DIAG_DIST_FILE_MISSING, rel.buf, 0, NULL,
							   NULL, "'%s' of %s %s is missing: its module "
							   "'%s' no longer works", rel.buf, d->name, d->version,
							   mod.buf);
			else
				error = add(c, VENV_DIAG_DIST_FILE_MISSING, rel.buf,
					    "'%s' of %s %s is missing", rel.buf, d->name,
					    d->version);
			continue;
		}
		/*
		 * A file RECORD lists (a hash or a size) that is now a directory,
		 * or a link (a module led out of the environment runs from there):
		 * what lstat shows, found without --verify-hashes (which says the
		 * same of a link). A FIFO or device is the walk's (VNV004).
		 */
		if ((row->size[0] || row->hash[0]) && S_ISDIR(st.st_mode)) {
			error = add(c, VENV_DIAG_DIST_FILE_SIZE, rel.buf, "'%s' of %s %s is a directory, "
				    "RECORD lists a file", rel.buf, d->name, d->version);
			if (!error)
				error = venv_audit_own(a, d, rel.buf);
			continue;
		}
		if ((row->size[0] || row->hash[0]) && S_ISLNK(st.st_mode) && !d->linked &&
		    !(c->opts->flags & VENV_CHECK_VERIFY_HASHES) &&
		    (error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel.buf, "'%s' of %s %s is a symbolic "
				 "link; not followed, its sha256 not verified", rel.buf, d->name,
				 d->version)) < 0)
			break;
		if (row->size[0] && S_ISREG(st.st_mode)) {
			char *end;
			unsigned long long want;

			errno = 0;
			want = strtoull(row->size, &end, 10);
			if (errno || *end || row->size[0] == '-') {
				error = add(c, VENV_DIAG_RECORD_UNPARSEABLE, drel.buf, "%s/RECORD gives '%s' "
					    "the size '%s'", d->dir, row->path, row->size);
			} else if ((unsigned long long)st.st_size != want) {
				error = add(c, VENV_DIAG_DIST_FILE_SIZE, rel.buf, "'%s' of %s %s has %lld "
					    "bytes, RECORD says %llu", rel.buf, d->name, d->version,
					    (long long)st.st_size, want);
				if (!error)
					error = venv_audit_own(a, d, rel.buf);
				continue;
			}
		}
		if (!error)
			error = venv_audit_row(c, a, d, row, rel.buf, &st);
	}
done:
	vbuf_release(&rel);
	vbuf_release(&drel);
	vbuf_release(&mod);
	return error;
}

/*
 * A METADATA (PKG-INFO) that is there but cannot be used: over its cap, not
 * a regular file, without Name or Version. pip skips such a distribution
 * (or, over the cap, reads what check will not), so its name and version
 * here are the directory's. Missing is RECORD's to say (VNV603, VNV601),
 * unreadable report_unread()'s (VNV003).
 */
static int check_metadata(struct venv_check_ctx *c, const struct venv_dists *ds,
			  const struct venv_dist *d, const char *site_rel)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	const char *file = d->egg ? "PKG-INFO" : "METADATA";
	struct stat st;
	size_t i, n = strlen(d->dir);
	int error;

	for (i = 0; i < ds->nunread; i++)
		if (!strncmp(ds->unread[i].rel, d->dir, n) && ds->unread[i].rel[n] == '/' &&
		    !strcmp(ds->unread[i].rel + n + 1, file))
			return 0;
	if ((error = vbuf_addf(&rel, "%s/%s/%s", site_rel, d->dir, file)) < 0)
		goto done;
	if (fstatat(c->env->root, rel.buf, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		goto done;
	error = add(c, VENV_DIAG_UNPARSEABLE_FILE, rel.buf, "the metadata of %s cannot be used: "
		    "%s (its name and version here are the directory's)", d->dir, d->metadata_error);
done:
	vbuf_release(&rel);
	return error;
}

/*
 * The metadata directories of site-packages that the reader left out as
 * links out of the environment (common/dist.h) but that lead to a
 * directory, which Python and pip follow: their projects are installed;
 * or to nothing, or loop: their projects are broken.
 * Each is reported (VNV007) when `report`, and its project's PEP 503 name
 * is added to `names`, NUL-terminated, for check_deps.
 */
static int left_out_links(struct venv_check_ctx *c, const struct venv_dists *ds,
			  const char *site_rel, int report, struct vbuf *names)
{
	struct vbuf stem_of = VBUF_INIT(VBUF_MAX_LINE), canon = VBUF_INIT(VBUF_MAX_LINE);
	struct stat st;
	size_t i;
	int error = 0;

	for (i = 0; i < ds->noutside && !error; i++) {
		const char *name = ds->outside[i], *dash;
		size_t n = strlen(name);
		size_t stem = n - (n > 10 && !strcmp(name + n - 10, ".dist-info") ? 10 : 9);

		dash = memchr(name, '-', stem);
		vbuf_reset(&stem_of);
		if ((error = vbuf_add(&stem_of, name, dash ? (size_t)(dash - name) : stem)) < 0 ||
		    (error = venv_name_canonicalize(&canon, stem_of.buf)) < 0 ||
		    (error = vbuf_add(names, canon.buf, canon.len + 1)) < 0)
			break;
		vbuf_reset(&stem_of);
		if (!report || (error = vbuf_addf(&stem_of, "%s/%s", site_rel, name)) < 0)
			continue;
		/* One to nothing (an app-data cleared) or a loop: what it stands for fails to import. */
		if (fstatat(c->env->root, stem_of.buf, &st, 0) < 0 && (errno == ENOENT || errno == ELOOP))
			error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, stem_of.buf, "'%s' is a symbolic "
				    "link to nothing: the distribution it stands for is not there",
				    stem_of.buf);
		else
			error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, stem_of.buf, "'%s' is a symbolic "
				    "link out of the environment; not followed, the distribution it "
				    "stands for not inspected", stem_of.buf);
	}
	vbuf_release(&stem_of);
	vbuf_release(&canon);
	return error;
}

/* Whether the PEP 503 name is one of `names` (left_out_links). */
static int left_out(const struct vbuf *names, const char *canon)
{
	size_t at;

	for (at = 0; at < names->len; at += strlen(names->buf + at) + 1)
		if (!strcmp(names->buf + at, canon))
			return 1;
	return 0;
}

/* A distribution a requirement can name: its PEP 503 name and its place in the list. */
struct dep_name {
	char *canon;
	size_t i;
};

static int cmp_dep_name(const void *a, const void *b)
{
	const struct dep_name *x = a, *y = b;
	int d = strcmp(x->canon, y->canon);

	return d ? d : x->i < y->i ? -1 : x->i > y->i;
}

static void dep_names_release(struct dep_name *v, size_t n)
{
	while (n)
		free(v[--n].canon);
	free(v);
}

/*
 * The distributions a requirement can name, sorted by name (then by place,
 * so that the first of a name wins, as pip's lookup does): a requirement
 * is found in log n, not by naming every distribution again (a
 * site-packages of 20,000 distributions took a minute).
 */
static int dep_names(const struct venv_dists *ds, struct dep_name **out, size_t *nout)
{
	struct vbuf dc = VBUF_INIT(VBUF_MAX_LINE);
	struct dep_name *v = calloc(ds->nr ? ds->nr : 1, sizeof(*v));
	size_t i, n = 0;

	if (!v)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (i = 0; i < ds->nr; i++) {
		if (ds->v[i].egg || !ds->v[i].dir_version ||
		    venv_name_canonicalize(&dc, ds->v[i].dir_name) < 0) {
			venv_error_clear();
			continue;
		}
		if (!(v[n].canon = strdup(dc.buf))) {
			vbuf_release(&dc);
			dep_names_release(v, n);
			return venv_error_set(VENV_ENOMEM, "out of memory");
		}
		v[n++].i = i;
	}
	vbuf_release(&dc);
	qsort(v, n, sizeof(*v), cmp_dep_name);
	*out = v;
	*nout = n;
	return 0;
}

/*
 * Index of the first element >= key of the n sorted elements of size bytes
 * at base, each starting with its string (a char *).
 */
static size_t lower_bound_str(const void *base, size_t n, size_t size, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(*(const char *const *)((const char *)base + mid * size), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first distribution named canon, or NULL. */
static const struct venv_dist *find_dep(const struct venv_dists *ds, const struct dep_name *v,
					size_t n, const char *canon)
{
	size_t at = lower_bound_str(v, n, sizeof(*v), canon);

	return at < n && !strcmp(v[at].canon, canon) ? &ds->v[v[at].i] : NULL;
}

/* pip check, statically: what pip prints, one finding per line. */
static int check_deps(struct venv_check_ctx *c, const struct venv_dists *ds, const char *site_rel,
		      const struct vbuf *linked)
{
	struct venv_marker_env menv;
	struct vbuf vs = VBUF_INIT(VBUF_MAX_LINE), dvs = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf canon = VBUF_INIT(VBUF_MAX_LINE), req = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	struct dep_name *names = NULL;
	size_t i, k, nnames = 0;
	int error;

	if ((error = dep_names(ds, &names, &nnames)) < 0)
		return error;
	venv_marker_env_init(&menv, c->env->env_full[0] ? c->env->env_full : c->env->active_ver);
	for (i = 0; i < ds->nr && !error; i++) {
		const struct venv_dist *d = &ds->v[i];
		struct venv_pep440 v;

		/* pip takes the version from the directory's name (first "-"). */
		if (d->egg || !d->dir_version || venv_pep440_parse(&v, d->dir_version) < 0 ||
		    venv_pep440_str(&vs, &v) < 0 || venv_name_canonicalize(&canon, d->dir_name) < 0) {
			venv_error_clear();
			continue;
		}
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s/METADATA", site_rel, d->dir)) < 0)
			break;
		for (k = 0; k < d->nrequires && !error; k++) {
			struct venv_requirement r;
			const struct venv_dist *dep;
			struct venv_pep440 dv;
			int applies;

			if (venv_requirement_parse(&r, d->requires[k]) < 0) {
				venv_error_clear();
				continue;
			}
			applies = venv_requirement_applies(&r, &menv);
			venv_error_clear();
			if (applies != 1 || venv_name_canonicalize(&req, r.name) < 0) {
				venv_requirement_release(&r);
				continue;
			}
			dep = find_dep(ds, names, nnames, req.buf);
			if (!dep) {
				/* Installed behind a link check does not follow: not known to be missing. */
				if (!left_out(linked, req.buf))
					error = add(c, VENV_DIAG_DEPENDENCY_MISSING, rel.buf,
						    "%s %s requires %s, which is not installed.",
						    canon.buf, vs.buf, req.buf);
			} else if (venv_pep440_parse(&dv, dep->dir_version) == 0 &&
				   !venv_specset_contains(&r.spec, &dv)) {
				struct vbuf rs = VBUF_INIT(VBUF_MAX_LINE);

				if (venv_requirement_str(&rs, &r) == 0 && venv_pep440_str(&dvs, &dv) == 0)
					error = add(c, VENV_DIAG_DEPENDENCY_CONFLICT, rel.buf,
						    "%s %s has requirement %s, but you have %s %s.",
						    canon.buf, vs.buf, rs.buf, req.buf, dvs.buf);
				vbuf_release(&rs);
			}
			venv_error_clear();
			venv_requirement_release(&r);
		}
	}
	dep_names_release(names, nnames);
	vbuf_release(&vs);
	vbuf_release(&dvs);
	vbuf_release(&canon);
	vbuf_release(&req);
	vbuf_release(&rel);
	return error;
}

static int owned(const struct venv_dists *ds, const char *site_path)
{
	size_t i, k;

	for (i = 0; i < ds->nr; i++)
		for (k = 0; k < ds->v[i].nrecord; k++)
			if (!strcmp(ds->v[i].record[k].path, site_path))
				return 1;
	return 0;
}

/* .pth files with a line site.py executes, and no owner. */
static int check_pth(struct venv_check_ctx *c, const struct venv_dists *ds, const char *site_rel)
{
	struct vbuf text = VBUF_INIT((size_t)1024 * 1024), rel = VBUF_INIT(VBUF_MAX_PATH);
	DIR *d;
	struct dirent *de;
	struct stat hook_st;
	int sfd, error = 0;

	sfd = openat(c->env->root, site_rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return 0;
	if (!(d = fdopendir(sfd))) {
		close(sfd);
		return 0;
	}
	while ((de = readdir(d)) && !error) {
		size_t n = strlen(de->d_name), pos = 0;
		int runs = 0;

		if (n < 5 || strcmp(de->d_name + n - 4, ".pth"))
			continue;
		vbuf_reset(&text);
		if (venv_fs_read_file_at(&text, dirfd(d), de->d_name, (size_t)1024 * 1024) < 0) {
			venv_error_clear();
			continue;
		}
		while (pos < text.len && !runs) {
			const char *l = text.buf + pos;

			runs = !strncmp(l, "import ", 7) || !strncmp(l, "import\t", 7);
			l = memchr(l, '\n', text.len - pos);
			pos = l ? (size_t)(l - text.buf) + 1 : text.len;
		}
		if (!runs || owned(ds, de->d_name))
			continue;
		/*
		 * The creator's own hook: virtualenv and uv write _virtualenv.pth
		 * beside _virtualenv.py. A pyvenv.cfg rebuilt by repair no longer
		 * names virtualenv, so the pair itself is the evidence then (not in
		 * an environment whose pyvenv.cfg says python -m venv made it).
		 */
		if (!strcmp(de->d_name, "_virtualenv.pth") && !strncmp(text.buf, "import _virtualenv", 18) &&
		    (c->env->creator == VENV_CREATOR_VIRTUALENV || c->env->creator == VENV_CREATOR_UV ||
		     (c->env->creator != VENV_CREATOR_VENV && !venv_cfg_get_last(&c->env->cfg, "command") &&
		      fstatat(dirfd(d), "_virtualenv.py", &hook_st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISREG(hook_st.st_mode))))
			continue;
		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s", site_rel, de->d_name)) == 0)
			error = add(c, VENV_DIAG_UNOWNED_EXECUTABLE_PTH, rel.buf, "'%s' runs code at "
				    "every start-up and no distribution's RECORD lists it", rel.buf);
	}
	closedir(d);
	vbuf_release(&text);
	vbuf_release(&rel);
	return error;
}

/* Is module a.b importable from site-packages (a/b.py, a/b/, a/b.*.so)? */
static int module_exists(int root, const char *site_rel, const char *module)
{
	struct vbuf p = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	const char *s;
	int found = 0;
	size_t base;
	DIR *d;
	int fd;

	if (vbuf_addf(&p, "%s/", site_rel) < 0)
		goto done;
	for (s = module; *s; s++)
		if (vbuf_addch(&p, *s == '.' ? '/' : *s) < 0)
			goto done;
	base = p.len;
	if (fstatat(root, p.buf, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
		found = 1;
		goto done;
	}
	if (vbuf_adds(&p, ".py") == 0 && fstatat(root, p.buf, &st, 0) == 0) {
		found = 1;
		goto done;
	}
	/* An extension module: NAME.<tag>.so in the parent directory. */
	vbuf_setlen(&p, base);
	{
		char *slash = strrchr(p.buf, '/');
		const char *name = slash + 1;
		size_t nl = strlen(name);

		*slash = '\0';
		if ((fd = openat(root, p.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
		    (d = fdopendir(fd))) {
			struct dirent *de;

			while ((de = readdir(d)) && !found)
				found = !strncmp(de->d_name, name, nl) && de->d_name[nl] == '.' &&
					venv_dist_is_compiled_path(de->d_name);
			closedir(d);
		} else if (fd >= 0) {
			close(fd);
		}
	}
done:
	vbuf_release(&p);
	return found;
}

/*
 * VNV609's fix: a seed distribution reinstalled at its version (what
 * repair/fix_seed.c needs: the name and version); NULL for any other,
 * which venv repair declines.
 */
static const char *seed_fix(char *out, size_t size, const struct venv_dist *d)
{
	if (!d->name || !d->version || !venv_dist_is_seed(d->canon) ||
	    snprintf(out, size, "reinstall %s %s from a local wheel, as venv create installs it",
		     d->name, d->version) >= (int)size)
		return NULL;
	return out;
}

static int check_entry_points(struct venv_check_ctx *c, const struct venv_dist *d, const char *site_rel)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	char buf[300];
	const char *fix = seed_fix(buf, sizeof(buf), d);
	size_t i;
	int error = 0;

	if (d->editable)
		return 0;   /* its modules live in the source tree */
	if ((error = vbuf_addf(&rel, "%s/%s/entry_points.txt", site_rel, d->dir)) < 0)
		goto done;
	/* Too big to read: its console scripts cannot be checked, which is said. */
	if (d->entry_points_error &&
	    (error = add(c, VENV_DIAG_FILE_TOO_LARGE, rel.buf, "the entry points of %s %s cannot "
			 "be read: %s; its console scripts not checked", d->name, d->version,
			 d->entry_points_error)) < 0)
		goto done;
	for (i = 0; i < d->nentries && !error; i++) {
		/* What a reinstall needs: which distribution, at which version (inspect.h). */
		struct venv_finding_data fd = { (char *)d->entries[i].module, (char *)d->version,
						NULL, NULL, (char *)d->name, 0 };

		if (!module_exists(c->env->root, site_rel, d->entries[i].module))
			error = venv_check_add(c, VENV_DIAG_ENTRY_POINT_MODULE_MISSING, rel.buf, 0,
					       fix, &fd, "bin/%s of %s %s runs module '%s', which "
					       "is not in site-packages", d->entries[i].name, d->name,
					       d->version, d->entries[i].module);
	}
	/*
	 * A seed distribution without console scripts (setuptools, which venv
	 * create installs up to 3.11): its .dist-info remains, its package is
	 * gone, and what imports it (pip's builds, pkg_resources) fails.
	 */
	if (!error && !d->nentries && venv_dist_is_seed(d->canon) &&
	    !module_exists(c->env->root, site_rel, d->canon)) {
		struct venv_finding_data fd = { (char *)d->canon, (char *)d->version, NULL, NULL,
						(char *)d->name, 0 };

		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s/%s/METADATA", site_rel, d->dir)) == 0)
			error = venv_check_add(c, VENV_DIAG_ENTRY_POINT_MODULE_MISSING, rel.buf, 0,
					       fix, &fd, "%s %s is installed but its package '%s' "
					       "is not in site-packages", d->name, d->version, d->canon);
	}
done:
	vbuf_release(&rel);
	return error;
}

/*
 * VNV416: after a move, a direct_url.json whose file:// URL names a path
 * that is gone, under a place the environment moved from (the .pth rules'
 * mapping, rules_tree.c): pip freeze prints it ("-e /old/proj") and venv
 * list shows it. A fix only where that path exists under the new
 * location, which repair (fix_scripts.c) writes from the finding's want.
 */
static int check_direct_url(struct venv_check_ctx *c, const struct venv_dist *d,
			    const char *site_rel)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf oldp = VBUF_INIT(VBUF_MAX_PATH), newp = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), fix = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_finding_data fd;
	struct stat st;
	int error = 0, there, below;

	/* A VCS URL is "git+file://...@commit" here: not a plain file URL, left alone. */
	if (d->egg || !d->url || venv_dist_file_url(&path, d->url) < 0) {
		venv_error_clear();
		goto done;
	}
	if (stat(path.buf, &st) == 0 || (errno != ENOENT && errno != ENOTDIR) ||
	    !venv_rules_moved_path(c->env, path.buf, &want, &oldp, &newp))
		goto done;
	there = stat(want.buf, &st) == 0;
	if ((error = vbuf_addf(&rel, "%s/%s/direct_url.json", site_rel, d->dir)) < 0 ||
	    (there && (error = vbuf_addf(&fix, "rewrite the url to '%s'", want.buf)) < 0))
		goto done;
	/* The path is the old location itself, or below it (VNV416's wording). */
	below = strcmp(path.buf, oldp.buf) != 0;
	memset(&fd, 0, sizeof(fd));
	fd.found = path.buf;
	fd.want = there ? want.buf : NULL;
	fd.old_prefix = oldp.buf;
	fd.new_prefix = newp.buf;
	fd.name = d->name;
	error = venv_check_add(c, VENV_DIAG_DIRECT_URL_OLD_LOCATION, rel.buf, 0,
			       there ? fix.buf : NULL, &fd, "%s %s %s '%s', which does not exist "
			       "(%s%s%s); pip freeze and venv list show that path", d->name,
			       d->version, d->editable ? "is an editable install of" :
			       "was installed from", path.buf,
			       below ? "it is under the old location '" : "the old location itself",
			       below ? oldp.buf : "", below ? "'" : "");
done:
	vbuf_release(&path);
	vbuf_release(&want);
	vbuf_release(&oldp);
	vbuf_release(&newp);
	vbuf_release(&rel);
	vbuf_release(&fix);
	return error;
}

/* What reading every RECORD row (check_record and the audit) can find. */
static const int record_codes[] = {
	VENV_DIAG_RECORD_MISSING, VENV_DIAG_RECORD_UNPARSEABLE, VENV_DIAG_DIST_FILE_MISSING,
	VENV_DIAG_DIST_FILE_SIZE, VENV_DIAG_UNOWNED_FILES, VENV_DIAG_CUSTOMIZE_MODULE,
	VENV_DIAG_SHARED_HARD_LINKS, 0
};
/*
 * What only reading the files (--verify-hashes) can find besides: without
 * it, asking for these alone (as repair's first look before an upgrade
 * does: VNV003) needs no RECORD.
 */
static const int hash_read_codes[] = {
	VENV_DIAG_LINK_NOT_FOLLOWED, VENV_DIAG_UNREADABLE_FILE, VENV_DIAG_SPECIAL_FILE,
	VENV_DIAG_FILE_TOO_LARGE, VENV_DIAG_CANNOT_INSPECT, 0
};
static const int dup_codes[] = { VENV_DIAG_DUPLICATE_DIST_INFO, 0 };
static const int dep_codes[] = { VENV_DIAG_DEPENDENCY_MISSING, VENV_DIAG_DEPENDENCY_CONFLICT, 0 };
static const int pth_codes[] = { VENV_DIAG_UNOWNED_EXECUTABLE_PTH, 0 };
/* VNV415 (rules_scripts.c) needs the console scripts: entry points and RECORD. */
static const int entry_codes[] = {
	VENV_DIAG_ENTRY_POINT_MODULE_MISSING, VENV_DIAG_FILE_TOO_LARGE,
	VENV_DIAG_SCRIPT_NOT_EXECUTABLE, 0
};
static const int unread_codes[] = { VENV_DIAG_UNREADABLE_FILE, 0 };
static const int meta_codes[] = { VENV_DIAG_UNPARSEABLE_FILE, 0 };
static const int link_codes[] = { VENV_DIAG_LINK_NOT_FOLLOWED, 0 };
static const int url_codes[] = { VENV_DIAG_DIRECT_URL_OLD_LOCATION, 0 };

/* What the rules of this file are asked for, in c. */
struct wants {
	int records, entries, dups, deps, pths, unread, meta, links, urls;
};

static int wants_of(const struct venv_check_ctx *c, struct wants *w)
{
	w->records = venv_check_wants_any(c, record_codes) ||
		((c->opts->flags & VENV_CHECK_VERIFY_HASHES) && venv_check_wants_any(c, hash_read_codes));
	w->entries = venv_check_wants_any(c, entry_codes);
	w->dups = venv_check_wants_any(c, dup_codes);
	w->deps = venv_check_wants_any(c, dep_codes);
	w->pths = venv_check_wants_any(c, pth_codes);
	/* Repair's first look asks for VNV003 alone: nothing is fixed on a half-read distribution. */
	w->unread = venv_check_wants_any(c, unread_codes);
	w->meta = venv_check_wants_any(c, meta_codes);
	w->links = venv_check_wants_any(c, link_codes);
	/* Only a moved environment's direct_url.json can name where it was. */
	w->urls = c->env->nold && venv_check_wants_any(c, url_codes);
	return w->records || w->entries || w->dups || w->deps || w->pths || w->unread || w->meta ||
	       w->links || w->urls;
}

/*
 * The active site-packages, relative and absolute: 1, or 0 when its
 * distributions are not read. They are read through the model's handle of
 * the environment (venv_dists_read_at()), never by the absolute path, which
 * names it in messages (and in keep_site).
 */
static int site_of(const struct venv_check_ctx *c, struct vbuf *site_rel, struct vbuf *site)
{
	const struct venv_model *e = c->env;
	const struct venv_model_libdir *lib;
	int error;

	if (e->unfinished || !e->active_ver[0] || !(lib = venv_model_find_lib(e, e->active_ver)) ||
	    !lib->has_site || lib->site_link || !e->abs)
		return 0;
	/* lib/pypyX.Y for PyPy: the directory the model found. */
	if ((error = vbuf_addf(site_rel, "lib/%s/site-packages", lib->name)) < 0 ||
	    (error = vbuf_addf(site, "%s/%s", e->abs, site_rel->buf)) < 0)
		return error;
	return 1;
}

static unsigned dists_flags(const struct wants *w)
{
	/* Dependencies and duplicates alone need no RECORD (pth: who owns each .pth). */
	return VENV_DISTS_ALL | VENV_DISTS_PARTIAL |
	       (w->records || w->entries || w->pths || w->unread ? 0 : VENV_DISTS_METADATA_ONLY) |
	       (w->urls ? VENV_DISTS_EDITABLES : 0);
}

/*
 * What the distributions' reader could not read, as the walk (rules_tree.c)
 * reports what it could not open: once per path, when neither the walk nor
 * --verify-hashes has said it already.
 */
static int report_unread(struct venv_check_ctx *c, const struct venv_dists *ds,
			 const char *site_rel)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, k;
	int error = 0;

	for (i = 0; i < ds->nunread && !error; i++) {
		const struct venv_dist_unread *u = &ds->unread[i];

		vbuf_reset(&rel);
		if ((error = vbuf_addf(&rel, "%s%s%s", site_rel, u->rel[0] ? "/" : "", u->rel)) < 0)
			break;
		for (k = 0; k < c->r->nr; k++)
			if (c->r->findings[k].code == VENV_DIAG_UNREADABLE_FILE &&
			    c->r->findings[k].relpath && !strcmp(c->r->findings[k].relpath, rel.buf))
				break;
		if (k == c->r->nr)
			error = add(c, VENV_DIAG_UNREADABLE_FILE, rel.buf, "cannot %s '%s': %s", u->op,
				    rel.buf, venv_dist_unread_why(u));
	}
	vbuf_release(&rel);
	return error;
}

/*
 * On the reader thread (see audit.h): the distributions, and the table of
 * the files their RECORDs give a sha256. < 0 when there is none: only
 * VENV_ENOMEM counts, anything else is rules_dists.c's to meet again when
 * it reads them itself.
 */
static int early_fill(struct venv_audit_early *e)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH);
	size_t i, k, rows = 0;
	int error;

	if ((error = venv_dists_read_at(&e->ds, e->env->root, e->site_rel, e->site,
					e->dists_flags)) < 0)
		goto done;
	for (i = 0; i < e->ds.nr; i++)
		rows += e->ds.v[i].nrecord;
	if ((error = venv_audit_early_alloc(e, rows)) < 0)
		goto done;
	for (i = 0, rows = 0; i < e->ds.nr && !error; i++) {
		const struct venv_dist *d = &e->ds.v[i];

		e->first_row[i] = rows;
		rows += d->nrecord;
		for (k = 0; !d->egg && !d->record_status && k < d->nrecord && !error; k++) {
			const struct venv_record_row *row = &d->record[k];
			unsigned char digest[VENV_SHA256_LEN];
			int r;

			/*
			 * Only a digest that can be compared: the file of one that cannot
			 * (venv_audit_row says what is wrong, VNV602) is not verified, so
			 * reading it whole would be for nothing.
			 */
			if (venv_filehash_parse_record(digest, row->hash) < 0) {
				venv_error_clear();
				continue;
			}
			if ((r = env_rel(&rel, e->env, e->site_rel, row->path)) == 0) {
				char *end;
				unsigned long long size;

				errno = 0;
				size = strtoull(row->size, &end, 10);
				/* Not a size check_record takes: none (it says what is wrong). */
				if (!row->size[0] || *end || errno || row->size[0] == '-' ||
				    size >= ((unsigned long long)1 << 62))
					size = (unsigned long long)-1;
				/* What RECORD says: how many threads are worth it, and what to hash. */
				e->total += size < ((unsigned long long)1 << 40) ? (off_t)size : 0;
				error = venv_audit_early_add(e, e->first_row[i] + k, rel.buf,
							     size == (unsigned long long)-1 ? -1 :
							     (off_t)size);
			} else if (r != -1) {
				error = r;
			}
		}
	}
done:
	vbuf_release(&rel);
	return error;
}

int venv_audit_early_start(struct venv_check_ctx *c)
{
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH), site_rel = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_audit_early *e = NULL;
	struct wants w;
	int error = 0;

	/* On one thread there is no other to hash while the rules run. */
	if (!(c->opts->flags & VENV_CHECK_VERIFY_HASHES) || c->opts->hash_jobs < 2 ||
	    !wants_of(c, &w) || !w.records || (error = site_of(c, &site_rel, &site)) <= 0)
		goto done;
	if (!(e = calloc(1, sizeof(*e))) || !(e->site = vbuf_detach(&site, NULL)) ||
	    !(e->site_rel = vbuf_detach(&site_rel, NULL))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	e->fill = early_fill;
	e->env = c->env;
	e->dists_flags = dists_flags(&w);
	e->jobs = c->opts->hash_jobs;
	error = venv_audit_early_spawn(c, e);
	e = NULL;
done:
	if (e) {
		free(e->site);
		free(e->site_rel);
		free(e);
	}
	if (error != VENV_ENOMEM)
		venv_error_clear();
	vbuf_release(&site);
	vbuf_release(&site_rel);
	return error == VENV_ENOMEM ? error : 0;
}

/* Whether distributions read with `have` hold what a read with `want` would. */
static int dists_cover(unsigned have, unsigned want)
{
	if (!(have & VENV_DISTS_METADATA_ONLY))
		return 1;
	return (want & VENV_DISTS_METADATA_ONLY) &&
	       (!(want & VENV_DISTS_EDITABLES) || (have & VENV_DISTS_EDITABLES));
}

/*
 * The distributions read on a thread of their own while the other rules
 * run (see venv_check_dists_prefetch): what that read needs, and what it
 * gave. Reading them is a system call or more per file of each
 * .dist-info; the walk of rules_tree.c is one per entry of the tree, and
 * neither needs the other.
 */
struct venv_dists_prefetch {
	pthread_t thread;
	int root;                  /* the model's handle of the environment */
	char *site_rel, *site;     /* as site_of() makes them */
	unsigned flags;
	struct venv_dists ds;
	int error;
	char message[1024];        /* venv_error_last() of the thread, when error < 0 */
};

static void *prefetch_main(void *arg)
{
	struct venv_dists_prefetch *p = arg;

	p->error = venv_dists_read_at(&p->ds, p->root, p->site_rel, p->site, p->flags);
	if (p->error < 0)
		snprintf(p->message, sizeof(p->message), "%s", venv_error_last());
	return NULL;
}

static void prefetch_free(struct venv_dists_prefetch *p)
{
	venv_dists_release(&p->ds);
	free(p->site_rel);
	free(p->site);
	free(p);
}

int venv_check_dists_prefetch(struct venv_check_ctx *c)
{
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH), site_rel = VBUF_INIT(VBUF_MAX_PATH);
	struct venv_dists_prefetch *p = NULL;
	struct wants w;
	int error = 0;

	/* The early reader (--verify-hashes) reads them already; nothing asks: not read. */
	if (c->early || c->prefetch || c->dists_state || !wants_of(c, &w) ||
	    (error = site_of(c, &site_rel, &site)) <= 0) {
		error = error < 0 ? error : 0;
		goto done;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	p->root = c->env->root;
	p->flags = dists_flags(&w);
	p->ds = (struct venv_dists)VENV_DISTS_INIT;
	if (!(p->site_rel = strdup(site_rel.buf)) || !(p->site = strdup(site.buf))) {
		prefetch_free(p);
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	/* Without a thread (none left to start), venv_check_dists() reads them as before. */
	if (pthread_create(&p->thread, NULL, prefetch_main, p) != 0) {
		prefetch_free(p);
		error = 0;
		goto done;
	}
	c->prefetch = p;
	error = 0;
done:
	vbuf_release(&site);
	vbuf_release(&site_rel);
	return error;
}

/* Wait for the thread; its distributions become c's unless discard. < 0: out of memory. */
int venv_check_dists_prefetch_join(struct venv_check_ctx *c, int discard)
{
	struct venv_dists_prefetch *p = c->prefetch;
	int error = 0;

	if (!p)
		return 0;
	pthread_join(p->thread, NULL);
	c->prefetch = NULL;
	if (discard) {
		prefetch_free(p);
		return 0;
	}
	if (p->error == VENV_ENOMEM) {
		error = venv_error_set(VENV_ENOMEM, "%s", p->message);
	} else if (p->error < 0) {
		/* As venv_check_dists() reports its own read's failure: once, as VNV003. */
		c->dists_state = -1;
		if ((error = add(c, VENV_DIAG_UNREADABLE_FILE, p->site_rel, "cannot read the "
				 "distributions of '%s': %s", p->site_rel, p->message)) == 0)
			venv_error_clear();
	} else {
		venv_dists_release(&c->dists);
		c->dists = p->ds;
		p->ds = (struct venv_dists)VENV_DISTS_INIT;
		c->dists_state = 1;
		c->dists_flags = p->flags;
	}
	prefetch_free(p);
	return error;
}

int venv_check_dists(struct venv_check_ctx *c, unsigned need, const struct venv_dists **out)
{
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH), site_rel = VBUF_INIT(VBUF_MAX_PATH);
	struct wants w;
	unsigned flags;
	int error = 0;

	*out = NULL;
	/* The reader's, when it read them (it may still be at it): with every file. */
	if (c->early && (error = venv_audit_early_wait(c)) < 0)
		return error;
	if (c->early) {
		*out = &c->early->ds;
		return 1;
	}
	if ((error = venv_check_dists_prefetch_join(c, 0)) < 0)
		return error;
	(void)wants_of(c, &w);
	flags = dists_flags(&w) | need;
	/* Once; again only for a caller that needs what an earlier one did without. */
	if (c->dists_state > 0 && dists_cover(c->dists_flags, flags)) {
		*out = &c->dists;
		return 1;
	}
	if (c->dists_state < 0)
		return 0;
	venv_dists_release(&c->dists);
	c->dists_state = -1;
	if ((error = site_of(c, &site_rel, &site)) <= 0)
		goto done;
	if ((error = venv_dists_read_at(&c->dists, c->env->root, site_rel.buf, site.buf,
				       flags)) < 0) {
		/* What VENV_DISTS_PARTIAL does not keep (a path over its cap): never silence. */
		if (error != VENV_ENOMEM &&
		    (error = add(c, VENV_DIAG_UNREADABLE_FILE, site_rel.buf, "cannot read the "
				 "distributions of '%s': %s", site_rel.buf, venv_error_last())) == 0)
			venv_error_clear();
		goto done;
	}
	c->dists_state = 1;
	c->dists_flags = flags;
	*out = &c->dists;
done:
	vbuf_release(&site);
	vbuf_release(&site_rel);
	/* 1 exactly when *out is set. */
	return *out ? 1 : error < 0 ? error : 0;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether canon is in sorted more than once. */
static int has_twin(const char **sorted, size_t n, const char *canon)
{
	size_t at = lower_bound_str(sorted, n, sizeof(*sorted), canon);

	return at + 1 < n && !strcmp(sorted[at + 1], canon);
}

int venv_rules_dists(struct venv_check_ctx *c)
{
	struct vbuf site_rel = VBUF_INIT(VBUF_MAX_PATH), site = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf linked = VBUF_INIT(VBUF_MAX_REPORT);
	const struct venv_dists *dsp;
	struct venv_audit audit;
	struct wants w;
	const char **canons = NULL;
	size_t i;
	int error = 0, r;

	/* Nothing asked for here: the distributions are not even read. */
	if (!wants_of(c, &w))
		return 0;
	venv_audit_init(&audit, c);
	if ((r = site_of(c, &site_rel, &site)) <= 0 ||
	    (r = venv_check_dists(c, 0, &dsp)) <= 0) {
		error = r;
		goto done;
	}
	if (w.records && (error = venv_audit_reserve(c, &audit, dsp)) < 0)
		goto done;
	/* The names sorted: only a name found twice is compared with the others (n log n). */
	if (w.dups) {
		if (!(canons = calloc(dsp->nr ? dsp->nr : 1, sizeof(*canons)))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		for (i = 0; i < dsp->nr; i++)
			canons[i] = dsp->v[i].canon;
		qsort(canons, dsp->nr, sizeof(*canons), cmp_str_ptr);
	}
	for (i = 0; i < dsp->nr && !error; i++) {
		const struct venv_dist *d = &dsp->v[i];
		int twin = w.dups && has_twin(canons, dsp->nr, d->canon);
		size_t j;

		for (j = 0; twin && j < i && !error; j++)
			if (!strcmp(d->canon, dsp->v[j].canon))
				error = add(c, VENV_DIAG_DUPLICATE_DIST_INFO, site_rel.buf, "%s and %s are "
					    "both metadata of project '%s'", dsp->v[j].dir, d->dir, d->canon);
		if (error)
			break;
		if (w.meta && d->metadata_error && (error = check_metadata(c, dsp, d, site_rel.buf)) < 0)
			break;
		if (w.records && !d->egg && (error = check_record(c, &audit, d, site_rel.buf, w.unread)) < 0)
			break;
		if (w.urls && (error = check_direct_url(c, d, site_rel.buf)) < 0)
			break;
		if (w.entries)
			error = check_entry_points(c, d, site_rel.buf);
	}
	if (!error && (w.deps || w.links))
		error = left_out_links(c, dsp, site_rel.buf, w.links, &linked);
	if (!error && w.deps)
		error = check_deps(c, dsp, site_rel.buf, &linked);
	if (!error && w.pths)
		error = check_pth(c, dsp, site_rel.buf);
	if (!error && w.records)
		error = venv_audit_finish(c, &audit, dsp, site_rel.buf);
	/* Last: --verify-hashes reports a RECORD row it cannot read (entry_points.txt) too. */
	if (!error && w.unread)
		error = report_unread(c, dsp, site_rel.buf);
	/*
	 * Read here, not by the early reader: the caller's now (the check has
	 * none left). Only a whole read: the caller takes them for one (a list
	 * without RECORDs would be a list of distributions that own no file).
	 */
	if (!error && dsp == &c->dists && c->opts->keep_dists && c->opts->keep_site &&
	    !(c->dists_flags & (VENV_DISTS_METADATA_ONLY | VENV_DISTS_EDITABLES))) {
		if (!(*c->opts->keep_site = strdup(site.buf))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		*c->opts->keep_dists = c->dists;
		memset(&c->dists, 0, sizeof(c->dists));
		c->dists_state = 0;
	}
done:
	free(canons);
	venv_audit_release(&audit);
	vbuf_release(&site);
	vbuf_release(&site_rel);
	vbuf_release(&linked);
	return error;
}
