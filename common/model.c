/*
 * The environment loader: pyvenv.cfg, bin/ (its interpreters in
 * model_interp.c; activation scripts), lib/, versions, creator, old
 * locations and unfinished state, read once from a directory handle. It
 * judges nothing; check's rules (inspect/rules_*.c) and repair's fixers
 * work from what it loads.
 */
#include "compat.h"
#include <dirent.h>
#include <strings.h>
#include "array.h"
#include "diag.h"
#include "model.h"
#include "model_int.h"
#include "error.h"
#include "fs.h"
#include "log.h"
#include "path.h"
#include "venv.h"

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

static int problem(struct venv_model *e, int code, const char *rel, const char *fix,
		   const char *fmt, ...) VENV_PRINTF(5, 6);

static int problem(struct venv_model *e, int code, const char *rel, const char *fix,
		   const char *fmt, ...)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_model_problem *p;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = venv_message_vformat(&msg, fmt, ap);
	va_end(ap);
	if (error < 0)
		goto done;
	if ((error = VENV_ARRAY_GROW(e->problems, e->problems_alloc, e->nproblems + 1, 4)) < 0)
		goto done;
	p = &e->problems[e->nproblems];
	memset(p, 0, sizeof(*p));
	p->code = code;
	p->message = vbuf_detach(&msg, NULL);
	p->relpath = rel ? strdup(rel) : NULL;
	p->fix = fix ? strdup(fix) : NULL;
	if (!p->message || (rel && !p->relpath) || (fix && !p->fix)) {
		free(p->message);
		free(p->relpath);
		free(p->fix);
		error = oom();
		goto done;
	}
	e->nproblems++;
	error = 0;
done:
	vbuf_release(&msg);
	return error;
}

/* readlinkat() into a fresh string, capped. */
int venv_model_read_link(char **out, int dirfd, const char *name)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

	*out = NULL;
	if (n < 0)
		return venv_error_from_errno(errno);
	buf[n] = '\0';
	if (!(*out = strdup(buf)))
		return oom();
	return 0;
}

int venv_model_is_interp_name(const char *name)
{
	const char *p;

	/* CPython 3.14's extra alias: U+1D70B MATHEMATICAL ITALIC SMALL PI + "thon". */
	if (!strcmp(name, "\xf0\x9d\x9c\x8bthon"))
		return 1;
	if (!strncmp(name, "python", 6))
		p = name + 6;
	else if (!strncmp(name, "pypy", 4))
		p = name + 4;
	else
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 't' || *p == 'd')
		p++;
	return *p == '\0';
}

int venv_model_is_python_name(const char *name)
{
	return !strncmp(name, "python", 6) || venv_model_is_interp_name(name);
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct venv_model_entry *)a)->name,
		      ((const struct venv_model_entry *)b)->name);
}

int venv_model_find_entry(const struct venv_model *e, const char *name)
{
	size_t lo = 0, hi = e->nentries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(e->entries[mid].name, name);

		if (!d)
			return (int)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int venv_model_contains(const struct venv_model *e, const char *path, const char **rel)
{
	const char *bases[2];
	size_t i;

	bases[0] = e->abs;
	bases[1] = e->real;
	for (i = 0; i < 2; i++) {
		size_t n;

		if (!bases[i])
			continue;
		n = strlen(bases[i]);
		if (n == 1 && bases[i][0] == '/')
			n = 0;
		if (!strncmp(path, bases[i], n) && path[n] == '/') {
			*rel = path + n + 1;
			return 1;
		}
	}
	return 0;
}

int venv_model_is_self(const struct venv_model *e, const char *path)
{
	struct stat st;

	if (!strcmp(path, e->abs) || (e->real && !strcmp(path, e->real)))
		return 1;
	return stat(path, &st) == 0 && st.st_dev == e->root_st.st_dev &&
	       st.st_ino == e->root_st.st_ino;
}

int venv_model_is_old_location(const struct venv_model *e, const char *dir)
{
	size_t i;

	for (i = 0; i < e->nold; i++)
		if (!strcmp(e->old[i], dir))
			return 1;
	return 0;
}

static int add_old_location(struct venv_model *e, const char *dir)
{
	if (!dir || dir[0] != '/' || venv_model_is_old_location(e, dir) || venv_model_is_self(e, dir))
		return 0;
	if (e->nold == VENV_MODEL_MAX_OLD)
		return 0;
	if (!(e->old[e->nold] = strdup(dir)))
		return oom();
	e->nold++;
	return 0;
}

int venv_model_is_own_lib(const struct venv_model *e, const char *name)
{
	const char *stem = e->lib_stem[0] ? e->lib_stem : "python";

	return !strncmp(name, stem, strlen(stem));
}

const struct venv_model_libdir *venv_model_find_lib(const struct venv_model *e, const char *ver)
{
	size_t i;

	/* Not the other kind: PyPy does not read lib/python3.9, nor CPython lib/pypy3.9. */
	for (i = 0; i < e->nlibs; i++)
		if (!strcmp(e->libs[i].ver, ver) && venv_model_is_own_lib(e, e->libs[i].name))
			return &e->libs[i];
	return NULL;
}

const char *venv_model_lib_name(const struct venv_model *e, const char *ver, char *buf,
				size_t size)
{
	const struct venv_model_libdir *l = venv_model_find_lib(e, ver);

	if (l)
		snprintf(buf, size, "%s", l->name);
	else
		snprintf(buf, size, "%s%s", e->lib_stem[0] ? e->lib_stem : "python", ver);
	return buf;
}

const char *venv_model_cfg_get(const struct venv_model *e, const char *key)
{
	return e->cfg_state == VENV_CFG_OK ? venv_cfg_get_first(&e->cfg, key) : NULL;
}

int venv_model_is_pypy(const struct venv_model *env)
{
	return !strcmp(env->lib_stem, "pypy");
}

int venv_model_minor_of(const char *ver)
{
	int a, b, m;

	if (venv_version_parse(ver, &a, &b, &m) < 0 || a != 3)
		return -1;
	return b;
}

/* ------------------------------------------------------------------------ */
/* pyvenv.cfg, bin/, lib/. */

static int load_cfg(struct venv_model *e)
{
	struct stat st;
	int err, rc, error = 0;

	memset(&st, 0, sizeof(st));
	rc = venv_fs_read_capped(e->root, "pyvenv.cfg", VBUF_MAX_CFG, 0, &e->cfg_raw, &st, &err);
	e->cfg_rd = rc;
	e->cfg_err = err;
	e->cfg_mode = rc == VENV_RD_MISSING ? 0 : st.st_mode;
	if (rc != VENV_RD_MISSING && S_ISREG(st.st_mode))
		e->cfg_size = (uint64_t)st.st_size;
	if (rc == VENV_RD_MISSING) {
		e->cfg_state = VENV_CFG_ABSENT;
		return 0;
	}
	if (rc == VENV_RD_LINK) {
		e->cfg_state = VENV_CFG_LINK;
		return problem(e, VENV_DIAG_CFG_SYMLINK, "pyvenv.cfg",
			       "replace the link with a regular pyvenv.cfg",
			       "'pyvenv.cfg' is a symbolic link; Python follows it, check does not");
	}
	if (rc == VENV_RD_TOO_BIG) {
		/* Python reads it, slowly; check does not: nothing is known of it. */
		e->cfg_state = VENV_CFG_BAD;
		return problem(e, VENV_DIAG_FILE_TOO_LARGE, "pyvenv.cfg", NULL,
			       "'pyvenv.cfg' is larger than %zu bytes; not inspected",
			       (size_t)VBUF_MAX_CFG);
	}
	if (rc == VENV_RD_IOERR) {
		/*
		 * An I/O error or running out of descriptors says nothing about the
		 * file: it is unreadable now (VNV003), not bad, and so repair changes
		 * nothing rather than write a new one without its keys (found by
		 * tests/faults/repair.sh: ENOSPC on this open, then exit 0).
		 */
		e->cfg_state = VENV_CFG_BAD;
		return problem(e, VENV_DIAG_UNREADABLE_FILE, "pyvenv.cfg", NULL,
			       "cannot read 'pyvenv.cfg': %s", strerror(err));
	}
	if (rc != VENV_RD_OK) {
		e->cfg_state = VENV_CFG_BAD;
		return problem(e, VENV_DIAG_CFG_UNREADABLE, "pyvenv.cfg", "write a new pyvenv.cfg",
			       "cannot read 'pyvenv.cfg': %s",
			       rc == VENV_RD_SPECIAL ? "not a regular file" :
			       strerror(err ? err : EIO));
	}
	e->cfg_state = VENV_CFG_OK;
	if ((error = venv_cfg_parse(&e->cfg, e->cfg_raw.buf, e->cfg_raw.len)) < 0) {
		if (error == VENV_ETOOBIG) {
			e->cfg_state = VENV_CFG_BAD;
			return problem(e, VENV_DIAG_CFG_UNREADABLE, "pyvenv.cfg",
				       "write a new pyvenv.cfg", "cannot read 'pyvenv.cfg': %s",
				       venv_error_last());
		}
		return error;
	}
	return venv_cfg_analyze(&e->facts, &e->cfg, e->cfg_raw.buf, e->cfg_raw.len);
}

static int load_bin(struct venv_model *e)
{
	DIR *d = NULL;
	struct dirent *de;
	size_t alloc = 0;
	int fd, error = 0;

	fd = openat(e->root, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			e->bin_state = VENV_DIR_ABSENT;
			return 0;
		}
		e->bin_state = VENV_DIR_BAD;
		if (errno == ELOOP || errno == ENOTDIR) {
			e->bin_state = VENV_DIR_LINK;
			return problem(e, VENV_DIAG_LINK_NOT_FOLLOWED, "bin", NULL,
				       "'bin' is not a directory (or is a symbolic link); not inspected");
		}
		return problem(e, VENV_DIAG_UNREADABLE_FILE, "bin", NULL, "cannot open 'bin': %s",
			       strerror(errno));
	}
	e->bin = fd;
	fd = openat(e->bin, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		e->bin_state = VENV_DIR_BAD;
		return problem(e, VENV_DIAG_UNREADABLE_FILE, "bin", NULL, "cannot list 'bin': %s",
			       strerror(errno));
	}
	e->bin_state = VENV_DIR_OK;
	errno = 0;
	while ((de = readdir(d))) {
		struct venv_model_entry *en;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (e->nentries == VENV_MODEL_MAX_BIN_ENTRIES) {
			error = problem(e, VENV_DIAG_WALK_LIMIT, "bin", NULL,
					"'bin' has more than %d entries; only those were inspected",
					VENV_MODEL_MAX_BIN_ENTRIES);
			break;
		}
		if ((error = VENV_ARRAY_GROW(e->entries, alloc, e->nentries + 1, 64)) < 0)
			goto done;
		en = &e->entries[e->nentries];
		memset(en, 0, sizeof(*en));
		en->interp = en->script = -1;
		if (!(en->name = strdup(de->d_name))) {
			error = oom();
			goto done;
		}
		e->nentries++;
		if (fstatat(e->bin, en->name, &en->st, AT_SYMLINK_NOFOLLOW) < 0)
			en->st.st_mode = 0;
		errno = 0;
	}
	if (errno)
		error = problem(e, VENV_DIAG_UNREADABLE_FILE, "bin", NULL, "cannot list 'bin': %s",
				strerror(errno));
	if (e->nentries)
		qsort(e->entries, e->nentries, sizeof(*e->entries), cmp_entries);
done:
	closedir(d);
	return error;
}

static int dir_nonempty(int dirfd, const char *name)
{
	DIR *d;
	struct dirent *de;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), n = 0;

	if (fd < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "__pycache__"))
			continue;
		n = 1;
		break;
	}
	closedir(d);
	return n;
}

static int load_lib(struct venv_model *e)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	int fd;

	e->lib64_present = fstatat(e->root, "lib64", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
			   errno != ENOENT;
	fd = openat(e->root, "lib", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e->lib_err = errno;
		if (errno == ENOENT) {
			e->lib_state = VENV_DIR_ABSENT;
			return 0;
		}
		e->lib_state = VENV_DIR_BAD;
		/* Like bin/: a link out of the environment is reported, never followed. */
		if (errno == ENOTDIR || errno == ELOOP) {
			e->lib_state = VENV_DIR_LINK;
			return problem(e, VENV_DIAG_LINK_NOT_FOLLOWED, "lib", NULL,
				       "'lib' is not a directory (or is a symbolic link); not inspected");
		}
		return problem(e, VENV_DIAG_UNREADABLE_FILE, "lib", NULL, "cannot open 'lib': %s",
			       strerror(errno));
	}
	if (!(d = fdopendir(fd))) {
		e->lib_err = errno;
		close(fd);
		e->lib_state = VENV_DIR_BAD;
		return 0;
	}
	e->lib_state = VENV_DIR_OK;
	/* A listing that fails half-way is not the end of lib/. */
	for (errno = 0; (de = readdir(d)); errno = 0) {
		struct venv_model_libdir *l;
		char ver[16], site[300];
		size_t n;

		if (venv_python_version_of_name(ver, sizeof(ver), de->d_name, "python") < 0 &&
		    venv_python_version_of_name(ver, sizeof(ver), de->d_name, "pypy") < 0)
			continue;
		/* A version's name is short: "python" or "pypy" and at most 15 more. */
		n = strlen(de->d_name);
		if (n >= sizeof(l->name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode) && !e->lib_link[0])
			memcpy(e->lib_link, de->d_name, n + 1);
		if (!S_ISDIR(st.st_mode))
			continue;
		/* One more than libs holds: said, so that no reader takes the rest for all. */
		if (e->nlibs == VENV_MODEL_MAX_LIBDIRS) {
			e->libs_partial = 1;
			closedir(d);
			return problem(e, VENV_DIAG_WALK_LIMIT, "lib", NULL,
				       "'lib' has more than %d pythonX.Y directories; only those were "
				       "inspected", VENV_MODEL_MAX_LIBDIRS);
		}
		l = &e->libs[e->nlibs++];
		memset(l, 0, sizeof(*l));
		snprintf(l->ver, sizeof(l->ver), "%s", ver);
		memcpy(l->name, de->d_name, n + 1);
		snprintf(site, sizeof(site), "%s/site-packages", de->d_name);
		if (fstatat(dirfd(d), site, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISDIR(st.st_mode)) {
				l->has_site = 1;
				l->site_nonempty = dir_nonempty(dirfd(d), site);
			} else if (S_ISLNK(st.st_mode)) {
				l->site_link = 1;
			}
		}
		snprintf(site, sizeof(site), "%s/os.py", de->d_name);
		l->has_stdlib = fstatat(dirfd(d), site, &st, AT_SYMLINK_NOFOLLOW) == 0;
	}
	if (errno) {
		e->lib_err = errno;
		e->libs_partial = 1;
		closedir(d);
		return problem(e, VENV_DIAG_UNREADABLE_FILE, "lib", NULL, "cannot list 'lib': %s",
			       strerror(e->lib_err));
	}
	closedir(d);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Creator and versions. */

static void detect_creator(struct venv_model *e)
{
	const char *command = venv_model_cfg_get(e, "command");

	if (venv_model_cfg_get(e, "uv")) {
		e->creator = VENV_CREATOR_UV;
	} else if (venv_model_cfg_get(e, "virtualenv")) {
		e->creator = VENV_CREATOR_VIRTUALENV;
	} else if (command) {
		const char *sp = strchr(command, ' ');
		size_t n = sp ? (size_t)(sp - command) : strlen(command);
		const char *base = command + n;

		while (base > command && base[-1] != '/')
			base--;
		if ((size_t)(command + n - base) == 4 && !strncmp(base, "venv", 4) && sp &&
		    !strncmp(sp, " create", 7))
			e->creator = VENV_CREATOR_VENV;
		else if (strstr(command, " -m venv"))
			e->creator = VENV_CREATOR_CPYTHON;
	} else if (venv_model_cfg_get(e, "version")) {
		e->creator = VENV_CREATOR_CPYTHON;
	}
}

static void set_ver(char *out, size_t size, const char *full)
{
	int a, b, m;

	if (venv_version_parse(full, &a, &b, &m) == 0)
		snprintf(out, size, "%d.%d", a, b);
}

static void detect_env_version(struct venv_model *e)
{
	size_t i;

	if (e->cfg_state == VENV_CFG_OK && e->facts.version[0]) {
		snprintf(e->env_full, sizeof(e->env_full), "%s", e->facts.version);
		set_ver(e->env_ver, sizeof(e->env_ver), e->facts.version);
	}
	/* Free-threaded builds: the library directory carries the suffix. */
	if (e->env_ver[0] && strlen(e->env_ver) + 2 <= sizeof(e->env_ver)) {
		char t[sizeof(e->env_ver)];
		size_t n = strlen(e->env_ver);

		memcpy(t, e->env_ver, n);
		t[n] = 't';
		t[n + 1] = '\0';
		if (!venv_model_find_lib(e, e->env_ver) && venv_model_find_lib(e, t))
			memcpy(e->env_ver, t, n + 2);
	}
	if (!e->env_ver[0]) {
		/* Without a recorded version: the only lib/pythonX.Y there is. */
		for (i = 0; i < e->nlibs; i++) {
			if (!e->libs[i].has_site)
				continue;
			if (e->env_ver[0]) {
				e->env_ver[0] = '\0';
				break;
			}
			snprintf(e->env_ver, sizeof(e->env_ver), "%s", e->libs[i].ver);
		}
	}
}

/*
 * Sets *pypy or *python when name is lib/'s pypyX.Y or pythonX.Y (of the
 * environment's version, if known); leaves both alone for anything else.
 */
static void note_lib_kind(const struct venv_model *e, const char *name, int *pypy, int *python)
{
	char ver[16];
	int is_pypy = !strncmp(name, "pypy", 4);

	if (venv_python_version_of_name(ver, sizeof(ver), name, is_pypy ? "pypy" : "python") < 0 ||
	    (e->env_ver[0] && strcmp(ver, e->env_ver)))
		return;
	if (is_pypy)
		*pypy = 1;
	else
		*python = 1;
}

/*
 * PyPy reads lib/pypyX.Y/site-packages, CPython (and GraalPy)
 * lib/pythonX.Y/site-packages. virtualenv and uv record which in
 * `implementation`; python -m venv does not, but PyPy's (and virtualenv)
 * put a pypy, pypy3 or pypy3.X in bin/, which CPython's never do; without
 * bin/ (list), lib/ says it: PyPy's makes lib/pypyX.Y alone (a
 * lib/pythonX.Y link counts: it is there).
 */
static void detect_lib_stem(struct venv_model *e)
{
	const char *impl = venv_model_cfg_get(e, "implementation");
	int pypy = 0, python = 0;
	size_t i;

	for (i = 0; i < e->nlibs; i++)
		note_lib_kind(e, e->libs[i].name, &pypy, &python);
	if (e->lib_link[0])
		note_lib_kind(e, e->lib_link, &pypy, &python);
	pypy = pypy && !python;
	for (i = 0; i < e->ninterps && !pypy; i++)
		pypy = !strncmp(e->interps[i].name, "pypy", 4);
	if (impl)
		pypy = !strcasecmp(impl, "pypy");
	snprintf(e->lib_stem, sizeof(e->lib_stem), "%s", pypy ? "pypy" : "python");
}

/* ------------------------------------------------------------------------ */
/* Activation scripts, and where the environment used to be. */

/*
 * Whether a script begins with the leading comment of our template for its
 * shell (templates/), as venv create and venv repair write it: then the
 * version of whoever made the environment (virtualenv before its quoting
 * fix, which pyvenv.cfg still names after repair rewrote the scripts)
 * says nothing about how the script was written. What the script holds is
 * still scanned whoever wrote it.
 */
static int is_our_script(int shell, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < venv_templates_count; i++) {
		const struct venv_template *t = &venv_templates[i];
		const char *base = strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path;
		const char *d = (const char *)t->data, *nl;
		size_t hdr = 0;

		if (venv_act_shell_for(base) != shell)
			continue;
		/* The comment lines the template starts with: no placeholder is in them. */
		while (hdr < t->len && d[hdr] == '#' && (nl = memchr(d + hdr, '\n', t->len - hdr)))
			hdr = (size_t)(nl - d) + 1;
		if (hdr >= 64 && len >= hdr && !memcmp(buf, d, hdr))
			return 1;
	}
	return 0;
}

static int load_script(struct venv_model *e, size_t entry, int shell)
{
	struct venv_model_entry *en = &e->entries[entry];
	struct venv_model_script *s = &e->scripts[e->nscripts];
	struct vbuf buf = VBUF_INIT(VBUF_MAX_SCRIPT);
	int error = 0;

	memset(s, 0, sizeof(*s));
	s->entry = entry;
	s->shell = shell;
	s->read_name = en->name;
	s->read_rc = VENV_RD_MISSING;
	en->script = (int)e->nscripts++;
	if (S_ISLNK(en->st.st_mode)) {
		int k;

		/* A link to another file of bin/ is read there; anything else is not followed. */
		if ((error = venv_model_read_link(&s->link_target, e->bin, en->name)) == VENV_ENOMEM)
			goto done;
		error = 0;
		if (s->link_target && !strchr(s->link_target, '/') &&
		    (k = venv_model_find_entry(e, s->link_target)) >= 0 &&
		    S_ISREG(e->entries[k].st.st_mode)) {
			s->read_name = e->entries[k].name;
			free(s->link_target);
			s->link_target = NULL;
		} else {
			s->read_rc = VENV_RD_LINK;
			if (!s->link_target && !(s->link_target = strdup("?")))
				error = oom();
			goto done;
		}
	} else if (!S_ISREG(en->st.st_mode)) {
		s->read_rc = VENV_RD_SPECIAL;
		goto done;
	}
	s->read_rc = venv_fs_read_capped(e->bin, s->read_name, VBUF_MAX_SCRIPT, 0, &buf, NULL,
					 &s->read_err);
	if (s->read_rc != VENV_RD_OK)
		goto done;
	if (memchr(buf.buf, '\0', buf.len)) {
		s->binary = 1;
		goto done;
	}
	s->ours = is_our_script(shell, buf.buf, buf.len);
	s->scan_rc = venv_actscan(&s->act, (enum venv_act_shell)shell, buf.buf, buf.len);
	if (s->scan_rc < 0 && s->scan_rc != VENV_ETOOBIG) {
		error = s->scan_rc;
		goto done;
	}
	if (s->act.kind == VENV_ACT_LITERAL && (error = add_old_location(e, s->act.path)) < 0)
		goto done;
done:
	vbuf_release(&buf);
	return error;
}

static int load_scripts(struct venv_model *e)
{
	size_t i, n = 0;
	int error;

	for (i = 0; i < e->nentries; i++)
		n += venv_act_shell_for(e->entries[i].name) >= 0;
	if (!n)
		return 0;
	if (!(e->scripts = calloc(n, sizeof(*e->scripts))))
		return oom();
	for (i = 0; i < e->nentries; i++) {
		int shell = venv_act_shell_for(e->entries[i].name);

		if (shell >= 0 && (error = load_script(e, i, shell)) < 0)
			return error;
	}
	return 0;
}

/* pyvenv.cfg's `command` ends with the directory the environment was made in. */
static int old_location_from_command(struct venv_model *e)
{
	const char *command = venv_model_cfg_get(e, "command"), *sp;

	if (!command || !(sp = strrchr(command, ' ')) || sp[1] != '/')
		return 0;
	return add_old_location(e, sp + 1);
}

/* ------------------------------------------------------------------------ */

static char *resolved_dir(int fd, const char *path)
{
	char proc[64], buf[PATH_MAX + 1], *real;
	struct stat st, own;
	ssize_t n;

	/* The directory held, not whatever the path names now. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	if (n > 0 && buf[0] == '/') {
		buf[n] = '\0';
		return strdup(buf);
	}
	if (!(real = realpath(path, NULL)))
		return NULL;
	if (stat(real, &st) < 0 || fstat(fd, &own) < 0 || st.st_dev != own.st_dev ||
	    st.st_ino != own.st_ino) {
		free(real);
		return NULL;
	}
	return real;
}

int venv_model_load_at(struct venv_model *e, int dirfd, const char *path, unsigned flags)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	size_t n;
	int error;

	memset(e, 0, sizeof(*e));
	e->root = e->bin = -1;
	e->main = -1;
	e->base_is64 = -1;
	vbuf_init(&e->cfg_raw, VBUF_MAX_CFG);
	e->facts.system_site = -1;
	if (!(e->disp = strdup(path)) ||
	    !(e->interps = calloc(VENV_MODEL_MAX_INTERPS, sizeof(*e->interps)))) {
		error = oom();
		goto done;
	}
	n = strlen(e->disp);
	while (n > 1 && e->disp[n - 1] == '/')
		e->disp[--n] = '\0';
	if ((error = venv_path_abspath(&abs, path)) < 0)
		goto done;
	if (!(e->abs = strdup(abs.buf))) {
		error = oom();
		goto done;
	}
	/*
	 * A new open file description of the same directory: a duplicate would
	 * share the caller's directory offset, which its own listing has moved.
	 */
	e->root = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (e->root < 0 || fstat(e->root, &e->root_st) < 0) {
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", path);
		goto done;
	}
	e->real = resolved_dir(e->root, path);
	/* Without bin/, what is read from its entries finds none. */
	if ((error = load_cfg(e)) < 0 || (!(flags & VENV_MODEL_NO_BIN) && (error = load_bin(e)) < 0) ||
	    (error = load_lib(e)) < 0 || (error = venv_model__load_interps(e)) < 0)
		goto done;
	e->unfinished = fstatat(e->root, VENV_MODEL_CREATE_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0;
	e->repair_journal = fstatat(e->root, VENV_MODEL_REPAIR_JOURNAL, &st,
				    AT_SYMLINK_NOFOLLOW) == 0;
	e->repair_trash = fstatat(e->root, VENV_MODEL_REPAIR_DELETING, &st,
				  AT_SYMLINK_NOFOLLOW) == 0;
	detect_creator(e);
	if (e->creator == VENV_CREATOR_VIRTUALENV &&
	    !(e->virtualenv_version = strdup(venv_model_cfg_get(e, "virtualenv")))) {
		error = oom();
		goto done;
	}
	detect_env_version(e);
	e->main = venv_model__pick_main(e);
	venv_model__load_interp_versions(e);
	detect_lib_stem(e);
	if ((error = load_scripts(e)) < 0 || (error = old_location_from_command(e)) < 0)
		goto done;
done:
	vbuf_release(&abs);
	return error;
}

int venv_model_load(struct venv_model *e, const char *path, unsigned flags)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK), error;

	if (fd < 0) {
		memset(e, 0, sizeof(*e));
		e->root = e->bin = -1;
		return venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s'", path);
	}
	error = venv_model_load_at(e, fd, path, flags);
	close(fd);
	return error;
}

void venv_model_release(struct venv_model *e)
{
	size_t i;

	if (e->root >= 0)
		close(e->root);
	if (e->bin >= 0)
		close(e->bin);
	free(e->disp);
	free(e->abs);
	free(e->real);
	venv_cfg_facts_release(&e->facts);
	venv_cfg_release(&e->cfg);
	vbuf_release(&e->cfg_raw);
	for (i = 0; i < e->nentries; i++)
		free(e->entries[i].name);
	free(e->entries);
	for (i = 0; e->interps && i < e->ninterps; i++) {
		free(e->interps[i].name);
		free(e->interps[i].target);
		free(e->interps[i].abs_target);
		free(e->interps[i].real);
	}
	free(e->interps);
	venv_elf_release(&e->main_elf);
	for (i = 0; i < e->nscripts; i++) {
		free(e->scripts[i].link_target);
		venv_activation_release(&e->scripts[i].act);
	}
	free(e->scripts);
	for (i = 0; i < e->nold; i++)
		free(e->old[i]);
	free(e->virtualenv_version);
	for (i = 0; i < e->nproblems; i++) {
		free(e->problems[i].relpath);
		free(e->problems[i].fix);
		free(e->problems[i].message);
	}
	free(e->problems);
	memset(e, 0, sizeof(*e));
	e->root = e->bin = -1;
}

/*
 * The rest of absolute path p below the environment's place, or below one
 * of its old places (poetry writes RECORD rows as absolute paths, which a
 * move leaves naming the old place); NULL when it is elsewhere.
 */
const char *venv_record_abs_rest(const struct venv_model *env, const char *p)
{
	size_t i, n;

	if (env->abs && (n = strlen(env->abs)) && !strncmp(p, env->abs, n) && p[n] == '/')
		return p + n + 1;
	for (i = 0; i < env->nold; i++)
		if (env->old[i] && (n = strlen(env->old[i])) && !strncmp(p, env->old[i], n) &&
		    p[n] == '/')
			return p + n + 1;
	return NULL;
}
