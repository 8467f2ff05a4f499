/*
 * Interpreter discovery: what -p/--python (or its absence) names.
 *
 * The forms are the ones uv and virtualenv accept on POSIX: a path; a
 * command name on PATH; a version ("3", "3.12", "3.12.1"), optionally
 * behind an implementation name ("cpython3.12", "cpython@3.12",
 * "python3.12", "py312"); a PEP 440 range (">=3.11,<3.13"). A version
 * request picks the newest matching interpreter among those on PATH and
 * pyenv's installed versions; one behind "pypy" or "pp" ("pypy3",
 * "pypy3.9", "pp39") the newest PyPy among PATH's pypy3 and pypy3.N and
 * pyenv's pypyX.Y-A.B.C. Nothing that could be a launcher script
 * (a pyenv shim) is ever run: a shim is resolved to the interpreter it
 * would run by reading pyenv's own files.
 */
#include "compat.h"
#include <ctype.h>
#include <dirent.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "pyinfo.h"

#define MAX_CANDIDATES 128
#define MAX_CLAUSES 8

/* One clause of a request: a PEP 440 comparison on release versions. */
struct clause {
	char op[3];      /* "==", "!=", ">=", "<=", ">", "<", "~=", or "" (a plain prefix) */
	int v[3], nv;    /* the version's parts; missing ones count as 0 */
	int wild;        /* "==3.12.*" */
};

struct request {
	struct clause c[MAX_CLAUSES];
	int nc;
	int pypy;        /* behind "pypy" or "pp": only a PyPy matches */
};

struct candidate {
	char *path;
	char *real;      /* realpath, to count an interpreter once */
	int v[3];
	int known;       /* v holds major.minor.micro */
	int pypy;        /* probed, and a PyPy */
};

struct found {
	struct candidate c[MAX_CANDIDATES];
	size_t n;
};

static void found_release(struct found *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->c[i].path);
		free(f->c[i].real);
	}
	f->n = 0;
}

/* ---- parsing a request ---- */

/* Dotted digits "3", "3.12", "3.12.1", with an optional ".*" when wild is allowed. */
static int parse_version(const char *s, size_t len, int *v, int *nv, int *wild)
{
	size_t i = 0;

	*nv = 0;
	if (wild)
		*wild = 0;
	v[0] = v[1] = v[2] = 0;
	while (i < len) {
		long n = 0;
		size_t start = i;

		if (wild && s[i] == '*' && i + 1 == len && *nv > 0) {
			*wild = 1;
			return 0;
		}
		while (i < len && isdigit((unsigned char)s[i]) && i - start < 6)
			n = n * 10 + (s[i++] - '0');
		if (i == start || *nv >= 3)
			return -1;
		v[(*nv)++] = (int)n;
		if (i == len)
			return 0;
		if (s[i] != '.' || i + 1 == len)
			return -1;
		i++;
	}
	return *nv ? 0 : -1;
}

static int parse_clauses(struct request *r, const char *s)
{
	static const char *const ops[] = { "==", "!=", ">=", "<=", "~=", ">", "<" };

	while (*s) {
		struct clause *c;
		size_t i, len;

		if (r->nc >= MAX_CLAUSES)
			return -1;
		c = &r->c[r->nc++];
		while (*s == ' ')
			s++;
		for (i = 0; i < VENV_ARRAY_SIZE(ops); i++)
			if (!strncmp(s, ops[i], strlen(ops[i])))
				break;
		if (i == VENV_ARRAY_SIZE(ops))
			return -1;
		memcpy(c->op, ops[i], strlen(ops[i]) + 1);
		s += strlen(ops[i]);
		while (*s == ' ')
			s++;
		len = strcspn(s, ", ");
		if (parse_version(s, len, c->v, &c->nv,
				  c->op[0] == '=' || c->op[0] == '!' ? &c->wild : NULL) < 0)
			return -1;
		if (!strcmp(c->op, "~=") && c->nv < 2)
			return -1;
		s += len;
		while (*s == ' ')
			s++;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return r->nc ? 0 : -1;
}

/*
 * 1 when spec is a version request (filled into r), 0 when it is not
 * (then it can only be a command name).
 */
static int parse_request(struct request *r, const char *spec)
{
	/* "pypy" before "py", which would take "pypy3.9" for "py" and "py3.9". */
	static const char *const impls[] = { "cpython", "python", "pypy", "cp", "pp", "py" };
	const char *s = spec;
	size_t i, len;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < VENV_ARRAY_SIZE(impls); i++) {
		if (!strncasecmp(s, impls[i], strlen(impls[i]))) {
			s += strlen(impls[i]);
			r->pypy = !strcmp(impls[i], "pypy") || !strcmp(impls[i], "pp");
			if (*s == '@' || *s == '-')
				s++;
			break;
		}
	}
	if (!*s) {
		/* "python", "cpython", "pypy": any version. */
		r->nc = 1;
		return i < VENV_ARRAY_SIZE(impls);
	}
	if (strchr("<>=!~", *s))
		return parse_clauses(r, s) == 0;
	len = strlen(s);
	r->nc = 1;
	if (parse_version(s, len, r->c[0].v, &r->c[0].nv, NULL) < 0)
		return 0;
	/* "py312", "cp38": packed digits, only behind an implementation name. */
	if (r->c[0].nv == 1 && len >= 2 && len <= 3 && s != spec && s[-1] != '@' &&
	    s[-1] != '-') {
		r->c[0].v[0] = s[0] - '0';
		r->c[0].v[1] = (int)strtol(s + 1, NULL, 10);   /* digits only: checked above */
		r->c[0].nv = 2;
	}
	return 1;
}

static int vcmp(const int *a, const int *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static int clause_match(const struct clause *c, const int *v)
{
	int cmp = vcmp(v, c->v, 3);

	if (!c->op[0] || c->wild)
		cmp = vcmp(v, c->v, c->nv);
	if (!c->op[0] || !strcmp(c->op, "=="))
		return cmp == 0;
	if (!strcmp(c->op, "!="))
		return cmp != 0;
	if (!strcmp(c->op, ">="))
		return cmp >= 0;
	if (!strcmp(c->op, "<="))
		return cmp <= 0;
	if (!strcmp(c->op, ">"))
		return cmp > 0;
	if (!strcmp(c->op, "<"))
		return cmp < 0;
	/* "~=3.11" means >=3.11 and ==3.*; "~=3.11.2" means >=3.11.2 and ==3.11.* */
	return cmp >= 0 && vcmp(v, c->v, c->nv - 1) == 0;
}

static int request_match(const struct request *r, const int *v)
{
	int i;

	for (i = 0; i < r->nc; i++)
		if (r->c[i].nv && !clause_match(&r->c[i], v))
			return 0;
	return 1;
}

/* The request asks only for versions older than 3.8 ("2.7", "3.6", "py27"). */
static int request_too_old(const struct request *r)
{
	const struct clause *c = &r->c[0];

	return r->nc == 1 && !c->op[0] && c->nv &&
	       (c->v[0] < 3 || (c->v[0] == 3 && c->nv >= 2 && c->v[1] < 8));
}

static int is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* ---- pyenv ---- */

static int pyenv_root(struct vbuf *out)
{
	const char *root = getenv("PYENV_ROOT");
	const char *home = getenv("HOME");

	if (root && *root)
		return vbuf_sets(out, root);
	if (home && *home)
		return vbuf_addf(out, "%s/.pyenv", home);
	return VENV_ENOTFOUND;
}

/* A pyenv version name that is a plain CPython release: "3.12.1". */
static int numeric_version(const char *name, int *v)
{
	int nv, wild;

	return parse_version(name, strlen(name), v, &nv, &wild) == 0 && !wild && nv == 3;
}

/* The first version named in a pyenv version file (comments start with #). */
static int first_version_line(struct vbuf *out, const char *data, size_t len, int all)
{
	size_t i;

	vbuf_reset(out);
	for (i = 0; i < len; ) {
		size_t e = i;

		if (data[i] == '#') {
			while (i < len && data[i] != '\n')
				i++;
			continue;
		}
		while (e < len && data[e] != '\n' && data[e] != ' ' && data[e] != '\t' &&
		       data[e] != '\r')
			e++;
		if (e > i) {
			if (out->len && vbuf_addch(out, ':') < 0)
				return VENV_ENOMEM;
			if (vbuf_add(out, data + i, e - i) < 0)
				return VENV_ENOMEM;
			if (!all)
				break;
		}
		i = e + 1;
	}
	return out->len ? 0 : VENV_ENOTFOUND;
}

/* pyenv's own order: PYENV_VERSION, .python-version upwards, the global file. */
static int pyenv_selected_versions(struct vbuf *out, const char *root, struct vbuf *why)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), file = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf data = VBUF_INIT(4096);
	const char *env = getenv("PYENV_VERSION");
	int error = VENV_ENOTFOUND;
	char *cwd = NULL;

	vbuf_reset(out);
	if (env && *env) {
		if ((error = vbuf_sets(out, env)) == 0)
			error = vbuf_sets(why, "PYENV_VERSION");
		goto done;
	}
	if (!(cwd = getcwd(NULL, 0)) || vbuf_sets(&dir, cwd) < 0)
		goto done;
	for (;;) {
		vbuf_reset(&file);
		if (vbuf_addf(&file, "%s/.python-version", strcmp(dir.buf, "/") ? dir.buf : "") < 0)
			goto done;
		if (venv_fs_read_file_at(&data, AT_FDCWD, file.buf, 4096) == 0)
			break;
		if (!strcmp(dir.buf, "/")) {
			vbuf_reset(&file);
			if (vbuf_addf(&file, "%s/version", root) < 0 ||
			    venv_fs_read_file_at(&data, AT_FDCWD, file.buf, 4096) < 0)
				goto done;
			break;
		}
		if (venv_path_dirname(&dir, dir.buf) < 0)
			goto done;
	}
	if ((error = vbuf_sets(why, file.buf)) == 0)
		error = first_version_line(out, data.buf, data.len, 1);
done:
	venv_error_clear();
	free(cwd);
	vbuf_release(&dir);
	vbuf_release(&file);
	vbuf_release(&data);
	return error;
}

/*
 * The pyenv root a shim belongs to, read from the shim (pyenv writes
 * `export PYENV_ROOT="..."` into every shim) or, failing that, the shim
 * lying in $(pyenv root)/shims. The shim is read, never run.
 */
static int shim_root(struct vbuf *out, const char *shim)
{
	struct vbuf data = VBUF_INIT(8192), dir = VBUF_INIT(VBUF_MAX_PATH);
	const char *key = "export PYENV_ROOT=\"", *p, *e;
	int error = VENV_ENOTFOUND;

	if (venv_path_dirname(&dir, shim) < 0)
		goto done;
	if (venv_fs_read_file_at(&data, AT_FDCWD, shim, 8192) == 0 &&
	    (p = strstr(data.buf, key)) && (e = strchr(p + strlen(key), '"')) &&
	    e > p + strlen(key)) {
		p += strlen(key);
		vbuf_reset(out);
		if ((error = vbuf_add(out, p, (size_t)(e - p))) < 0)
			goto done;
	} else if (pyenv_root(out) < 0) {
		goto done;
	}
	/* Either way, only a script in <root>/shims is a shim. */
	if (vbuf_adds(out, "/shims") < 0 || strcmp(out->buf, dir.buf))
		goto done;
	vbuf_setlen(out, out->len - strlen("/shims"));
	error = 0;
done:
	venv_error_clear();
	vbuf_release(&data);
	vbuf_release(&dir);
	return error;
}

/* `name` on PATH, skipping <root>/shims (and any other launcher script). */
static int system_command(struct vbuf *out, const char *root, const char *name)
{
	const char *path = getenv("PATH"), *p;
	struct vbuf shims = VBUF_INIT(VBUF_MAX_PATH);
	int error = VENV_ENOTFOUND;

	if (!path || vbuf_addf(&shims, "%s/shims", root) < 0)
		goto done;
	for (p = path; *p; ) {
		size_t n = strcspn(p, ":");

		if (n && p[0] == '/' && !(n == shims.len && !strncmp(p, shims.buf, n))) {
			vbuf_reset(out);
			if (vbuf_add(out, p, n) < 0 || vbuf_addf(out, "/%s", name) < 0)
				goto done;
			if (is_exec_file(out->buf) && !venv_file_is_script(out->buf)) {
				error = 0;
				goto done;
			}
		}
		p += n;
		if (*p == ':')
			p++;
	}
done:
	vbuf_release(&shims);
	return error;
}

/* What the shim `name` would run: <root>/versions/<selected>/bin/<name>. */
static int resolve_shim(struct vbuf *out, const char *root, const char *name,
			struct vbuf *why)
{
	struct vbuf versions = VBUF_INIT(4096), cand = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);
	int error = VENV_ENOTFOUND;
	char *v, *save = NULL;

	if (pyenv_selected_versions(&versions, root, &src) < 0)
		goto done;
	for (v = strtok_r(versions.buf, ":", &save); v; v = strtok_r(NULL, ":", &save)) {
		if (!strcmp(v, "system")) {
			/* pyenv runs the next `name` on PATH after its shims. */
			if (system_command(&cand, root, name) == 0) {
				if (why) {
					vbuf_reset(why);
					if ((error = vbuf_addf(why, "pyenv's shim '%s' runs the "
							       "system's %s (from %s)", name,
							       cand.buf, src.buf)) < 0)
						goto done;
				}
				error = vbuf_sets(out, cand.buf);
				goto done;
			}
			continue;
		}
		if (strchr(v, '/') || !strcmp(v, "..") || !strcmp(v, "."))
			continue;
		vbuf_reset(&cand);
		if (vbuf_addf(&cand, "%s/versions/%s/bin/%s", root, v, name) < 0)
			goto done;
		if (access(cand.buf, X_OK) == 0) {
			if (why) {
				vbuf_reset(why);
				if ((error = vbuf_addf(why, "pyenv's shim '%s' runs pyenv version "
						       "'%s' (from %s)", name, v, src.buf)) < 0)
					goto done;
			}
			error = vbuf_sets(out, cand.buf);
			goto done;
		}
	}
done:
	venv_error_clear();
	vbuf_release(&versions);
	vbuf_release(&cand);
	vbuf_release(&src);
	return error;
}

/* ---- candidates ---- */

static int add_candidate(struct found *f, const char *path, const int *v, int known)
{
	struct candidate *c;
	char *real;
	size_t i;

	if (!(real = realpath(path, NULL)))
		return 0;
	/* Only what must be probed is counted once: a release pyenv names needs no probe. */
	for (i = 0; i < f->n; i++) {
		if (!known && !f->c[i].known && !strcmp(f->c[i].real, real)) {
			free(real);
			return 0;
		}
	}
	if (f->n >= MAX_CANDIDATES) {
		free(real);
		return 0;
	}
	c = &f->c[f->n];
	memset(c, 0, sizeof(*c));
	c->real = real;
	if (!(c->path = strdup(path)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (v)
		memcpy(c->v, v, sizeof(c->v));
	c->known = known;
	f->n++;
	return 0;
}

/* An interpreter of a virtual environment is never a base (uv does the same). */
static int in_venv(const char *dir)
{
	struct vbuf cfg = VBUF_INIT(VBUF_MAX_PATH);
	int yes;

	yes = vbuf_addf(&cfg, "%s/../pyvenv.cfg", dir) == 0 && access(cfg.buf, F_OK) == 0;
	vbuf_release(&cfg);
	return yes;
}

/*
 * "python3" or "python3.N" ("pypy3" or "pypy3.N" for stem "pypy"): the
 * names a version request looks for on PATH. N, -1 for the bare name, -2
 * for any other.
 */
static int python_name_minor(const char *n, const char *stem)
{
	size_t k = strlen(stem);
	int v[3], nv, wild;

	if (strncmp(n, stem, k))
		return -2;
	if (!strcmp(n + k, "3"))
		return -1;
	if (parse_version(n + k, strlen(n + k), v, &nv, &wild) < 0 || nv != 2 || v[0] != 3)
		return -2;
	return v[1];
}

static int collect_path_dir(struct found *f, const char *dir, const char *stem)
{
	struct vbuf p = VBUF_INIT(VBUF_MAX_PATH), root = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf res = VBUF_INIT(VBUF_MAX_PATH);
	char names[64][32];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int error = 0, pass;

	if (in_venv(dir) || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d)) && n < VENV_ARRAY_SIZE(names)) {
		int m = python_name_minor(de->d_name, stem);

		if (m == -2 || (m >= 0 && m < 8) || strlen(de->d_name) >= sizeof(names[0]))
			continue;
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	/* pythonX.Y before python3 (pypyX.Y before pypy3): the more precise name is kept. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if ((python_name_minor(names[i], stem) == -1) != pass)
				continue;
			vbuf_reset(&p);
			if ((error = vbuf_addf(&p, "%s/%s", dir, names[i])) < 0)
				goto done;
			if (!is_exec_file(p.buf))
				continue;
			if (!venv_file_is_script(p.buf)) {
				if ((error = add_candidate(f, p.buf, NULL, 0)) < 0)
					goto done;
			} else if (shim_root(&root, p.buf) == 0 &&
				   resolve_shim(&res, root.buf, names[i], NULL) == 0) {
				if ((error = add_candidate(f, res.buf, NULL, 0)) < 0)
					goto done;
			}
		}
	}
done:
	vbuf_release(&p);
	vbuf_release(&root);
	vbuf_release(&res);
	return error;
}

static int collect_path(struct found *f, const char *stem)
{
	const char *path = getenv("PATH"), *p;
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH);
	int error = 0;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; ) {
		size_t n = strcspn(p, ":");

		/* Relative entries (and the empty one, ".") are not searched for versions. */
		if (n && p[0] == '/') {
			vbuf_reset(&dir);
			if ((error = vbuf_add(&dir, p, n)) < 0 ||
			    (error = collect_path_dir(f, dir.buf, stem)) < 0)
				break;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	vbuf_release(&dir);
	return error;
}

/*
 * A pyenv version name that is a PyPy release: "pypy3.9-7.3.11" (not
 * "pypy3.9-c-jit-latest", as a CPython's is never "3.12-dev"); v gets 3.9.
 */
static int pypy_version(const char *name, int *v)
{
	const char *dash = strchr(name, '-');
	int nv, r[3], nr;

	if (strncmp(name, "pypy", 4) || !dash ||
	    parse_version(name + 4, (size_t)(dash - name - 4), v, &nv, NULL) < 0 || nv != 2)
		return 0;
	return parse_version(dash + 1, strlen(dash + 1), r, &nr, NULL) == 0 && nr == 3;
}

/*
 * pyenv's installed CPython releases: <root>/versions/X.Y.Z/bin/<exe or
 * pythonX.Y>; with pypy, its PyPy releases:
 * <root>/versions/pypyX.Y-A.B.C/bin/<exe, or pypyX.Y, else pypy3>, probed
 * for their Python's X.Y.Z as a PATH's are.
 */
static int collect_pyenv(struct found *f, const char *root, const char *exe, int pypy)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), p = VBUF_INIT(VBUF_MAX_PATH);
	struct dirent *de;
	DIR *d;
	int error = 0, v[3];

	if ((error = vbuf_addf(&dir, "%s/versions", root)) < 0)
		goto done;
	if (!(d = opendir(dir.buf)))
		goto done;
	while ((de = readdir(d))) {
		if (!(pypy ? pypy_version(de->d_name, v) : numeric_version(de->d_name, v)))
			continue;
		vbuf_reset(&p);
		if (exe)
			error = vbuf_addf(&p, "%s/%s/bin/%s", dir.buf, de->d_name, exe);
		else
			error = vbuf_addf(&p, "%s/%s/bin/%s%d.%d", dir.buf, de->d_name,
					  pypy ? "pypy" : "python", v[0], v[1]);
		if (error < 0)
			break;
		if (pypy && !exe && !is_exec_file(p.buf)) {
			vbuf_reset(&p);
			if ((error = vbuf_addf(&p, "%s/%s/bin/pypy3", dir.buf, de->d_name)) < 0)
				break;
		}
		if (is_exec_file(p.buf) && (error = add_candidate(f, p.buf, v, !pypy)) < 0)
			break;
	}
	closedir(d);
done:
	vbuf_release(&dir);
	vbuf_release(&p);
	return error;
}

/* Learn the exact version of candidates we only know by name (cached probes). */
static void learn_version(struct candidate *c)
{
	struct venv_pyinfo info;

	if (c->known)
		return;
	if (venv_pyinfo_load(&info, c->path, 0) == 0) {
		c->v[0] = info.major;
		c->v[1] = info.minor;
		c->v[2] = info.micro;
		c->known = 1;
		c->pypy = venv_pyinfo_is_pypy(&info);
		venv_pyinfo_release(&info);
	}
	venv_error_clear();
}

/* The newest candidate matching r (ties: the first found, PATH before pyenv). */
static int pick_newest(struct vbuf *out, struct vbuf *why, struct found *f,
		       const struct request *r, const char *asked)
{
	struct vbuf seen = VBUF_INIT(VBUF_MAX_LINE);
	static const int min[3] = { 3, 8, 0 };
	size_t i, j, best = (size_t)-1, nmatch = 0;
	int error;

	for (i = 0; i < f->n; i++)
		learn_version(&f->c[i]);
	/* Newest first, keeping the order found among equals (insertion sort). */
	for (i = 1; i < f->n; i++) {
		struct candidate t = f->c[i];

		for (j = i; j > 0 && vcmp(f->c[j - 1].v, t.v, 3) < 0; j--)
			f->c[j] = f->c[j - 1];
		f->c[j] = t;
	}
	for (i = 0; i < f->n; i++) {
		struct candidate *c = &f->c[i];

		if (!c->known || vcmp(c->v, min, 3) < 0 || (r->pypy && !c->pypy))
			continue;
		if ((i == 0 || !f->c[i - 1].known || vcmp(f->c[i - 1].v, c->v, 3)) &&
		    vbuf_addf(&seen, "%s%d.%d.%d", seen.len ? ", " : "", c->v[0], c->v[1],
			      c->v[2]) < 0)
			break;
		if (!request_match(r, c->v))
			continue;
		for (j = 0; j < i && strcmp(f->c[j].real, c->real); j++)
			;
		if (j == i)
			nmatch++;
		if (best == (size_t)-1)
			best = i;
	}
	if (best == (size_t)-1) {
		error = venv_error_set(VENV_ENOTFOUND, "no %s matching '%s' found on PATH or "
				       "in pyenv's versions (found: %s)",
				       r->pypy ? "PyPy" : "Python", asked,
				       seen.len ? seen.buf : "none of 3.8 or later");
		goto done;
	}
	if ((error = vbuf_sets(out, f->c[best].path)) < 0)
		goto done;
	if (why) {
		vbuf_reset(why);
		error = vbuf_addf(why, "'%s' matches %zu interpreter%s; using the newest, Python "
				  "%d.%d.%d%s at %s", asked, nmatch, nmatch == 1 ? "" : "s",
				  f->c[best].v[0], f->c[best].v[1], f->c[best].v[2],
				  f->c[best].pypy ? " (PyPy)" : "", out->buf);
	}
done:
	vbuf_release(&seen);
	return error;
}

static int find_version(struct vbuf *out, struct vbuf *why, const struct request *r,
			const char *asked)
{
	struct found *f = calloc(1, sizeof(*f));
	struct vbuf root = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (!f)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (request_too_old(r)) {
		error = venv_error_set(VENV_EINVAL, "'%s' asks for a Python older than 3.8, which "
				       "venv does not support", asked);
		goto done;
	}
	if ((error = collect_path(f, r->pypy ? "pypy" : "python")) < 0)
		goto done;
	if (pyenv_root(&root) == 0 && (error = collect_pyenv(f, root.buf, NULL, r->pypy)) < 0)
		goto done;
	error = pick_newest(out, why, f, r, asked);
done:
	found_release(f);
	free(f);
	vbuf_release(&root);
	return error;
}

/* A command name found on PATH; a pyenv shim is resolved, never run. */
static int find_name(struct vbuf *out, struct vbuf *why, const char *name, const char *found)
{
	struct vbuf root = VBUF_INIT(VBUF_MAX_PATH), base = VBUF_INIT(VBUF_MAX_PATH);
	struct found *f = NULL;
	struct request any;
	int error;

	if (!venv_file_is_script(found) || shim_root(&root, found) < 0) {
		error = vbuf_sets(out, found);
		if (why && !error) {
			vbuf_reset(why);
			error = vbuf_addf(why, "'%s' is %s on PATH", name, found);
		}
		goto done;
	}
	if ((error = venv_path_basename(&base, found)) < 0)
		goto done;
	if (resolve_shim(out, root.buf, base.buf, why) == 0) {
		error = 0;
		goto done;
	}
	/*
	 * The selected version has no such command: the shim would fail with
	 * "command not found". Use the newest installed version that has it.
	 */
	if (!(f = calloc(1, sizeof(*f)))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	/* A PyPy's name ("pypy3.9") is in pyenv's PyPy releases, never in a CPython's. */
	memset(&any, 0, sizeof(any));
	any.nc = 1;
	any.pypy = !strncmp(base.buf, "pypy", 4);
	if ((error = collect_pyenv(f, root.buf, base.buf, any.pypy)) < 0)
		goto done;
	if (pick_newest(out, NULL, f, &any, name) < 0) {
		error = venv_error_set(VENV_ENOTFOUND, "'%s' on PATH is pyenv's shim, and no "
				       "installed pyenv version has '%s'", name, base.buf);
		goto done;
	}
	error = 0;
	if (why) {
		vbuf_reset(why);
		error = vbuf_addf(why, "'%s' on PATH is pyenv's shim, which the selected version "
				  "does not provide; using the newest pyenv version that has it: %s",
				  name, out->buf);
	}
done:
	if (f)
		found_release(f);
	free(f);
	vbuf_release(&root);
	vbuf_release(&base);
	return error;
}

/* No -p: .python-version in the current directory (as uv), else python3 on PATH. */
static int find_default(struct vbuf *out, struct vbuf *why)
{
	struct vbuf data = VBUF_INIT(4096), line = VBUF_INIT(4096);
	struct vbuf root = VBUF_INIT(VBUF_MAX_PATH), found = VBUF_INIT(VBUF_MAX_PATH);
	struct request r;
	int error;

	if (venv_fs_read_file_at(&data, AT_FDCWD, ".python-version", 4096) < 0 ||
	    first_version_line(&line, data.buf, data.len, 0) < 0) {
		venv_error_clear();
		if (venv_path_search(&found, "python3") < 0) {
			error = venv_error_set(VENV_ENOTFOUND, "no python3 found on PATH "
					       "(name one with -p)");
			goto done;
		}
		error = find_name(out, why, "python3", found.buf);
		goto done;
	}
	if (parse_request(&r, line.buf) == 1) {
		error = find_version(out, why, &r, line.buf);
	} else if (!strchr(line.buf, '/') && strcmp(line.buf, "..") && pyenv_root(&root) == 0 &&
		   vbuf_addf(&root, "/versions/%s/bin/python3", line.buf) == 0 &&
		   is_exec_file(root.buf)) {
		/* A pyenv version name such as a pyenv-virtualenv environment. */
		error = vbuf_sets(out, root.buf);
	} else {
		error = venv_error_set(VENV_ENOTFOUND, "'.python-version' asks for '%s', which is "
				       "not a Python version venv can find", line.buf);
	}
	if (error < 0) {
		/* Say where the request came from. */
		if (strncmp(venv_error_last(), "'.python-version'", 17))
			error = venv_error_set(error, "'.python-version': %s", venv_error_last());
		goto done;
	}
	if (why) {
		struct vbuf w = VBUF_INIT(VBUF_MAX_LINE);

		if ((error = vbuf_addf(&w, ".python-version asks for '%s'", line.buf)) == 0 &&
		    (!why->len || (error = vbuf_addf(&w, ": %s", why->buf)) == 0))
			error = vbuf_sets(why, w.buf);
		vbuf_release(&w);
	}
done:
	vbuf_release(&data);
	vbuf_release(&line);
	vbuf_release(&root);
	vbuf_release(&found);
	return error;
}

int venv_python_find_why(struct vbuf *out, struct vbuf *why, const char *spec)
{
	struct vbuf found = VBUF_INIT(VBUF_MAX_PATH);
	struct request r;
	int error;

	if (why)
		vbuf_reset(why);
	if (!spec) {
		error = find_default(out, why);
		goto done;
	}
	if (!*spec) {
		error = venv_error_set(VENV_EINVAL, "empty interpreter name");
		goto done;
	}
	if (strchr(spec, '/')) {
		struct stat st;

		if ((error = venv_path_abspath(out, spec)) < 0)
			goto done;
		if (stat(out->buf, &st) < 0) {
			error = venv_error_set_errno(VENV_ENOTFOUND, "cannot use interpreter '%s'",
						     spec);
			goto done;
		}
		if (!S_ISREG(st.st_mode) || access(out->buf, X_OK) != 0) {
			error = venv_error_set(VENV_EINVAL, "cannot use interpreter '%s': "
					       "not an executable file", spec);
			goto done;
		}
		error = 0;
		goto done;
	}
	/* A name on PATH first ("python3.12", "mypython"), then the name as a version. */
	if (!strchr("0123456789<>=!~", spec[0])) {
		if (venv_path_search(&found, spec) == 0) {
			error = find_name(out, why, spec, found.buf);
			goto done;
		}
		venv_error_clear();
	}
	if (parse_request(&r, spec) == 1) {
		error = find_version(out, why, &r, spec);
		goto done;
	}
	error = venv_error_set(VENV_ENOTFOUND, "interpreter '%s' not found on PATH (and it is "
			       "not a version such as 3.12 or >=3.11)", spec);
done:
	if (error == 0)
		venv_error_clear();
	vbuf_release(&found);
	return error;
}

int venv_python_find(struct vbuf *out, const char *spec)
{
	return venv_python_find_why(out, NULL, spec);
}
