/*
 * Rules over lib/ and the whole tree: site-packages, lib64, .pth entries,
 * extension modules built for another Python, world-writable files and
 * special files, found by one walk through directory handles.
 */
#include "compat.h"
#include "actscan.h"
#include "array.h"
#include "audit.h"
#include "ruleset.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include <dirent.h>
#include "regex.h"

#define PTH_MAX ((size_t)1024 * 1024)

struct walk_frame {
	struct venv_dir d;        /* its descriptor is the frame's own: closed on leaving it */
	size_t rel_len;
	int depth;
	int in_site;      /* 1: the active site-packages itself; 2: below it */
	char top[256];    /* below site-packages: the first component */
	char reported[256];
};

/* Most findings carry no data beyond the text. */
#define add(c, code, rel, line, fix, ...) \
	venv_check_add((c), (code), (rel), (line), (fix), NULL, __VA_ARGS__)

/* lib/: site-packages, lib64. */

/* Whether bin/ holds commands besides the interpreters and activation scripts. */
static int has_commands(const struct venv_model *e)
{
	size_t i;

	for (i = 0; i < e->nentries; i++) {
		const struct venv_model_entry *en = &e->entries[i];

		if (en->interp < 0 && en->script < 0 && S_ISREG(en->st.st_mode) &&
		    (en->st.st_mode & 0111))
			return 1;
	}
	return 0;
}

/* Whether some interpreter of bin/ (not an alias) runs Python ver. */
static int interp_of_version(const struct venv_model *e, const char *ver)
{
	size_t i;

	for (i = 0; i < e->ninterps; i++)
		if (e->interps[i].kind != VENV_IK_LINK_INTERNAL && !strcmp(e->interps[i].ver, ver))
			return 1;
	return 0;
}

static int check_lib(struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	const struct venv_model_libdir *active;
	char rel[64], fix[128], name[32];
	size_t i;
	int error = 0, minor;

	if (e->unfinished)
		return 0;
	if (e->active_ver[0]) {
		active = venv_model_find_lib(e, e->active_ver);
		/* lib/pypyX.Y for PyPy. */
		venv_model_lib_name(e, e->active_ver, name, sizeof(name));
		snprintf(rel, sizeof(rel), "lib/%s/site-packages", name);
		/* After a minor upgrade the missing directory is a consequence, reported as such. */
		if ((!active || !active->has_site) && (e->lib_state == VENV_DIR_OK || e->lib_state == VENV_DIR_ABSENT) &&
		    !(e->bin_ver[0] && e->env_ver[0] && strcmp(e->bin_ver, e->env_ver))) {
			struct venv_finding_data d;
			struct stat st;

			/* Not missing: a link (out of the environment, say), which check does not follow. */
			snprintf(fix, sizeof(fix), "lib/%s", name);
			if (!active && fstatat(e->root, fix, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode)) {
				if ((error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, fix, 0, NULL, "'%s' is a "
						 "symbolic link; not followed, its site-packages not "
						 "inspected", fix)) < 0)
					return error;
				goto others;
			}
			/* So is site-packages itself when it leads to a directory (Python follows it). */
			if (active && active->site_link && fstatat(e->root, rel, &st, 0) == 0 &&
			    S_ISDIR(st.st_mode)) {
				if ((error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0, NULL, "'%s' is a "
						 "symbolic link; not followed, not inspected", rel)) < 0)
					return error;
				goto others;
			}

			memset(&d, 0, sizeof(d));
			d.found = rel;
			d.name = e->active_ver;
			snprintf(fix, sizeof(fix), "create '%s'", rel);
			/* An error when it held what bin/'s commands import (pip). */
			if ((error = venv_check_add_sev(c, has_commands(e) ? VENV_SEVERITY_ERROR :
							VENV_SEVERITY_WARNING,
							VENV_DIAG_MISSING_SITE_PACKAGES, rel, 0, fix, &d,
							"'%s' is missing%s", rel, has_commands(e) ?
							": the commands in 'bin' (pip...) cannot import "
							"their packages" : "")) < 0)
				return error;
		}
others:
		for (i = 0; i < e->nlibs; i++) {
			const struct venv_model_libdir *l = &e->libs[i];

			int same = !strcmp(l->ver, e->active_ver);

			/* lib/python3.9 of a PyPy 3.9 (after repair --upgrade -p pypy3) is not read either. */
			if ((same && venv_model_is_own_lib(e, l->name)) || !l->site_nonempty)
				continue;
			snprintf(rel, sizeof(rel), "lib/%s/site-packages", l->name);
			if (!same && interp_of_version(e, l->ver))
				continue; /* a mixed environment: reported by the base rules */
			if ((error = add(c, VENV_DIAG_ORPHANED_SITE_PACKAGES, rel, 0, NULL,
					 "'%s' holds packages, but the interpreter is %s %s and does "
					 "not look there", rel, venv_model_is_pypy(e) ? "PyPy" :
					 "Python", e->active_ver)) < 0)
				return error;
		}
	}
	/* CPython (up to 3.14) and venv create make lib64 -> lib on 64-bit Linux. */
	minor = venv_model_minor_of(e->env_ver);
#ifdef __linux__
	if ((e->creator == VENV_CREATOR_CPYTHON || e->creator == VENV_CREATOR_VENV) &&
	    minor >= 0 && minor <= 14 && e->lib_state == VENV_DIR_OK &&
	    (e->base_is64 == 1 || (e->base_is64 < 0 && sizeof(void *) == 8)) &&
	    !e->lib64_present)
		error = add(c, VENV_DIAG_MISSING_LIB64, "lib64", 0, "create the link 'lib64' -> 'lib'",
			    "'lib64' is missing (CPython makes it a link to 'lib')");
#else
	(void)minor;
#endif
	return error;
}

/*
 * The .pth files of editable installs: a distribution whose
 * direct_url.json says "editable" (PEP 610/660; pip, poetry, pdm, uv)
 * and whose RECORD lists the .pth, or setuptools' __editable__.*.pth.
 * A path such a file names is the installed package's source: when it is
 * gone the package no longer imports (an error); any other .pth line
 * naming nothing is skipped by site.py (a warning).
 */

/* Whether the RECORD row path names the file `name` of site-packages itself. */
static int row_is_site_file(const char *path, const char *name)
{
	const char *base = strrchr(path, '/');

	/* pip writes it relative; poetry absolute, in site-packages. */
	if (base && (base - path < 14 || strncmp(base - 14, "/site-packages", 14)))
		return 0;
	return !strcmp(base ? base + 1 : path, name);
}

/*
 * The distribution whose editable install the .pth `name` is, into *dist
 * (NULL: none; else the distributions' (valid for the check) or buf's).
 * Its distributions are the model's (venv_check_dists), read only now: a
 * .pth whose every line exists needs no owner. < 0 only out of memory.
 */
static int editable_dist(struct venv_check_ctx *c, const char *name, char *buf, size_t size,
			 const char **dist)
{
	const struct venv_dists *ds;
	size_t i, k, n;
	int r;

	*dist = NULL;
	if ((r = venv_check_dists(c, VENV_DISTS_EDITABLES, &ds)) < 0)
		return r;
	for (i = 0; r && i < ds->nr; i++) {
		const struct venv_dist *d = &ds->v[i];

		for (k = 0; d->editable && !d->egg && k < d->nrecord; k++)
			if (row_is_site_file(d->record[k].path, name)) {
				/* Named as the directory is: its stem up to the first "-". */
				*dist = d->dir_name;
				return 0;
			}
	}
	/* setuptools: __editable__.NAME-VERSION.pth (the name, without ".pth" or the version). */
	if (!strncmp(name, "__editable__.", 13)) {
		n = strlen(name + 13);
		if (n > 4 && !strcmp(name + 13 + n - 4, ".pth"))
			n -= 4;
		n = strcspn(name + 13, "-") < n ? strcspn(name + 13, "-") : n;
		if (!n) {
			*dist = name + 13;
			return 0;
		}
		snprintf(buf, size, "%.*s", (int)n, name + 13);
		*dist = buf;
	}
	return 0;
}

/*
 * After a move, where does path (under an old location) lie now? Under
 * the environment's old directory itself, or, for an in-project
 * environment (poetry's and pdm's .venv), under the project directory
 * that held it, when the environment kept its name (the project moved);
 * or further up while the directories on the way kept their names too
 * (pipx's PIPX_HOME/venvs/NAME, whose pipx_shared.pth names
 * PIPX_HOME/shared: the whole home moved), as repair follows it.
 * Returns 1 with want, old_prefix and new_prefix set, or 0.
 */
int venv_rules_moved_path(const struct venv_model *e, const char *path, struct vbuf *want,
			  struct vbuf *old_prefix, struct vbuf *new_prefix)
{
	struct vbuf ob = VBUF_INIT(VBUF_MAX_PATH), nb = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int found = 0;

	for (i = 0; i < e->nold && !found; i++) {
		vbuf_reset(old_prefix);
		vbuf_reset(new_prefix);
		vbuf_reset(want);
		if (vbuf_sets(old_prefix, e->old[i]) < 0 || vbuf_sets(new_prefix, e->abs) < 0)
			continue;
		found = venv_path_is_within(path, old_prefix->buf);
		while (!found && venv_path_basename(&ob, old_prefix->buf) == 0 &&
		       venv_path_basename(&nb, new_prefix->buf) == 0 && !strcmp(ob.buf, nb.buf) &&
		       venv_path_dirname(old_prefix, old_prefix->buf) == 0 &&
		       venv_path_dirname(new_prefix, new_prefix->buf) == 0 &&
		       old_prefix->len > 1 && new_prefix->len > 1)
			found = venv_path_is_within(path, old_prefix->buf);
		if (found)
			found = vbuf_addf(want, "%s%s", new_prefix->buf,
					  path + old_prefix->len) == 0;
	}
	vbuf_release(&ob);
	vbuf_release(&nb);
	return found;
}

/*
 * A .pth file's path lines; with egg_link, the first line of a legacy
 * editable install's NAME.egg-link (setup.py develop), the directory
 * holding NAME.egg-info: pip reads it to list and uninstall the project,
 * and after a move it names the old place as easy-install.pth does.
 */
static int check_pth(struct venv_check_ctx *c, int dirfd, const char *name, const char *rel,
		     const char *site_abs, int egg_link)
{
	struct venv_model *e = c->env;
	struct vbuf buf = VBUF_INIT(PTH_MAX), path = VBUF_INIT(VBUF_MAX_PATH);
	const char *p, *end, *dist = NULL;
	char setuptools_dist[128];
	unsigned lineno = 0;
	int rc, err, error = 0, looked = 0;

	rc = venv_fs_read_capped(dirfd, name, PTH_MAX, 0, &buf, NULL, &err);
	if (rc != VENV_RD_OK) {
		if (rc != VENV_RD_SPECIAL)
			error = venv_check_report_read(c, rc, err, rel);
		goto done;
	}
	for (p = buf.buf, end = buf.buf + buf.len; p < end && !(egg_link && lineno); ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct stat st;

		lineno++;
		/* site.addpackage(): blank and '#' lines are skipped, "import" lines run. */
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n && p[0] != '#' && !(n >= 7 && (!memcmp(p, "import ", 7) ||
						    !memcmp(p, "import\t", 7))) &&
		    !memchr(p, '\0', n)) {
			vbuf_reset(&path);
			if (p[0] == '/')
				error = vbuf_add(&path, p, n);
			else
				error = vbuf_addf(&path, "%s/%.*s", site_abs, (int)n, p);
			if (error < 0) {
				error = 0;
			} else if (stat(path.buf, &st) < 0 && (errno == ENOENT || errno == ENOTDIR)) {
				struct vbuf fix = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
				struct vbuf line = VBUF_INIT(VBUF_MAX_PATH);
				struct vbuf oldp = VBUF_INIT(VBUF_MAX_PATH), newp = VBUF_INIT(VBUF_MAX_PATH);
				struct venv_finding_data d;
				int moved = venv_rules_moved_path(e, path.buf, &want, &oldp, &newp);
				int there = moved && stat(want.buf, &st) == 0;

				memset(&d, 0, sizeof(d));
				d.found = path.buf;
				if (moved) {
					d.want = want.buf;
					d.old_prefix = oldp.buf;
					d.new_prefix = newp.buf;
					error = vbuf_addf(&fix, "rewrite the entry to '%s'", want.buf);
				}
				/* Whose the .pth is, at its first missing path: only then does it matter. */
				if (!error && !egg_link && !looked++)
					error = editable_dist(c, name, setuptools_dist,
							      sizeof(setuptools_dist), &dist);
				if (!error && dist) {
					d.name = (char *)dist;
					if (!there)
						d.want = NULL;
					error = venv_check_add(c, VENV_DIAG_EDITABLE_SOURCE_MISSING, rel,
							       lineno, there ? fix.buf : NULL, &d,
							       "'%s' no longer imports: its editable install "
							       "names the source directory '%s', which does not "
							       "exist%s%s%s", dist, path.buf,
							       moved ? " (it moved to '" : "",
							       moved ? want.buf : "",
							       moved ? (there ? "')" : "', not found there "
							       "either)") : "");
				} else if (!error && egg_link) {
					if (vbuf_add(&line, p, n) == 0)
						d.name = line.buf;
					error = venv_check_add(c, VENV_DIAG_PTH_MISSING_PATH, rel, lineno,
							       moved ? fix.buf : NULL, &d,
							       "'%s' names '%s', which does not exist, as "
							       "the directory of a legacy editable install; "
							       "pip cannot uninstall it%s%s%s", rel,
							       path.buf,
							       moved ? " (it is under the old location '" : "",
							       moved ? oldp.buf : "", moved ? "')" : "");
				} else if (!error) {
					if (vbuf_add(&line, p, n) == 0)
						d.name = line.buf;
					error = venv_check_add(c, VENV_DIAG_PTH_MISSING_PATH, rel, lineno,
							       moved ? fix.buf : NULL, &d,
							       "'%s' adds '%s' to sys.path, which does not "
							       "exist; site.py skips it%s%s%s", rel, path.buf,
							       moved ? " (it is under the old location '" : "",
							       moved ? oldp.buf : "", moved ? "')" : "");
				}
				vbuf_release(&oldp);
				vbuf_release(&newp);
				vbuf_release(&fix);
				vbuf_release(&want);
				vbuf_release(&line);
				if (error < 0)
					goto done;
			}
		}
		p += n;
		while (p < end && *p != '\n')
			p++;
		p++;
	}
done:
	vbuf_release(&buf);
	vbuf_release(&path);
	return error;
}

static int ext_minor_mismatch(const struct venv_check_ctx *c, const char *name, char *tag, size_t tagsize)
{
	struct venv_model *e = c->env;
	struct venv_re_match m;
	size_t len = strlen(name);
	char want[16];
	int a, b, mm;

	if (len < 12 || strcmp(name + len - 3, ".so") || !strstr(name, ".cpython-"))
		return 0;
	if (venv_re_match(VENV_RE_EXT_TAG, name, len, 0, &m) != 1)
		return 0;
	if (venv_version_parse(e->active_ver, &a, &b, &mm) < 0)
		return 0;
	snprintf(want, sizeof(want), "%d%d", a, b);
	snprintf(tag, tagsize, "%.*s%.*s", (int)(m.group_end[0] - m.group_start[0]),
		 name + m.group_start[0], (int)(m.group_end[1] - m.group_start[1]),
		 name + m.group_start[1]);
	return strcmp(tag, want) != 0;
}

/*
 * virtualenv --symlink-app-data links a wheel's .pth (setuptools'
 * distutils-precedence.pth) into site-packages from the same unpacked
 * wheel in its app data that a linked .dist-info of this site-packages
 * leads into: that link is virtualenv's layout, not one to report.
 */
static int in_app_data(int sitefd, const char *name)
{
	char target[PATH_MAX], other[PATH_MAX];
	const char *slash;
	struct dirent *de;
	ssize_t n, m;
	int fd, found = 0;
	size_t dir;
	DIR *d;

	if ((n = readlinkat(sitefd, name, target, sizeof(target) - 1)) <= 0 || target[0] != '/')
		return 0;
	target[n] = '\0';
	if (!(slash = strrchr(target, '/')) || slash == target)
		return 0;
	dir = (size_t)(slash - target) + 1;
	if ((fd = openat(sitefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while (!found && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l <= 10 || strcmp(de->d_name + l - 10, ".dist-info") ||
		    (m = readlinkat(sitefd, de->d_name, other, sizeof(other) - 1)) <= 0)
			continue;
		other[m] = '\0';
		/* <image>/name-1.0.dist-info beside <image>/x.pth */
		found = (size_t)m > dir && !memcmp(other, target, dir) && !strchr(other + dir, '/');
	}
	closedir(d);
	return found;
}

void venv_site_list_release(struct venv_site_list *l)
{
	vbuf_release(&l->names);
	free(l->v);
	free(l->index);
	l->v = NULL;
	l->index = NULL;
	l->n = l->alloc = l->index_cap = 0;
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

const struct venv_site_entry *venv_site_list_find(struct venv_site_list *l, const char *name)
{
	size_t i, k;

	if (!l->n)
		return NULL;
	if (!l->index) {
		for (l->index_cap = 64; l->index_cap < 2 * l->n; l->index_cap *= 2)
			;
		if (!(l->index = calloc(l->index_cap, sizeof(*l->index)))) {
			l->index_cap = 0;
			return NULL;
		}
		for (k = 0; k < l->n; k++) {
			for (i = name_hash(l->names.buf + l->v[k].name) & (l->index_cap - 1);
			     l->index[i]; i = (i + 1) & (l->index_cap - 1))
				;
			l->index[i] = k + 1;
		}
	}
	for (i = name_hash(name) & (l->index_cap - 1); l->index[i]; i = (i + 1) & (l->index_cap - 1))
		if (!strcmp(l->names.buf + l->v[l->index[i] - 1].name, name))
			return &l->v[l->index[i] - 1];
	return NULL;
}

/* Keep an entry below site-packages (name relative to it) for rules_audit.c. */
static int site_list_add(struct venv_site_list *l, const char *name, const struct stat *st)
{
	int error;

	if ((error = VENV_ARRAY_GROW(l->v, l->alloc, l->n + 1, 256)) < 0)
		return error;
	l->v[l->n].name = l->names.len;
	l->v[l->n].isdir = S_ISDIR(st->st_mode);
	l->v[l->n].mode = st->st_mode;
	l->v[l->n].nlink = st->st_nlink;
	l->v[l->n].size = st->st_size;
	/* With its NUL: the names lie one after the other. */
	if ((error = vbuf_add(&l->names, name, strlen(name) + 1)) < 0)
		return error;
	l->n++;
	return 0;
}

/* The rules of rules_audit.c that judge the entries of site-packages the walk lists. */
/* Whether rel was said to be unreadable already (the model says it of bin/ and lib/). */
static int said_unreadable(const struct venv_check_ctx *c, const char *rel)
{
	size_t k;

	for (k = 0; k < c->r->nr; k++)
		if (c->r->findings[k].code == VENV_DIAG_UNREADABLE_FILE &&
		    c->r->findings[k].relpath && !strcmp(c->r->findings[k].relpath, rel))
			return 1;
	return 0;
}

static const int site_list_codes[] = {
	VENV_DIAG_UNOWNED_FILES, VENV_DIAG_CUSTOMIZE_MODULE, 0
};

/* What the walk says of an entry that is not a directory (the rest is of directories). */
static const int file_codes[] = {
	VENV_DIAG_SPECIAL_FILE, VENV_DIAG_LINK_NOT_FOLLOWED, VENV_DIAG_WORLD_WRITABLE,
	VENV_DIAG_WRONG_ABI_EXTENSION, VENV_DIAG_PTH_MISSING_PATH,
	VENV_DIAG_EDITABLE_SOURCE_MISSING, VENV_DIAG_UNOWNED_FILES, VENV_DIAG_CUSTOMIZE_MODULE, 0
};

static int walk(struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	struct walk_frame stack[VENV_CHECK_DEFAULT_MAX_DEPTH + 1];
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), site_rel = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf site_abs = VBUF_INIT(VBUF_MAX_PATH);
	size_t entries = 0, max_entries = c->opts->max_entries ? c->opts->max_entries :
					  VENV_CHECK_DEFAULT_MAX_ENTRIES;
	unsigned max_depth = c->opts->max_depth ? c->opts->max_depth : VENV_CHECK_DEFAULT_MAX_DEPTH;
	int sp = 0, fd, error = 0, depth_reported = 0, site_listed = 0;
	char libname[32];
	int keep_site = venv_check_wants_any(c, site_list_codes);
	/*
	 * Nothing asked of files (repair's first look asks only which
	 * directories cannot be opened): an entry the directory lists as a
	 * file or a link is not even looked at.
	 */
	int dirs_only = !c->early && !venv_check_wants_any(c, file_codes);

	if (max_depth > VENV_CHECK_DEFAULT_MAX_DEPTH)
		max_depth = VENV_CHECK_DEFAULT_MAX_DEPTH;
	if (e->active_ver[0] && ((error = vbuf_addf(&site_rel, "lib/%s/site-packages",
						    venv_model_lib_name(e, e->active_ver, libname,
									sizeof(libname)))) < 0 ||
				 (error = vbuf_addf(&site_abs, "%s/%s", e->abs, site_rel.buf)) < 0))
		goto done;
	if ((fd = openat(e->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    venv_dir_open(&stack[0].d, fd) < 0) {
		if (fd >= 0)
			close(fd);
		goto done;
	}
	stack[0].rel_len = 0;
	stack[0].depth = 0;
	stack[0].in_site = 0;
	stack[0].top[0] = stack[0].reported[0] = '\0';
	while (sp >= 0) {
		struct walk_frame *f = &stack[sp];
		struct venv_finding_data d;
		const char *name;
		struct stat st;
		size_t base_len;
		unsigned char type;

		if (!(name = venv_dir_read(&f->d, &type))) {
			site_listed |= f->in_site == 1;
			venv_dir_close(&f->d);
			close(f->d.fd);
			sp--;
			continue;
		}
		if (++entries > max_entries) {
			error = add(c, VENV_DIAG_WALK_LIMIT, NULL, 0, NULL,
				    "the environment has more than %zu entries; the walk stopped there",
				    max_entries);
			break;
		}
		vbuf_setlen(&rel, f->rel_len);
		base_len = rel.len;
		if ((rel.len && vbuf_addch(&rel, '/') < 0) || vbuf_adds(&rel, name) < 0) {
			/* A path longer than the cap: skip the entry, keep walking. */
			vbuf_setlen(&rel, base_len);
			continue;
		}
		if (dirs_only && type != DT_DIR && type != DT_UNKNOWN)
			continue;
		if (!sp && (c->opts->flags & VENV_CHECK_OWN_TRASH) &&
		    !strcmp(name, VENV_MODEL_REPAIR_DELETING))
			continue;
		if (fstatat(f->d.fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (f->in_site && keep_site &&
		    (error = site_list_add(&c->site, rel.buf + site_rel.len + 1, &st)) < 0)
			break;
		if (S_ISLNK(st.st_mode)) {
			size_t nl = strlen(name);

			/* site.py reads a .pth through a link; check does not. */
			if (f->in_site == 1 && nl > 4 && !strcmp(name + nl - 4, ".pth") &&
			    !in_app_data(f->d.fd, name) &&
			    (error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel.buf, 0, NULL,
					 "'%s' is a symbolic link; not followed, not inspected",
					 rel.buf)) < 0)
				break;
			continue;
		}
		memset(&d, 0, sizeof(d));
		d.mode = (unsigned)(st.st_mode & 07777);
		if ((st.st_mode & S_IWOTH) &&
		    (error = venv_check_add(c, VENV_DIAG_WORLD_WRITABLE, rel.buf, 0,
				 "remove write permission for others", &d,
				 "'%s' is writable by every user (mode %04o)", rel.buf,
				 (unsigned)(st.st_mode & 07777))) < 0)
			break;
		if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) ||
		    S_ISBLK(st.st_mode)) {
			/*
			 * In bin/ it stands where a command or bin/activate belongs,
			 * and running or sourcing it blocks or fails: an error. Another
			 * shell's activation script is a warning, as a missing one is.
			 */
			int shell = venv_act_shell_for(name);
			int blocks = !strncmp(rel.buf, "bin/", 4) && !strchr(rel.buf + 4, '/') &&
				     (shell < 0 || shell == VENV_ACT_SH);

			if ((error = venv_check_add_sev(c, blocks ? VENV_SEVERITY_ERROR : 0,
							VENV_DIAG_SPECIAL_FILE, rel.buf, 0, NULL, NULL,
							"'%s' is a %s%s", rel.buf,
							S_ISFIFO(st.st_mode) ? "named pipe (FIFO)" :
							S_ISSOCK(st.st_mode) ? "socket" : "device node",
							!blocks ? "" : strcmp(name, "activate") ?
							": running it blocks or fails" :
							": 'source bin/activate' blocks or fails")) < 0)
				break;
			continue;
		}
		if (S_ISREG(st.st_mode) && c->early)
			venv_audit_walked(c, rel.buf, &st);
		if (S_ISREG(st.st_mode) && f->in_site) {
			char tag[16];
			size_t nl = strlen(name);

			if (f->in_site == 1 && nl > 4 && !strcmp(name + nl - 4, ".pth")) {
				if ((error = check_pth(c, f->d.fd, name, rel.buf, site_abs.buf, 0)) < 0)
					break;
			} else if (f->in_site == 1 && nl > 9 && !strcmp(name + nl - 9, ".egg-link")) {
				if ((error = check_pth(c, f->d.fd, name, rel.buf, site_abs.buf, 1)) < 0)
					break;
			} else if (ext_minor_mismatch(c, name, tag, sizeof(tag))) {
				const char *top = f->in_site == 1 ? name : f->top;

				if (strcmp(f->reported, top)) {
					snprintf(f->reported, sizeof(f->reported), "%s", top);
					if ((error = add(c, VENV_DIAG_WRONG_ABI_EXTENSION, rel.buf, 0, NULL,
							 "'%s' is built for CPython %c.%s, but the "
							 "interpreter is Python %s", rel.buf, tag[0],
							 tag + 1, e->active_ver)) < 0)
						break;
				}
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (st.st_dev != e->root_st.st_dev && !(c->opts->flags & VENV_CHECK_CROSS_DEVICES))
			continue;
		if ((unsigned)sp + 1 >= max_depth) {
			c->site.limited |= f->in_site != 0;
			if (!depth_reported++ &&
			    (error = add(c, VENV_DIAG_WALK_LIMIT, rel.buf, 0, NULL,
					 "directories nest deeper than %u levels at '%s'; not walked "
					 "further", max_depth, rel.buf)) < 0)
				break;
			continue;
		}
		fd = openat(f->d.fd, name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			if (errno != ENOENT && !said_unreadable(c, rel.buf) &&
			    (error = add(c, VENV_DIAG_UNREADABLE_FILE, rel.buf, 0, NULL,
					 "cannot open '%s': %s", rel.buf, strerror(errno))) < 0)
				break;
			continue;
		}
		{
			struct walk_frame *nf = &stack[sp + 1];

			if (venv_dir_open(&nf->d, fd) < 0) {
				close(fd);
				continue;
			}
			nf->rel_len = rel.len;
			nf->depth = f->depth + 1;
			nf->reported[0] = '\0';
			if (f->in_site == 1) {
				nf->in_site = 2;
				snprintf(nf->top, sizeof(nf->top), "%s", name);
			} else if (f->in_site == 2) {
				nf->in_site = 2;
				memcpy(nf->top, f->top, sizeof(nf->top));
			} else {
				nf->in_site = site_rel.len && !strcmp(rel.buf, site_rel.buf);
				nf->top[0] = '\0';
			}
			sp++;
		}
	}
	for (; sp >= 0; sp--) {
		venv_dir_close(&stack[sp].d);
		close(stack[sp].d.fd);
	}
	/* Stopped at the entry limit (or an error) before site-packages was listed whole. */
	c->site.limited |= !site_listed;
done:
	vbuf_release(&rel);
	vbuf_release(&site_rel);
	vbuf_release(&site_abs);
	return error;
}


int venv_rules_tree(struct venv_check_ctx *c)
{
	int error;

	if ((error = check_lib(c)) < 0)
		return error;
	return walk(c);
}
