/*
 * venv check as a library: one environment at a time, nothing executed.
 *
 * The order of the work: open the environment, read pyvenv.cfg, list bin/
 * and lib/, decide whether this is an environment at all, then look at
 * the interpreter and the base installation it leads to, pyvenv.cfg's
 * keys, the activation scripts (which tell where the environment used to
 * be), the console scripts' interpreters, and finally walk the tree for
 * permissions, special files, extension modules and .pth files.
 */
#include "compat.h"
#include <dirent.h>
#include <strings.h>
#include "actscan.h"
#include "cfg.h"
#include "cfgcheck.h"
#include "elf.h"
#include "error.h"
#include "inspect.h"
#include "path.h"
#include "regex.h"
#include "shebang.h"

#define MAX_BIN_ENTRIES 100000
#define MAX_INTERPS 32
#define MAX_LIBDIRS 16
#define MAX_OLD 8
#define SHEBANG_READ 4096
#define PTH_MAX ((size_t)1024 * 1024)
#define PATCHLEVEL_MAX ((size_t)64 * 1024)
#define COMPARE_MAX ((uint64_t)512 * 1024 * 1024)
#define LINK_MAX_HOPS 40

/*
 * The marker venv create writes before anything else and removes when it
 * is done (create/builder.c, INCOMPLETE_MARKER): while it exists, the
 * creation (or a --clear) did not finish.
 */
#define CREATE_MARKER ".venv-incomplete"

enum ikind {
	IK_LINK_INTERNAL,   /* a link to another entry of bin/ */
	IK_LINK_EXTERNAL,   /* a link out of the environment */
	IK_COPY,            /* a regular file */
	IK_OTHER            /* a directory, FIFO, ... */
};

enum istatus {
	IS_OK,
	IS_DANGLING,
	IS_LOOP,
	IS_NOT_EXEC,
	IS_NOT_FILE,
	IS_UNKNOWN
};

struct interp {
	char *name;
	enum ikind kind;
	char *target;        /* readlink() */
	char *abs_target;    /* external: absolute */
	char *real;          /* external: realpath() of the target */
	size_t entry;        /* its index in bin entries */
	int alias;           /* internal: index in bin entries, -1 when missing */
	enum istatus status;
	int err;
	struct stat st;      /* lstat of the entry */
};

struct bin_entry {
	char *name;
	struct stat st;
	int interp;          /* index into interps, or -1 */
};

struct libdir {
	char ver[16];        /* "3.12", "3.13t" */
	int has_site;
	int site_nonempty;
	int has_stdlib;      /* os.py: a Python installation, not an environment */
};

struct ctx {
	struct venv_report *r;
	const struct venv_check_options *opts;
	int root;
	struct stat root_st;
	char *disp;           /* the path as given, without trailing slashes */
	char *abs;            /* absolute, normalised, not resolved */
	char *real;           /* realpath(), or NULL */

	int cfg_state;        /* CFG_* */
	uint64_t cfg_size;
	struct venv_cfg cfg;
	struct vbuf cfg_raw;
	struct venv_cfg_facts facts;

	int bin;              /* fd of bin/, or -1 */
	int bin_state;        /* DIR_* */
	struct bin_entry *entries;
	size_t nentries;
	struct interp *interps;   /* MAX_INTERPS of them */
	size_t ninterps;
	int main;             /* index into interps, or -1 */

	int lib_state;
	struct libdir libs[MAX_LIBDIRS];
	size_t nlibs;

	char env_ver[16];     /* X.Y the environment was made for */
	char env_full[32];    /* X.Y.Z from pyvenv.cfg */
	char bin_ver[16];     /* X.Y of the interpreter that runs */
	char active_ver[16];  /* bin_ver, else env_ver */
	int base_is64;        /* -1 unknown */

	char *old[MAX_OLD];   /* where the environment used to be */
	size_t nold;

	int not_venv;
	int unfinished;
	enum venv_creator creator;
	char *virtualenv_version;
};

enum { CFG_ABSENT, CFG_OK, CFG_BAD, CFG_LINK };
enum { DIR_ABSENT, DIR_OK, DIR_BAD };

/* ------------------------------------------------------------------------ */
/* Small helpers. */

static int add(struct ctx *c, int code, const char *rel, unsigned line, const char *fix,
	       const char *fmt, ...) VENV_PRINTF(6, 7);

static int add(struct ctx *c, int code, const char *rel, unsigned line, const char *fix,
	       const char *fmt, ...)
{
	struct vbuf file = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	va_list ap;
	int error = 0;

	if (rel) {
		if (rel[0] == '/' || !strcmp(c->disp, "."))
			error = vbuf_sets(&file, rel);
		else
			error = vbuf_addf(&file, "%s%s%s", c->disp,
					  c->disp[strlen(c->disp) - 1] == '/' ? "" : "/", rel);
	}
	va_start(ap, fmt);
	if (!error && vbuf_vaddf(&msg, fmt, ap) < 0) {
		vbuf_reset(&msg);
		error = vbuf_adds(&msg, "(message too long)");
	}
	va_end(ap);
	if (!error)
		error = venv_report_add(c->r, code, rel ? file.buf : NULL, line, fix, "%s", msg.buf);
	vbuf_release(&file);
	vbuf_release(&msg);
	return error;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

/* readlinkat() into a fresh string, capped. */
static int read_link(char **out, int dirfd, const char *name)
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

enum read_result {
	RD_OK = 0,
	RD_MISSING = -100,
	RD_LINK,
	RD_SPECIAL,
	RD_TOO_BIG,
	RD_DENIED,
	RD_IOERR
};

/*
 * Read a regular file inside the environment: never through a symbolic
 * link, never opening anything but a regular file (so FIFOs and devices
 * are never opened, let alone read), at most cap bytes. With partial, a
 * longer file is read up to cap; without, it is refused. errno_out
 * receives the errno of a failure.
 */
static int read_file(int dirfd, const char *name, size_t cap, int partial, struct vbuf *out,
		     struct stat *st_out, int *errno_out)
{
	struct stat st, st2;
	char chunk[16384];
	int fd, rc = RD_OK;

	vbuf_reset(out);
	*errno_out = 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		*errno_out = errno;
		return errno == ENOENT || errno == ENOTDIR ? RD_MISSING :
		       errno == EACCES ? RD_DENIED : RD_IOERR;
	}
	if (st_out)
		*st_out = st;
	if (S_ISLNK(st.st_mode))
		return RD_LINK;
	if (!S_ISREG(st.st_mode))
		return RD_SPECIAL;
	if (!partial && (uint64_t)st.st_size > cap)
		return RD_TOO_BIG;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*errno_out = errno;
		return errno == ELOOP ? RD_LINK : errno == EACCES ? RD_DENIED :
		       errno == ENOENT ? RD_MISSING : RD_IOERR;
	}
	/* The file may have been swapped between the two looks. */
	if (fstat(fd, &st2) < 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino ||
	    st2.st_dev != st.st_dev) {
		rc = RD_SPECIAL;
		goto done;
	}
	while (out->len < cap) {
		size_t want = cap - out->len < sizeof(chunk) ? cap - out->len : sizeof(chunk);
		ssize_t n = read(fd, chunk, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*errno_out = errno;
			rc = RD_IOERR;
			goto done;
		}
		if (n == 0)
			break;
		if (vbuf_add(out, chunk, (size_t)n) < 0) {
			rc = RD_TOO_BIG;
			goto done;
		}
	}
	if (!partial && out->len >= cap) {
		/* The file grew past the cap after fstat. */
		char extra;

		if (read(fd, &extra, 1) > 0)
			rc = RD_TOO_BIG;
	}
done:
	close(fd);
	return rc;
}

/* Report a read_file() failure of a file the check needed. */
static int report_read(struct ctx *c, int rc, int err, const char *rel, const char *what)
{
	switch (rc) {
	case RD_LINK:
		return add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0, NULL,
			   "'%s' is a symbolic link; not followed, not inspected", what);
	case RD_SPECIAL:
		return add(c, VENV_DIAG_SPECIAL_FILE, rel, 0, NULL,
			   "'%s' is not a regular file; not opened", what);
	case RD_TOO_BIG:
		return add(c, VENV_DIAG_FILE_TOO_LARGE, rel, 0, NULL,
			   "'%s' is larger than check reads; not inspected", what);
	case RD_DENIED:
	case RD_IOERR:
		return add(c, VENV_DIAG_UNREADABLE_FILE, rel, 0, NULL, "cannot read '%s': %s", what,
			   strerror(err ? err : EIO));
	default:
		return 0;
	}
}

static int is_interp_name(const char *name)
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

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct bin_entry *)a)->name, ((const struct bin_entry *)b)->name);
}

static int find_entry(const struct ctx *c, const char *name)
{
	size_t lo = 0, hi = c->nentries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->entries[mid].name, name);

		if (!d)
			return (int)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Whether an absolute path lies inside the environment; *rel points at the rest. */
static int in_env(const struct ctx *c, const char *path, const char **rel)
{
	const char *bases[2];
	size_t i;

	bases[0] = c->abs;
	bases[1] = c->real;
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

static int same_dir_as_env(const struct ctx *c, const char *path)
{
	struct stat st;

	if (!strcmp(path, c->abs) || (c->real && !strcmp(path, c->real)))
		return 1;
	return stat(path, &st) == 0 && st.st_dev == c->root_st.st_dev &&
	       st.st_ino == c->root_st.st_ino;
}

static int is_old_location(const struct ctx *c, const char *dir)
{
	size_t i;

	for (i = 0; i < c->nold; i++)
		if (!strcmp(c->old[i], dir))
			return 1;
	return 0;
}

static int add_old_location(struct ctx *c, const char *dir)
{
	if (!dir || dir[0] != '/' || is_old_location(c, dir) || same_dir_as_env(c, dir))
		return 0;
	if (c->nold == MAX_OLD)
		return 0;
	if (!(c->old[c->nold] = strdup(dir)))
		return oom();
	c->nold++;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Loading: pyvenv.cfg, bin/, lib/. */

static int load_cfg(struct ctx *c)
{
	struct stat st;
	int err, rc, error = 0;

	memset(&st, 0, sizeof(st));
	rc = read_file(c->root, "pyvenv.cfg", VBUF_MAX_CFG, 0, &c->cfg_raw, &st, &err);
	if (rc != RD_MISSING && S_ISREG(st.st_mode))
		c->cfg_size = (uint64_t)st.st_size;
	if (rc == RD_MISSING) {
		c->cfg_state = CFG_ABSENT;
		return 0;
	}
	if (rc == RD_LINK) {
		c->cfg_state = CFG_LINK;
		return add(c, VENV_DIAG_CFG_SYMLINK, "pyvenv.cfg", 0,
			   "replace the link with a regular pyvenv.cfg",
			   "'pyvenv.cfg' is a symbolic link; Python follows it, check does not");
	}
	if (rc == RD_TOO_BIG) {
		/* Python reads it, slowly; check does not: nothing is known of it. */
		c->cfg_state = CFG_BAD;
		return add(c, VENV_DIAG_FILE_TOO_LARGE, "pyvenv.cfg", 0, NULL,
			   "'pyvenv.cfg' is larger than %zu bytes; not inspected", (size_t)VBUF_MAX_CFG);
	}
	if (rc != RD_OK) {
		c->cfg_state = CFG_BAD;
		return add(c, VENV_DIAG_CFG_UNREADABLE, "pyvenv.cfg", 0, "write a new pyvenv.cfg",
			   "cannot read 'pyvenv.cfg': %s",
			   rc == RD_SPECIAL ? "not a regular file" :
			   rc == RD_TOO_BIG ? "larger than a configuration file can be" :
			   strerror(err ? err : EIO));
	}
	c->cfg_state = CFG_OK;
	if ((error = venv_cfg_parse(&c->cfg, c->cfg_raw.buf, c->cfg_raw.len)) < 0) {
		if (error == VENV_ETOOBIG) {
			c->cfg_state = CFG_BAD;
			return add(c, VENV_DIAG_CFG_UNREADABLE, "pyvenv.cfg", 0, "write a new pyvenv.cfg",
				   "cannot read 'pyvenv.cfg': %s", venv_error_last());
		}
		return error;
	}
	return venv_cfg_analyze(&c->facts, &c->cfg, c->cfg_raw.buf, c->cfg_raw.len);
}

static int load_bin(struct ctx *c)
{
	DIR *d = NULL;
	struct dirent *de;
	size_t alloc = 0;
	int fd, error = 0;

	c->bin = -1;
	fd = openat(c->root, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			c->bin_state = DIR_ABSENT;
			return 0;
		}
		c->bin_state = DIR_BAD;
		if (errno == ELOOP || errno == ENOTDIR)
			return add(c, VENV_DIAG_LINK_NOT_FOLLOWED, "bin", 0, NULL,
				   "'bin' is not a directory (or is a symbolic link); not inspected");
		return add(c, VENV_DIAG_UNREADABLE_FILE, "bin", 0, NULL, "cannot open 'bin': %s",
			   strerror(errno));
	}
	c->bin = fd;
	fd = dup(c->bin);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		c->bin_state = DIR_BAD;
		return add(c, VENV_DIAG_UNREADABLE_FILE, "bin", 0, NULL, "cannot list 'bin': %s",
			   strerror(errno));
	}
	c->bin_state = DIR_OK;
	errno = 0;
	while ((de = readdir(d))) {
		struct bin_entry *e;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (c->nentries == MAX_BIN_ENTRIES) {
			error = add(c, VENV_DIAG_WALK_LIMIT, "bin", 0, NULL,
				    "'bin' has more than %d entries; only those were inspected",
				    MAX_BIN_ENTRIES);
			break;
		}
		if (c->nentries == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct bin_entry *p = realloc(c->entries, na * sizeof(*p));

			if (!p) {
				error = oom();
				goto done;
			}
			c->entries = p;
			alloc = na;
		}
		e = &c->entries[c->nentries];
		memset(e, 0, sizeof(*e));
		e->interp = -1;
		if (!(e->name = strdup(de->d_name))) {
			error = oom();
			goto done;
		}
		c->nentries++;
		if (fstatat(c->bin, e->name, &e->st, AT_SYMLINK_NOFOLLOW) < 0)
			e->st.st_mode = 0;
		errno = 0;
	}
	if (errno)
		error = add(c, VENV_DIAG_UNREADABLE_FILE, "bin", 0, NULL, "cannot list 'bin': %s",
			    strerror(errno));
	if (c->nentries)
		qsort(c->entries, c->nentries, sizeof(*c->entries), cmp_entries);
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

static int load_lib(struct ctx *c)
{
	DIR *d;
	struct dirent *de;
	int fd = openat(c->root, "lib", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		c->lib_state = errno == ENOENT ? DIR_ABSENT : DIR_BAD;
		if (c->lib_state == DIR_BAD && errno != ENOTDIR && errno != ELOOP)
			return add(c, VENV_DIAG_UNREADABLE_FILE, "lib", 0, NULL,
				   "cannot open 'lib': %s", strerror(errno));
		return 0;
	}
	if (!(d = fdopendir(fd))) {
		close(fd);
		c->lib_state = DIR_BAD;
		return 0;
	}
	c->lib_state = DIR_OK;
	while ((de = readdir(d)) && c->nlibs < MAX_LIBDIRS) {
		struct libdir *l;
		struct stat st;
		char ver[16], site[300];

		if (venv_python_version_of_name(ver, sizeof(ver), de->d_name, "python") < 0 &&
		    venv_python_version_of_name(ver, sizeof(ver), de->d_name, "pypy") < 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		l = &c->libs[c->nlibs++];
		memset(l, 0, sizeof(*l));
		snprintf(l->ver, sizeof(l->ver), "%s", ver);
		snprintf(site, sizeof(site), "%s/site-packages", de->d_name);
		if (fstatat(dirfd(d), site, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			l->has_site = 1;
			l->site_nonempty = dir_nonempty(dirfd(d), site);
		}
		snprintf(site, sizeof(site), "%s/os.py", de->d_name);
		l->has_stdlib = fstatat(dirfd(d), site, &st, AT_SYMLINK_NOFOLLOW) == 0;
	}
	closedir(d);
	return 0;
}

static const struct libdir *find_lib(const struct ctx *c, const char *ver)
{
	size_t i;

	for (i = 0; i < c->nlibs; i++)
		if (!strcmp(c->libs[i].ver, ver))
			return &c->libs[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Creator and versions. */

static const char *cfg_get(const struct ctx *c, const char *key)
{
	return c->cfg_state == CFG_OK ? venv_cfg_get_first(&c->cfg, key) : NULL;
}

static void detect_creator(struct ctx *c)
{
	const char *command = cfg_get(c, "command");

	if (cfg_get(c, "uv")) {
		c->creator = VENV_CREATOR_UV;
	} else if (cfg_get(c, "virtualenv")) {
		c->creator = VENV_CREATOR_VIRTUALENV;
		c->virtualenv_version = xstrdup(cfg_get(c, "virtualenv"));
	} else if (command) {
		const char *sp = strchr(command, ' ');
		size_t n = sp ? (size_t)(sp - command) : strlen(command);
		const char *base = command + n;

		while (base > command && base[-1] != '/')
			base--;
		if ((size_t)(command + n - base) == 4 && !strncmp(base, "venv", 4) && sp &&
		    !strncmp(sp, " create", 7))
			c->creator = VENV_CREATOR_VENV;
		else if (strstr(command, " -m venv"))
			c->creator = VENV_CREATOR_CPYTHON;
	} else if (cfg_get(c, "version")) {
		c->creator = VENV_CREATOR_CPYTHON;
	}
	c->r->creator = c->creator;
}

static void set_ver(char *out, size_t size, const char *full)
{
	int a, b, m;

	if (venv_version_parse(full, &a, &b, &m) == 0)
		snprintf(out, size, "%d.%d", a, b);
}

static int minor_of(const char *ver)
{
	int a, b, m;

	if (venv_version_parse(ver, &a, &b, &m) < 0 || a != 3)
		return -1;
	return b;
}

static int detect_env_version(struct ctx *c)
{
	size_t i;

	if (c->cfg_state == CFG_OK && c->facts.version[0]) {
		snprintf(c->env_full, sizeof(c->env_full), "%s", c->facts.version);
		set_ver(c->env_ver, sizeof(c->env_ver), c->facts.version);
		if (!(c->r->version = strdup(c->facts.version)))
			return oom();
	}
	/* Free-threaded builds: the library directory carries the suffix. */
	if (c->env_ver[0] && strlen(c->env_ver) + 2 <= sizeof(c->env_ver)) {
		char t[sizeof(c->env_ver)];
		size_t n = strlen(c->env_ver);

		memcpy(t, c->env_ver, n);
		t[n] = 't';
		t[n + 1] = '\0';
		if (!find_lib(c, c->env_ver) && find_lib(c, t))
			memcpy(c->env_ver, t, n + 2);
	}
	if (!c->env_ver[0]) {
		/* Without a recorded version: the only lib/pythonX.Y there is. */
		for (i = 0; i < c->nlibs; i++) {
			if (!c->libs[i].has_site)
				continue;
			if (c->env_ver[0]) {
				c->env_ver[0] = '\0';
				break;
			}
			snprintf(c->env_ver, sizeof(c->env_ver), "%s", c->libs[i].ver);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Interpreters. */

static enum istatus status_of_stat(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return IS_NOT_FILE;
	if (!(st->st_mode & 0111))
		return IS_NOT_EXEC;
	return IS_OK;
}

static int load_interps(struct ctx *c)
{
	size_t i, k;
	int error = 0;

	k = c->ninterps;
	for (i = 0; i < c->nentries && k < MAX_INTERPS; i++) {
		struct bin_entry *e = &c->entries[i];
		struct interp *in;

		if (!is_interp_name(e->name))
			continue;
		in = &c->interps[k++];
		c->ninterps = k;
		/* The slot is still zero from calloc(). */
		in->entry = i;
		in->alias = -1;
		in->st = e->st;
		if (!(in->name = strdup(e->name)))
			return oom();
		if (S_ISLNK(e->st.st_mode)) {
			if ((error = read_link(&in->target, c->bin, e->name)) < 0) {
				if (error == VENV_ENOMEM)
					return error;
				in->kind = IK_OTHER;
				in->status = IS_UNKNOWN;
				continue;
			}
			if (!in->target) {
				in->kind = IK_OTHER;
				in->status = IS_UNKNOWN;
				continue;
			}
			if (!strchr(in->target, '/')) {
				in->kind = IK_LINK_INTERNAL;
				in->alias = find_entry(c, in->target);
				continue;
			}
			in->kind = IK_LINK_EXTERNAL;
			{
				struct vbuf t = VBUF_INIT(VBUF_MAX_PATH), b = VBUF_INIT(VBUF_MAX_PATH);
				struct stat st;
				char *real;

				if (in->target[0] == '/')
					error = venv_path_normalize(&t, in->target);
				else if ((error = venv_path_join(&b, c->abs, "bin")) >= 0 &&
					 (error = venv_path_join(&b, b.buf, in->target)) >= 0)
					error = venv_path_normalize(&t, b.buf);
				if (error >= 0 && !(in->abs_target = strdup(t.buf)))
					error = oom();
				vbuf_release(&t);
				vbuf_release(&b);
				if (error < 0 || !in->abs_target)
					return error < 0 ? error : oom();
				if (stat(in->abs_target, &st) < 0) {
					in->err = errno;
					in->status = errno == ENOENT || errno == ENOTDIR ? IS_DANGLING :
						     errno == ELOOP ? IS_LOOP : IS_UNKNOWN;
					continue;
				}
				in->status = status_of_stat(&st);
				real = realpath(in->abs_target, NULL);
				in->real = real;
			}
		} else if (S_ISREG(e->st.st_mode)) {
			in->kind = IK_COPY;
			in->status = status_of_stat(&e->st);
		} else {
			in->kind = IK_OTHER;
			in->status = e->st.st_mode ? IS_NOT_FILE : IS_UNKNOWN;
		}
	}
	/* Then the way back, from entries to interpreters. */
	for (i = 0; i < c->ninterps; i++)
		c->entries[c->interps[i].entry].interp = (int)i;
	return 0;
}

/*
 * The final status of interpreter i, following aliases inside bin/; *root
 * receives the interpreter at the end of the chain (or -1).
 */
static enum istatus resolve_status(const struct ctx *c, int i, int *root)
{
	int hops = 0;

	*root = -1;
	while (hops++ < LINK_MAX_HOPS) {
		const struct interp *in = &c->interps[i];
		const struct bin_entry *e;

		if (in->kind != IK_LINK_INTERNAL) {
			*root = i;
			return in->status;
		}
		if (in->alias < 0)
			return IS_DANGLING;
		e = &c->entries[in->alias];
		if (e->interp < 0) {
			/* A link to some other file of bin/. */
			if (S_ISLNK(e->st.st_mode))
				return IS_UNKNOWN;
			return status_of_stat(&e->st);
		}
		i = e->interp;
	}
	return IS_LOOP;
}

static int pick_main(struct ctx *c)
{
	char want[32];
	const char *order[4];
	size_t i, k;

	snprintf(want, sizeof(want), "python%s", c->env_ver);
	order[0] = c->env_ver[0] ? want : "";
	order[1] = "python3";
	order[2] = "python";
	order[3] = NULL;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < c->ninterps; i++) {
			const struct interp *in = &c->interps[i];

			if (in->kind != IK_LINK_INTERNAL && !strcmp(in->name, order[k]))
				return (int)i;
		}
	}
	for (i = 0; i < c->ninterps; i++)
		if (c->interps[i].kind != IK_LINK_INTERNAL)
			return (int)i;
	/* Only aliases: the one they point to may be a non-interpreter file. */
	for (i = 0; i < c->ninterps; i++) {
		int root;

		resolve_status(c, (int)i, &root);
		if (root >= 0)
			return root;
	}
	return -1;
}

static int check_interps(struct ctx *c)
{
	char rel[300];
	size_t i;
	int error = 0;

	for (i = 0; i < c->ninterps; i++) {
		const struct interp *in = &c->interps[i];
		int root;
		enum istatus st = resolve_status(c, (int)i, &root);

		snprintf(rel, sizeof(rel), "bin/%s", in->name);
		if (in->kind == IK_LINK_EXTERNAL) {
			if (st == IS_DANGLING) {
				struct stat hs;
				const char *home = c->facts.home_first;
				int home_gone = home && stat(home, &hs) < 0;

				error = add(c, VENV_DIAG_DANGLING_INTERPRETER_LINK, rel, 0,
					    "relink to the base upgraded in place, or to another one "
					    "('venv repair --upgrade [--python PYTHON]')",
					    "'%s' links to '%s', which does not exist%s%s%s", rel,
					    in->target, home_gone ? " (and `home` '" : "",
					    home_gone ? home : "", home_gone ? "' is gone too)" : "");
			} else if (st == IS_LOOP || st == IS_NOT_EXEC || st == IS_NOT_FILE) {
				error = add(c, VENV_DIAG_BAD_INTERPRETER, rel, 0,
					    "recreate the interpreter link",
					    "'%s' links to '%s', which %s", rel, in->target,
					    st == IS_LOOP ? "is a symbolic link loop" :
					    st == IS_NOT_EXEC ? "is not executable" : "is not a file");
			}
		} else if (in->kind == IK_LINK_INTERNAL) {
			/* Report an alias only when it is itself the broken link. */
			if (in->alias < 0)
				error = add(c, VENV_DIAG_DANGLING_INTERPRETER_LINK, rel, 0,
					    "recreate the link to the environment's interpreter",
					    "'%s' links to '%s', which is not in 'bin'", rel, in->target);
			else if (st == IS_LOOP && root < 0)
				error = add(c, VENV_DIAG_BAD_INTERPRETER, rel, 0,
					    "recreate the link to the environment's interpreter",
					    "'%s' is part of a symbolic link loop", rel);
		} else if (st == IS_NOT_EXEC || st == IS_NOT_FILE) {
			error = add(c, VENV_DIAG_BAD_INTERPRETER, rel, 0,
				    "copy the interpreter again",
				    "'%s' %s", rel, st == IS_NOT_EXEC ? "is not executable" :
				    "is not a regular file");
		}
		if (error < 0)
			return error;
	}
	return 0;
}

static int check_aliases(struct ctx *c)
{
	char fix[400], name[32];
	const char *target;
	int error = 0, minor = minor_of(c->env_ver);

	if (c->unfinished || c->bin_state != DIR_OK || !c->ninterps)
		return 0;
	target = c->main >= 0 ? c->interps[c->main].name : c->interps[0].name;
	if (find_entry(c, "python") < 0) {
		snprintf(fix, sizeof(fix), "create the link 'bin/python' -> '%s'", target);
		if ((error = add(c, VENV_DIAG_MISSING_PYTHON, "bin/python", 0, fix,
				 "'bin/python' is missing")) < 0)
			return error;
	}
	if (find_entry(c, "python3") < 0 && (minor >= 0 || !c->env_ver[0])) {
		snprintf(fix, sizeof(fix), "create the link 'bin/python3' -> '%s'", target);
		if ((error = add(c, VENV_DIAG_MISSING_INTERPRETER_ALIAS, "bin/python3", 0, fix,
				 "'bin/python3' is missing")) < 0)
			return error;
	}
	/* CPython makes pythonX.Y from 3.9 on; virtualenv and uv always. */
	if (c->env_ver[0] && minor >= 0 &&
	    (minor >= 9 || c->creator == VENV_CREATOR_VIRTUALENV || c->creator == VENV_CREATOR_UV)) {
		char rel[64];

		snprintf(name, sizeof(name), "python%s", c->env_ver);
		snprintf(rel, sizeof(rel), "bin/%s", name);
		if (find_entry(c, name) < 0) {
			snprintf(fix, sizeof(fix), "create the link '%s' -> '%s'", rel, target);
			error = add(c, VENV_DIAG_MISSING_INTERPRETER_ALIAS, rel, 0, fix,
				    "'%s' is missing", rel);
		}
	}
	return error;
}

/* ------------------------------------------------------------------------ */
/* The base installation. */

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Look for lib/python<ver>/os.py (or os.pyc) at dir and its parents, as getpath does. */
static int search_landmark(struct vbuf *prefix_out, const char *start, const char *ver)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), cand = VBUF_INIT(VBUF_MAX_PATH);
	int found = 0, error;

	if ((error = venv_path_normalize(&dir, start)) < 0)
		goto done;
	for (;;) {
		vbuf_reset(&cand);
		if ((error = vbuf_addf(&cand, "%s/lib/python%s/os.py",
				       strcmp(dir.buf, "/") ? dir.buf : "", ver)) < 0)
			goto done;
		if (file_exists(cand.buf) || (vbuf_addch(&cand, 'c') == 0 && file_exists(cand.buf))) {
			found = 1;
			error = vbuf_sets(prefix_out, dir.buf);
			goto done;
		}
		if (!strcmp(dir.buf, "/") || !strchr(dir.buf, '/'))
			break;
		if ((error = venv_path_dirname(&cand, dir.buf)) < 0 ||
		    (error = vbuf_sets(&dir, cand.buf)) < 0)
			goto done;
		if (!dir.len)
			break;
	}
done:
	vbuf_release(&dir);
	vbuf_release(&cand);
	return error < 0 ? error : found;
}

/* The landmark at exactly prefix (the compiled-in prefix is not searched upwards). */
static int landmark_at(const char *prefix, const char *ver)
{
	char path[PATH_MAX + 64];

	if (snprintf(path, sizeof(path), "%s/lib/python%s/os.py", prefix, ver) >= (int)sizeof(path))
		return 0;
	if (file_exists(path))
		return 1;
	if (snprintf(path, sizeof(path), "%s/lib/python%s/os.pyc", prefix, ver) >= (int)sizeof(path))
		return 0;
	return file_exists(path);
}

static int parent_of_parent(struct vbuf *out, const char *path)
{
	struct vbuf t = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if ((error = venv_path_dirname(&t, path)) >= 0)
		error = venv_path_dirname(out, t.buf);
	vbuf_release(&t);
	return error;
}

/* Read PY_VERSION from <prefix>/include/python<ver>/patchlevel.h. */
static int base_patchlevel(char *out, size_t size, const char *prefix, const char *ver)
{
	struct vbuf buf = VBUF_INIT(PATCHLEVEL_MAX);
	char dir[PATH_MAX + 64];
	const char *p;
	int fd, err, rc, found = 0;

	out[0] = '\0';
	if (snprintf(dir, sizeof(dir), "%s/include/python%s", prefix, ver) >= (int)sizeof(dir))
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	rc = read_file(fd, "patchlevel.h", PATCHLEVEL_MAX, 0, &buf, NULL, &err);
	close(fd);
	if (rc == RD_OK && (p = strstr(buf.buf, "#define PY_VERSION"))) {
		const char *q = strchr(p, '"'), *e;

		if (q && (e = strchr(q + 1, '"')) && (size_t)(e - q - 1) < size) {
			memcpy(out, q + 1, (size_t)(e - q - 1));
			out[e - q - 1] = '\0';
			found = 1;
		}
	}
	vbuf_release(&buf);
	return found;
}

/* Open a file outside the environment for reading its header: regular files only. */
static int open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Compare two regular files: 1 when they differ, 0 when equal, -1 when unknown. */
static int files_differ(int a, int b)
{
	struct stat sa, sb;
	char ba[65536], bb[65536];
	uint64_t done = 0;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return -1;
	if (sa.st_size != sb.st_size)
		return 1;
	if ((uint64_t)sa.st_size > COMPARE_MAX)
		return -1;
	while (done < (uint64_t)sa.st_size) {
		ssize_t na = pread(a, ba, sizeof(ba), (off_t)done);
		ssize_t nb = pread(b, bb, sizeof(bb), (off_t)done);

		if (na <= 0 || nb != na)
			return -1;
		if (memcmp(ba, bb, (size_t)na))
			return 1;
		done += (uint64_t)na;
	}
	return 0;
}

/* Does the libpython a copied interpreter needs exist where its RUNPATH says? */
static int libpython_present(const struct venv_elf_info *elf, const char *bin_dir,
			     struct vbuf *where)
{
	const char *p = elf->runpath;

	if (!elf->libpython || !elf->runpath || !*elf->runpath)
		return 1;
	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char dir[PATH_MAX], path[PATH_MAX + 300];

		if (n && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = '\0';
			if (!strncmp(dir, "$ORIGIN", 7) || !strncmp(dir, "${ORIGIN}", 9)) {
				const char *rest = dir + (dir[1] == '{' ? 9 : 7);

				snprintf(path, sizeof(path), "%s%s/%s", bin_dir, rest, elf->libpython);
			} else {
				snprintf(path, sizeof(path), "%s/%s", dir, elf->libpython);
			}
			if (file_exists(path))
				return 1;
			if (!where->len)
				vbuf_sets(where, dir);
		}
		p = colon ? colon + 1 : NULL;
	}
	return 0;
}

static int check_base(struct ctx *c)
{
	struct venv_elf_info elf = VENV_ELF_INFO_INIT;
	struct vbuf start = VBUF_INIT(VBUF_MAX_PATH), prefix = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf where = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf bin_dir = VBUF_INIT(VBUF_MAX_PATH);
	const struct interp *in;
	const char *home_gp = NULL, *ver, *exe_real = NULL;
	char rel[300], fix[2 * PATH_MAX + 400], patch[32];
	int error = 0, fd, found = 0, fallback = 0, minor, status_ok;

	c->base_is64 = -1;
	if (c->main < 0)
		goto done;
	in = &c->interps[c->main];
	snprintf(rel, sizeof(rel), "bin/%s", in->name);
	status_ok = in->status == IS_OK;
	if (!status_ok && in->kind != IK_COPY)
		goto done;
	if ((error = venv_path_join(&bin_dir, c->abs, "bin")) < 0)
		goto done;

	/* Which Python is it? Its libpython says so, whatever the file is called. */
	if (in->kind == IK_COPY) {
		fd = openat(c->bin, in->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	} else {
		exe_real = in->real ? in->real : in->abs_target;
		fd = open_regular(exe_real);
	}
	if (fd >= 0) {
		if (venv_elf_parse_fd(&elf, fd) < 0)
			memset(&elf, 0, sizeof(elf));
		close(fd);
	}
	if (elf.is_elf)
		c->base_is64 = elf.is64;
	if (elf.libpython)
		venv_python_version_of_name(c->bin_ver, sizeof(c->bin_ver), elf.libpython, "libpython");
	if (!c->bin_ver[0] && exe_real) {
		const char *b = strrchr(exe_real, '/');

		venv_python_version_of_name(c->bin_ver, sizeof(c->bin_ver), b ? b + 1 : exe_real,
					    "python");
	}
	if (!c->bin_ver[0] && in->kind == IK_COPY)
		venv_python_version_of_name(c->bin_ver, sizeof(c->bin_ver), in->name, "python");
	snprintf(c->active_ver, sizeof(c->active_ver), "%s", c->bin_ver[0] ? c->bin_ver : c->env_ver);

	/* A base upgraded to another minor version: the worst of the common cases. */
	if (c->bin_ver[0] && c->env_ver[0] && strcmp(c->bin_ver, c->env_ver)) {
		if ((error = add(c, VENV_DIAG_BASE_VERSION_MISMATCH, rel, 0,
				 "install the packages again for the new version ('venv repair --upgrade')",
				 "the environment was made for Python %s but '%s' now runs Python %s"
				 "%s%s%s; packages in 'lib/python%s' are invisible to it",
				 c->env_ver, rel, c->bin_ver, exe_real ? " ('" : "",
				 exe_real ? exe_real : "", exe_real ? "')" : "", c->env_ver)) < 0)
			goto done;
	}

	ver = c->active_ver;
	if (!ver[0])
		goto done;
	minor = minor_of(ver);

	/* Where getpath starts looking for the standard library. */
	if (minor >= 11 || minor < 0)
		home_gp = c->facts.home_first;
	else if (in->kind == IK_COPY && c->facts.strict_home_found)
		home_gp = c->facts.strict_home;
	if (in->kind == IK_COPY)
		error = vbuf_sets(&start, home_gp ? home_gp : bin_dir.buf);
	else if (minor >= 11 && home_gp)
		error = vbuf_sets(&start, home_gp);
	else
		error = venv_path_dirname(&start, exe_real);
	if (error < 0)
		goto done;
	if (start.len && start.buf[0] == '/' &&
	    (found = search_landmark(&prefix, start.buf, ver)) < 0) {
		error = found;
		goto done;
	}

	/* Not found: Python falls back on its compiled-in prefix. */
	if (!found) {
		const char *cands[6];
		size_t k, n = 0;
		struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);

		if (exe_real && (error = parent_of_parent(&tmp, exe_real)) >= 0 && tmp.len)
			cands[n++] = strdup(tmp.buf);
		if (in->kind == IK_COPY && elf.runpath && elf.runpath[0] == '/') {
			const char *colon = strchr(elf.runpath, ':');
			struct vbuf one = VBUF_INIT(VBUF_MAX_PATH);

			if (!vbuf_add(&one, elf.runpath, colon ? (size_t)(colon - elf.runpath) :
				      strlen(elf.runpath)) && !venv_path_dirname(&tmp, one.buf) && tmp.len)
				cands[n++] = strdup(tmp.buf);
			vbuf_release(&one);
		}
		if (cfg_get(c, "executable") && cfg_get(c, "executable")[0] == '/' &&
		    !parent_of_parent(&tmp, cfg_get(c, "executable")) && tmp.len)
			cands[n++] = strdup(tmp.buf);
		if (cfg_get(c, "base-prefix") && cfg_get(c, "base-prefix")[0] == '/')
			cands[n++] = strdup(cfg_get(c, "base-prefix"));
		/*
		 * A `home` the strict reader of Python <= 3.10 skipped (BOM, other
		 * spacing) still names the installation the copy was made from,
		 * whose prefix is the one compiled in.
		 */
		if (c->facts.home_first && c->facts.home_first[0] == '/' &&
		    !venv_path_dirname(&tmp, c->facts.home_first) && tmp.len)
			cands[n++] = strdup(tmp.buf);
		vbuf_release(&tmp);
		for (k = 0; k < n; k++) {
			if (!cands[k]) {
				error = oom();
				continue;
			}
			if (!found && landmark_at(cands[k], ver)) {
				found = fallback = 1;
				vbuf_sets(&prefix, cands[k]);
			}
			free((char *)cands[k]);
		}
		if (error < 0)
			goto done;
	}
	if (!found) {
		if ((error = add(c, VENV_DIAG_BASE_STDLIB_MISSING, rel, 0,
				 "move to another base ('venv repair --upgrade --python PYTHON')",
				 "Python %s's standard library ('lib/python%s/os.py') is found neither "
				 "from '%s' nor at the base installation", ver, ver,
				 start.len ? start.buf : "(nothing)")) < 0)
			goto done;
	}

	/* A copied interpreter also needs its libpython. */
	if (in->kind == IK_COPY && !libpython_present(&elf, bin_dir.buf, &where)) {
		if ((error = add(c, VENV_DIAG_BASE_MISSING, rel, 0,
				 "move to another base ('venv repair --upgrade --python PYTHON')",
				 "the copied interpreter '%s' needs '%s', which is not in '%s' any more",
				 rel, elf.libpython, where.buf)) < 0)
			goto done;
	}

	/* `home` that leads nowhere while the environment still starts. */
	if (found && c->cfg_state == CFG_OK && c->facts.home_first) {
		const char *home = c->facts.home_first;
		struct stat hs;
		char p1[PATH_MAX + 40], p2[PATH_MAX + 40];
		int home_ok;

		snprintf(p1, sizeof(p1), "%s/python%s", home, ver);
		snprintf(p2, sizeof(p2), "%s/%s", home, in->name);
		home_ok = stat(home, &hs) == 0 && S_ISDIR(hs.st_mode) &&
			  (file_exists(p1) || file_exists(p2));
		/*
		 * A `home` that is fine but unread (strict format, BOM) is the
		 * business of the pyvenv.cfg rules, not this one.
		 */
		if (!home_ok) {
			struct vbuf want = VBUF_INIT(VBUF_MAX_PATH);

			if (exe_real)
				venv_path_dirname(&want, exe_real);
			else if (prefix.len)
				vbuf_addf(&want, "%s/bin", prefix.buf);
			snprintf(fix, sizeof(fix), "set `home` to '%s'", want.len ? want.buf : "?");
			error = add(c, VENV_DIAG_STALE_HOME, "pyvenv.cfg", c->facts.home_first_line, fix,
				    "`home` '%s' %s; the environment still starts because Python %s",
				    home, stat(home, &hs) < 0 ? "does not exist" :
				    "holds no interpreter of this version",
				    fallback ? "falls back on its installation prefix" :
				    "follows the interpreter link instead");
			vbuf_release(&want);
			if (error < 0)
				goto done;
		}
	}

	/* Same minor version, another patch release. */
	if (found && c->env_full[0] && base_patchlevel(patch, sizeof(patch), prefix.buf, ver)) {
		int a1, b1, m1, a2, b2, m2;

		if (!venv_version_parse(c->env_full, &a1, &b1, &m1) &&
		    !venv_version_parse(patch, &a2, &b2, &m2) && a1 == a2 && b1 == b2 &&
		    m1 >= 0 && m2 >= 0 && m1 != m2) {
			snprintf(fix, sizeof(fix), "set `version` to '%d.%d.%d'", a2, b2, m2);
			if ((error = add(c, VENV_DIAG_STALE_VERSION, "pyvenv.cfg", c->facts.version_line,
					 fix, "pyvenv.cfg records Python %s but the base installation at "
					 "'%s' is Python %d.%d.%d", c->env_full, prefix.buf, a2, b2,
					 m2)) < 0)
				goto done;
		}
	}

	/* A copy that no longer matches what it was copied from. */
	if (in->kind == IK_COPY && status_ok) {
		const char *names[3];
		char nm[40];
		size_t k;

		snprintf(nm, sizeof(nm), "python%s", ver);
		names[0] = in->name;
		names[1] = "python3";
		names[2] = nm;
		for (k = 0; k < 3 && c->facts.home_first; k++) {
			char path[PATH_MAX + 64];
			int a, b, d;

			snprintf(path, sizeof(path), "%s/%s", c->facts.home_first, names[k]);
			if ((b = open_regular(path)) < 0)
				continue;
			a = openat(c->bin, in->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			d = a >= 0 ? files_differ(a, b) : -1;
			if (a >= 0)
				close(a);
			close(b);
			if (d == 1) {
				snprintf(fix, sizeof(fix), "copy '%s' to '%s' again", path, rel);
				error = add(c, VENV_DIAG_STALE_COPIED_INTERPRETER, rel, 0, fix,
					    "'%s' differs from the base interpreter '%s' it was copied "
					    "from; the base was upgraded since", rel, path);
			}
			break;
		}
	}
done:
	venv_elf_release(&elf);
	vbuf_release(&start);
	vbuf_release(&prefix);
	vbuf_release(&where);
	vbuf_release(&bin_dir);
	return error;
}

/* ------------------------------------------------------------------------ */
/* pyvenv.cfg keys. */

static int check_cfg(struct ctx *c)
{
	const struct venv_cfg_facts *f = &c->facts;
	struct stat st;
	int error = 0, minor;

	if (c->bin >= 0 && fstatat(c->bin, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (error = add(c, VENV_DIAG_CFG_SHADOWED, "bin/pyvenv.cfg", 0, "remove 'bin/pyvenv.cfg'",
			 "'bin/pyvenv.cfg' exists: site.py reads it instead of 'pyvenv.cfg'")) < 0)
		return error;
	minor = minor_of(c->active_ver[0] ? c->active_ver : c->env_ver);
	/* getpath.py reads at most 32 KB during initialisation, then gives up. */
	if (c->cfg_size > 32768 && minor >= 11 &&
	    (error = add(c, VENV_DIAG_CFG_UNREADABLE, "pyvenv.cfg", 0, "write a new pyvenv.cfg",
			 "'pyvenv.cfg' is larger than the 32 KB Python %s reads at start-up "
			 "('cannot read file larger than 32KB during initialization')",
			 c->active_ver[0] ? c->active_ver : c->env_ver)) < 0)
		return error;
	if (c->cfg_state != CFG_OK)
		return 0;
	if ((c->cfg.flags & VENV_CFG_NOT_UTF8) &&
	    (error = add(c, VENV_DIAG_CFG_NOT_UTF8, "pyvenv.cfg", 0, "rewrite pyvenv.cfg in UTF-8",
			 "'pyvenv.cfg' is not valid UTF-8; Python stops at start-up "
			 "('Fatal Python error: init_import_site')")) < 0)
		return error;
	if ((c->cfg.flags & VENV_CFG_BOM) &&
	    (error = add(c, VENV_DIAG_CFG_BOM, "pyvenv.cfg", 1, "remove the byte-order mark",
			 "'pyvenv.cfg' starts with a byte-order mark, which hides its first key "
			 "from Python")) < 0)
		return error;
	if (!f->home_count) {
		if ((error = add(c, VENV_DIAG_CFG_MISSING_HOME, "pyvenv.cfg", 0,
				 "add `home` (the directory of the base interpreter)",
				 "'pyvenv.cfg' has no `home` key")) < 0)
			return error;
	} else if (f->home_count > 1) {
		if ((error = add(c, VENV_DIAG_CFG_DUPLICATE_HOME, "pyvenv.cfg", f->home_last_line,
				 "keep one `home`",
				 "'pyvenv.cfg' has %zu `home` keys: Python's start-up code uses '%s' "
				 "(line %u), site.py uses '%s' (line %u)", f->home_count, f->home_first,
				 f->home_first_line, f->home_last, f->home_last_line)) < 0)
			return error;
	}
	if ((c->cfg.flags & VENV_CFG_NO_FINAL_EOL) &&
	    (error = add(c, VENV_DIAG_CFG_NO_FINAL_NEWLINE, "pyvenv.cfg", (unsigned)c->cfg.nr,
			 "end the file with a line break",
			 "the last line of 'pyvenv.cfg' has no line break")) < 0)
		return error;
	if (f->system_site == -1) {
		if ((error = add(c, VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, "pyvenv.cfg", 0,
				 "add `include-system-site-packages = false`",
				 "'pyvenv.cfg' has no `include-system-site-packages`: Python treats "
				 "that as true and lets the environment see the system's packages")) < 0)
			return error;
	} else if (f->system_site == 2) {
		if ((error = add(c, VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, "pyvenv.cfg",
				 f->system_site_line, "write `include-system-site-packages = false`",
				 "`include-system-site-packages` is '%s', which Python reads as false "
				 "(only 'true' enables it)", f->system_site_value)) < 0)
			return error;
	}
	if (minor >= 0 && minor <= 10 && f->home_count && !f->strict_home_found &&
	    (error = add(c, VENV_DIAG_CFG_STRICT_FORMAT, "pyvenv.cfg", f->home_first_line,
			 "rewrite the line as 'home = VALUE'",
			 "Python %s's start-up code does not recognise this `home` line (it wants "
			 "'home = VALUE' on a terminated line)", c->active_ver[0] ? c->active_ver :
			 c->env_ver)) < 0)
		return error;
	if (!f->version[0] && (error = add(c, VENV_DIAG_CFG_MISSING_VERSION, "pyvenv.cfg", 0,
					   "add `version`",
					   "'pyvenv.cfg' records no Python version")) < 0)
		return error;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Activation scripts. */

static int virtualenv_before_quoting(const struct ctx *c)
{
	int a, b, m;

	/* virtualenv 20.26.6 fixed CVE-2024-53899. */
	if (c->creator != VENV_CREATOR_VIRTUALENV || !c->virtualenv_version ||
	    venv_version_parse(c->virtualenv_version, &a, &b, &m) < 0)
		return 0;
	if (a != 20)
		return a < 20;
	if (b != 26)
		return b < 26;
	return m < 6;
}

static int check_one_activation(struct ctx *c, const struct bin_entry *e, int shell)
{
	struct venv_activation a = VENV_ACTIVATION_INIT;
	struct vbuf buf = VBUF_INIT(VBUF_MAX_SCRIPT);
	char rel[300], fix[PATH_MAX + 100];
	const char *name = e->name;
	int rc, err, error = 0;

	snprintf(rel, sizeof(rel), "bin/%s", e->name);
	if (S_ISLNK(e->st.st_mode)) {
		char *target = NULL;
		int k;

		/* A link to another file of bin/ is read there; anything else is not followed. */
		if ((error = read_link(&target, c->bin, e->name)) == VENV_ENOMEM)
			goto done;
		if (target && !strchr(target, '/') && (k = find_entry(c, target)) >= 0 &&
		    S_ISREG(c->entries[k].st.st_mode)) {
			name = c->entries[k].name;
		} else {
			error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0, NULL,
				    "'%s' is a symbolic link to '%s'; not followed, not inspected", rel,
				    target ? target : "?");
			free(target);
			goto done;
		}
		free(target);
		error = 0;
	}
	if (!S_ISREG(e->st.st_mode) && name == e->name)
		goto done; /* FIFOs and devices are reported by the walk. */
	rc = read_file(c->bin, name, VBUF_MAX_SCRIPT, 0, &buf, NULL, &err);
	if (rc != RD_OK) {
		if (rc != RD_SPECIAL)
			error = report_read(c, rc, err, rel, rel);
		goto done;
	}
	if (memchr(buf.buf, '\0', buf.len)) {
		error = add(c, VENV_DIAG_UNPARSEABLE_FILE, rel, 0, "regenerate the script",
			    "'%s' contains binary data; it is not a shell script", rel);
		goto done;
	}
	rc = venv_actscan(&a, (enum venv_act_shell)shell, buf.buf, buf.len);
	if (rc == VENV_ETOOBIG) {
		error = add(c, VENV_DIAG_UNPARSEABLE_FILE, rel, 0, NULL,
			    "'%s' could not be parsed within check's limits", rel);
		goto done;
	}
	if (rc < 0) {
		error = rc;
		goto done;
	}
	snprintf(fix, sizeof(fix), "regenerate '%s' for '%s'", rel, c->abs);
	if (a.injection) {
		if ((error = add(c, VENV_DIAG_ACTIVATION_INJECTION, rel, a.injection_line, fix,
				 "sourcing '%s' would expand or run shell text pasted in from the "
				 "environment path or prompt: %s", rel, a.injection_text)) < 0)
			goto done;
	}
	if (a.kind == VENV_ACT_LITERAL) {
		struct stat st;

		snprintf(fix, sizeof(fix), "set VIRTUAL_ENV in '%s' to '%s'", rel, c->abs);
		if (!same_dir_as_env(c, a.path)) {
			if ((error = add_old_location(c, a.path)) < 0)
				goto done;
			if (stat(a.path, &st) == 0)
				error = add(c, VENV_DIAG_RELOCATED_ENVIRONMENT, rel, a.line, fix,
					    "'%s' activates '%s', another directory (was the environment "
					    "copied from there?)", rel, a.path);
			else if (a.fallback)
				error = add(c, VENV_DIAG_STALE_ACTIVATION_PATH, rel, a.line, fix,
					    "'%s' names '%s', which does not exist; it falls back to "
					    "its own location", rel, a.path);
			else
				error = add(c, VENV_DIAG_RELOCATED_ENVIRONMENT, rel, a.line, fix,
					    "'%s' activates '%s', which does not exist (the environment "
					    "was moved from there?)", rel, a.path);
			if (error < 0)
				goto done;
		}
		if (!a.injection && (a.unquoted_template ||
				     (shell != VENV_ACT_PWSH && virtualenv_before_quoting(c)))) {
			snprintf(fix, sizeof(fix), "regenerate '%s' with quoting", rel);
			if ((error = add(c, VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE, rel, a.line, fix,
					 "'%s' comes from a template that pastes the path in unquoted "
					 "(%s); harmless for this path", rel,
					 c->creator == VENV_CREATOR_VIRTUALENV ? "CVE-2024-53899" :
					 "CVE-2024-9287")) < 0)
				goto done;
		}
	} else if (a.kind == VENV_ACT_NONE || (a.kind == VENV_ACT_DYNAMIC && !a.injection)) {
		if ((error = add(c, VENV_DIAG_UNKNOWN_ACTIVATION_SCRIPT, rel, 0, NULL,
				 "no VIRTUAL_ENV assignment check understands was found in '%s'",
				 rel)) < 0)
			goto done;
	}
	if (a.prompt_expansion) {
		snprintf(fix, sizeof(fix), "regenerate '%s' so that PS1 refers to the prompt", rel);
		error = add(c, VENV_DIAG_PROMPT_EXPANSION, rel, a.prompt_line, fix,
			    "'%s' puts a command substitution into PS1, which bash and zsh run at "
			    "every prompt", rel);
	}
done:
	venv_activation_release(&a);
	vbuf_release(&buf);
	return error;
}

static int check_activation(struct ctx *c)
{
	static const char *const cpython_set[] = {
		"activate", "activate.csh", "activate.fish", "Activate.ps1"
	};
	size_t i;
	int error = 0;

	if (c->bin_state != DIR_OK)
		return 0;
	for (i = 0; i < c->nentries; i++) {
		int shell = venv_act_shell_for(c->entries[i].name);

		if (shell >= 0 && (error = check_one_activation(c, &c->entries[i], shell)) < 0)
			return error;
	}
	if (c->unfinished)
		return 0;
	for (i = 0; i < VENV_ARRAY_SIZE(cpython_set); i++) {
		char rel[64];

		if (i > 0 && c->creator != VENV_CREATOR_CPYTHON)
			break;
		if (find_entry(c, cpython_set[i]) >= 0)
			continue;
		/* Activate.ps1 and activate.ps1 are the same script. */
		if (i == 3 && find_entry(c, "activate.ps1") >= 0)
			continue;
		snprintf(rel, sizeof(rel), "bin/%s", cpython_set[i]);
		if ((error = add(c, VENV_DIAG_MISSING_ACTIVATION_SCRIPT, rel, 0, "write the script",
				 "'%s' is missing", rel)) < 0)
			return error;
	}
	return 0;
}

/* pyvenv.cfg's `command` ends with the directory the environment was made in. */
static int old_location_from_command(struct ctx *c)
{
	const char *command = cfg_get(c, "command"), *sp;

	if (!command || !(sp = strrchr(command, ' ')) || sp[1] != '/')
		return 0;
	return add_old_location(c, sp + 1);
}

/* ------------------------------------------------------------------------ */
/* Console scripts. */

static int check_interpreter_path(struct ctx *c, const char *rel, unsigned line, const char *interp)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), parent = VBUF_INIT(VBUF_MAX_PATH);
	char fix[PATH_MAX * 2 + 64], cfgpath[PATH_MAX + 16], inside[PATH_MAX + 8];
	const char *in_rel, *base;
	struct stat st;
	int error = 0;

	base = strrchr(interp, '/');
	base = base ? base + 1 : interp;
	if (c->main >= 0 && find_entry(c, base) < 0)
		snprintf(inside, sizeof(inside), "%s/bin/%s", c->abs, c->interps[c->main].name);
	else
		snprintf(inside, sizeof(inside), "%s/bin/%s", c->abs, base);
	snprintf(fix, sizeof(fix), "rewrite the interpreter of '%s' to '%s'", rel, inside);
	if (interp[0] != '/') {
		error = add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, fix,
			    "'%s' names the interpreter '%s', which is not an absolute path", rel,
			    interp);
		goto done;
	}
	if (in_env(c, interp, &in_rel)) {
		/* In an unfinished environment that is a consequence, reported as such. */
		if (fstatat(c->root, in_rel, &st, AT_SYMLINK_NOFOLLOW) < 0 && !c->unfinished)
			error = add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, fix,
				    "'%s' runs '%s', which is not in the environment", rel, interp);
		goto done;
	}
	if ((error = venv_path_dirname(&dir, interp)) < 0 ||
	    (error = venv_path_dirname(&parent, dir.buf)) < 0)
		goto done;
	{
		const char *dbase = strrchr(dir.buf, '/');

		dbase = dbase ? dbase + 1 : dir.buf;
		if (!strcmp(dbase, "bin") && parent.len && is_old_location(c, parent.buf)) {
			if (stat(parent.buf, &st) == 0)
				error = add(c, VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, rel, line, fix,
					    "'%s' runs '%s', the interpreter of '%s', another "
					    "environment this one was copied from", rel, interp, parent.buf);
			else
				error = add(c, VENV_DIAG_SHEBANG_OLD_LOCATION, rel, line, fix,
					    "'%s' runs '%s', at the environment's old location '%s'",
					    rel, interp, parent.buf);
			goto done;
		}
		snprintf(cfgpath, sizeof(cfgpath), "%s/pyvenv.cfg", parent.buf);
		if (!strcmp(dbase, "bin") && parent.len && stat(cfgpath, &st) == 0 &&
		    !same_dir_as_env(c, parent.buf)) {
			error = add(c, VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, rel, line, fix,
				    "'%s' runs '%s', the interpreter of another environment ('%s')",
				    rel, interp, parent.buf);
			goto done;
		}
	}
	if (stat(interp, &st) < 0) {
		error = add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line,
			    !strncmp(base, "python", 6) ? fix : NULL,
			    "'%s' runs '%s', which does not exist", rel, interp);
	} else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		error = add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, NULL,
			    "'%s' runs '%s', which is not an executable file", rel, interp);
	}
done:
	vbuf_release(&dir);
	vbuf_release(&parent);
	return error;
}

static int check_scripts(struct ctx *c)
{
	struct vbuf buf = VBUF_INIT(SHEBANG_READ);
	struct venv_shebang sb = VENV_SHEBANG_INIT;
	size_t i;
	int error = 0;

	if (c->bin_state != DIR_OK)
		goto done;
	for (i = 0; i < c->nentries; i++) {
		const struct bin_entry *e = &c->entries[i];
		char rel[300], fix[PATH_MAX + 100];
		int rc, err;

		if (e->interp >= 0 || venv_act_shell_for(e->name) >= 0 ||
		    !strcmp(e->name, "pyvenv.cfg"))
			continue;
		snprintf(rel, sizeof(rel), "bin/%s", e->name);
		if (S_ISLNK(e->st.st_mode)) {
			struct stat st;

			if (fstatat(c->bin, e->name, &st, 0) == 0)
				continue;
			if (errno == ELOOP)
				error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0, NULL,
					    "'%s' is a symbolic link loop", rel);
			else if (errno == ENOENT || errno == ENOTDIR) {
				char *target = NULL;

				if ((error = read_link(&target, c->bin, e->name)) == VENV_ENOMEM)
					goto done;
				error = add(c, VENV_DIAG_DANGLING_COMMAND_LINK, rel, 0, NULL,
					    "'%s' links to '%s', which does not exist", rel,
					    target ? target : "?");
				free(target);
			}
			if (error < 0)
				goto done;
			continue;
		}
		if (!S_ISREG(e->st.st_mode) || !(e->st.st_mode & 0111))
			continue;
		rc = read_file(c->bin, e->name, SHEBANG_READ, 1, &buf, NULL, &err);
		if (rc != RD_OK) {
			if ((error = report_read(c, rc, err, rel, rel)) < 0)
				goto done;
			continue;
		}
		rc = venv_shebang_parse(&sb, buf.buf, buf.len);
		if (rc == VENV_ETOOBIG) {
			error = add(c, VENV_DIAG_UNPARSEABLE_FILE, rel, 1, NULL,
				    "the first lines of '%s' could not be parsed within check's limits",
				    rel);
		} else if (rc < 0) {
			error = rc;
		} else if (sb.kind == VENV_SHEBANG_DIRECT && sb.truncated) {
			snprintf(fix, sizeof(fix), "rewrite '%s' with a /bin/sh trampoline", rel);
			error = add(c, VENV_DIAG_SHEBANG_TRUNCATED, rel, 1, fix,
				    "the interpreter path in the #! line of '%s' does not end within "
				    "the %d bytes Linux reads", rel, VENV_SHEBANG_KERNEL_MAX);
		} else if (sb.kind == VENV_SHEBANG_DIRECT || sb.kind == VENV_SHEBANG_TRAMPOLINE) {
			if (sb.injection) {
				snprintf(fix, sizeof(fix), "rewrite the trampoline of '%s' with the path "
					 "in single quotes", rel);
				error = add(c, VENV_DIAG_SHEBANG_INJECTION, rel, sb.line, fix,
					    "the /bin/sh trampoline of '%s' expands shell text in its "
					    "interpreter path '%s' every time it runs", rel, sb.interpreter);
			} else {
				error = check_interpreter_path(c, rel, sb.line, sb.interpreter);
			}
			if (!error && sb.kind == VENV_SHEBANG_DIRECT && sb.not_portable) {
				snprintf(fix, sizeof(fix), "rewrite '%s' with a /bin/sh trampoline", rel);
				error = add(c, VENV_DIAG_SHEBANG_NOT_PORTABLE, rel, 1, fix,
					    "the #! line of '%s' is longer than 127 bytes, too long for "
					    "Linux before 5.1 and other systems", rel);
			}
		} else if (sb.kind == VENV_SHEBANG_RELATIVE) {
			if (find_entry(c, sb.interpreter) < 0)
				error = add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, 2, NULL,
					    "'%s' runs '%s' next to itself, which does not exist", rel,
					    sb.interpreter);
		}
		venv_shebang_release(&sb);
		if (error < 0)
			goto done;
	}
done:
	venv_shebang_release(&sb);
	vbuf_release(&buf);
	return error;
}

/* ------------------------------------------------------------------------ */
/* lib/: site-packages, lib64. */

static int check_lib(struct ctx *c)
{
	const struct libdir *active;
	struct stat st;
	char rel[64], fix[128];
	size_t i;
	int error = 0, minor;

	if (c->unfinished)
		return 0;
	if (c->active_ver[0]) {
		active = find_lib(c, c->active_ver);
		snprintf(rel, sizeof(rel), "lib/python%s/site-packages", c->active_ver);
		/* After a minor upgrade the missing directory is a consequence, reported as such. */
		if ((!active || !active->has_site) && c->lib_state != DIR_BAD &&
		    !(c->bin_ver[0] && c->env_ver[0] && strcmp(c->bin_ver, c->env_ver))) {
			snprintf(fix, sizeof(fix), "create '%s'", rel);
			if ((error = add(c, VENV_DIAG_MISSING_SITE_PACKAGES, rel, 0, fix,
					 "'%s' is missing", rel)) < 0)
				return error;
		}
		for (i = 0; i < c->nlibs; i++) {
			const struct libdir *l = &c->libs[i];

			if (!strcmp(l->ver, c->active_ver) || !l->site_nonempty)
				continue;
			snprintf(rel, sizeof(rel), "lib/python%s/site-packages", l->ver);
			if ((error = add(c, VENV_DIAG_ORPHANED_SITE_PACKAGES, rel, 0, NULL,
					 "'%s' holds packages, but the interpreter is Python %s and does "
					 "not look there", rel, c->active_ver)) < 0)
				return error;
		}
	}
	/* CPython (up to 3.14) and venv create make lib64 -> lib on 64-bit Linux. */
	minor = minor_of(c->env_ver);
#ifdef __linux__
	if ((c->creator == VENV_CREATOR_CPYTHON || c->creator == VENV_CREATOR_VENV) &&
	    minor >= 0 && minor <= 14 && c->lib_state == DIR_OK &&
	    (c->base_is64 == 1 || (c->base_is64 < 0 && sizeof(void *) == 8)) &&
	    fstatat(c->root, "lib64", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		error = add(c, VENV_DIAG_MISSING_LIB64, "lib64", 0, "create the link 'lib64' -> 'lib'",
			    "'lib64' is missing (CPython makes it a link to 'lib')");
#else
	(void)st;
	(void)minor;
#endif
	return error;
}

/* ------------------------------------------------------------------------ */
/* The walk. */

struct walk_frame {
	DIR *d;
	size_t rel_len;
	int depth;
	int in_site;      /* 1: the active site-packages itself; 2: below it */
	char top[256];    /* below site-packages: the first component */
	char reported[256];
};

static int check_pth(struct ctx *c, int dirfd, const char *name, const char *rel,
		     const char *site_abs)
{
	struct vbuf buf = VBUF_INIT(PTH_MAX), path = VBUF_INIT(VBUF_MAX_PATH);
	const char *p, *end;
	unsigned lineno = 0;
	int rc, err, error = 0;

	rc = read_file(dirfd, name, PTH_MAX, 0, &buf, NULL, &err);
	if (rc != RD_OK) {
		if (rc != RD_SPECIAL)
			error = report_read(c, rc, err, rel, rel);
		goto done;
	}
	for (p = buf.buf, end = buf.buf + buf.len; p < end; ) {
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
				const char *moved = NULL;
				struct vbuf fix = VBUF_INIT(VBUF_MAX_PATH);
				size_t i;

				for (i = 0; i < c->nold; i++)
					if (venv_path_is_within(path.buf, c->old[i]))
						moved = c->old[i];
				if (moved)
					vbuf_addf(&fix, "rewrite the entry to '%s%s'", c->abs,
						  path.buf + strlen(moved));
				error = add(c, VENV_DIAG_PTH_MISSING_PATH, rel, lineno, moved ? fix.buf : NULL,
					    "'%s' adds '%s' to sys.path, which does not exist%s%s%s",
					    rel, path.buf, moved ? " (it is under the environment's old "
					    "location '" : "", moved ? moved : "", moved ? "')" : "");
				vbuf_release(&fix);
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

static int ext_minor_mismatch(const struct ctx *c, const char *name, char *tag, size_t tagsize)
{
	struct venv_re_match m;
	size_t len = strlen(name);
	char want[16];
	int a, b, mm;

	if (len < 12 || strcmp(name + len - 3, ".so") || !strstr(name, ".cpython-"))
		return 0;
	if (venv_re_match(VENV_RE_EXT_TAG, name, len, 0, &m) != 1)
		return 0;
	if (venv_version_parse(c->active_ver, &a, &b, &mm) < 0)
		return 0;
	snprintf(want, sizeof(want), "%d%d", a, b);
	snprintf(tag, tagsize, "%.*s%.*s", (int)(m.group_end[0] - m.group_start[0]),
		 name + m.group_start[0], (int)(m.group_end[1] - m.group_start[1]),
		 name + m.group_start[1]);
	return strcmp(tag, want) != 0;
}

static int walk(struct ctx *c)
{
	struct walk_frame stack[VENV_CHECK_DEFAULT_MAX_DEPTH + 1];
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), site_rel = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf site_abs = VBUF_INIT(VBUF_MAX_PATH);
	size_t entries = 0, max_entries = c->opts->max_entries ? c->opts->max_entries :
					  VENV_CHECK_DEFAULT_MAX_ENTRIES;
	unsigned max_depth = c->opts->max_depth ? c->opts->max_depth : VENV_CHECK_DEFAULT_MAX_DEPTH;
	int sp = 0, fd, error = 0, depth_reported = 0;

	if (max_depth > VENV_CHECK_DEFAULT_MAX_DEPTH)
		max_depth = VENV_CHECK_DEFAULT_MAX_DEPTH;
	if (c->active_ver[0] && ((error = vbuf_addf(&site_rel, "lib/python%s/site-packages",
						    c->active_ver)) < 0 ||
				 (error = vbuf_addf(&site_abs, "%s/%s", c->abs, site_rel.buf)) < 0))
		goto done;
	if ((fd = dup(c->root)) < 0 || !(stack[0].d = fdopendir(fd))) {
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
		struct dirent *de;
		struct stat st;
		size_t base_len;

		errno = 0;
		de = readdir(f->d);
		if (!de) {
			closedir(f->d);
			sp--;
			continue;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++entries > max_entries) {
			error = add(c, VENV_DIAG_WALK_LIMIT, NULL, 0, NULL,
				    "the environment has more than %zu entries; the walk stopped there",
				    max_entries);
			break;
		}
		vbuf_setlen(&rel, f->rel_len);
		base_len = rel.len;
		if ((rel.len && vbuf_addch(&rel, '/') < 0) || vbuf_adds(&rel, de->d_name) < 0) {
			/* A path longer than the cap: skip the entry, keep walking. */
			vbuf_setlen(&rel, base_len);
			continue;
		}
		if (fstatat(dirfd(f->d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			size_t nl = strlen(de->d_name);

			/* site.py reads a .pth through a link; check does not. */
			if (f->in_site == 1 && nl > 4 && !strcmp(de->d_name + nl - 4, ".pth") &&
			    (error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel.buf, 0, NULL,
					 "'%s' is a symbolic link; not followed, not inspected",
					 rel.buf)) < 0)
				break;
			continue;
		}
		if ((st.st_mode & S_IWOTH) &&
		    (error = add(c, VENV_DIAG_WORLD_WRITABLE, rel.buf, 0,
				 "remove write permission for others",
				 "'%s' is writable by every user (mode %04o)", rel.buf,
				 (unsigned)(st.st_mode & 07777))) < 0)
			break;
		if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) ||
		    S_ISBLK(st.st_mode)) {
			if ((error = add(c, VENV_DIAG_SPECIAL_FILE, rel.buf, 0, NULL,
					 "'%s' is a %s", rel.buf,
					 S_ISFIFO(st.st_mode) ? "named pipe (FIFO)" :
					 S_ISSOCK(st.st_mode) ? "socket" : "device node")) < 0)
				break;
			continue;
		}
		if (S_ISREG(st.st_mode) && f->in_site) {
			char tag[16];
			size_t nl = strlen(de->d_name);

			if (f->in_site == 1 && nl > 4 && !strcmp(de->d_name + nl - 4, ".pth")) {
				if ((error = check_pth(c, dirfd(f->d), de->d_name, rel.buf,
						       site_abs.buf)) < 0)
					break;
			} else if (ext_minor_mismatch(c, de->d_name, tag, sizeof(tag))) {
				const char *top = f->in_site == 1 ? de->d_name : f->top;

				if (strcmp(f->reported, top)) {
					snprintf(f->reported, sizeof(f->reported), "%s", top);
					if ((error = add(c, VENV_DIAG_WRONG_ABI_EXTENSION, rel.buf, 0, NULL,
							 "'%s' is built for CPython %c.%s, but the "
							 "interpreter is Python %s", rel.buf, tag[0],
							 tag + 1, c->active_ver)) < 0)
						break;
				}
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (st.st_dev != c->root_st.st_dev && !(c->opts->flags & VENV_CHECK_CROSS_DEVICES))
			continue;
		if ((unsigned)sp + 1 >= max_depth) {
			if (!depth_reported++ &&
			    (error = add(c, VENV_DIAG_WALK_LIMIT, rel.buf, 0, NULL,
					 "directories nest deeper than %u levels at '%s'; not walked "
					 "further", max_depth, rel.buf)) < 0)
				break;
			continue;
		}
		fd = openat(dirfd(f->d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			if (errno != ENOENT && (error = add(c, VENV_DIAG_UNREADABLE_FILE, rel.buf, 0, NULL,
							   "cannot open '%s': %s", rel.buf,
							   strerror(errno))) < 0)
				break;
			continue;
		}
		{
			struct walk_frame *nf = &stack[sp + 1];

			if (!(nf->d = fdopendir(fd))) {
				close(fd);
				continue;
			}
			nf->rel_len = rel.len;
			nf->depth = f->depth + 1;
			nf->reported[0] = '\0';
			if (f->in_site == 1) {
				nf->in_site = 2;
				snprintf(nf->top, sizeof(nf->top), "%s", de->d_name);
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
	while (sp >= 0)
		closedir(stack[sp--].d);
done:
	vbuf_release(&rel);
	vbuf_release(&site_rel);
	vbuf_release(&site_abs);
	return error;
}

/* ------------------------------------------------------------------------ */

static int cmp_findings(const void *a, const void *b)
{
	const struct venv_finding *x = a, *y = b;
	int d;

	if (!x->file != !y->file)
		return x->file ? 1 : -1;
	if (x->file && (d = strcmp(x->file, y->file)))
		return d;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->code - y->code;
}

static void ctx_release(struct ctx *c)
{
	size_t i;

	if (c->root >= 0)
		close(c->root);
	if (c->bin >= 0)
		close(c->bin);
	free(c->disp);
	free(c->abs);
	free(c->real);
	venv_cfg_facts_release(&c->facts);
	venv_cfg_release(&c->cfg);
	vbuf_release(&c->cfg_raw);
	for (i = 0; i < c->nentries; i++)
		free(c->entries[i].name);
	free(c->entries);
	for (i = 0; i < c->ninterps; i++) {
		free(c->interps[i].name);
		free(c->interps[i].target);
		free(c->interps[i].abs_target);
		free(c->interps[i].real);
	}
	free(c->interps);
	for (i = 0; i < c->nold; i++)
		free(c->old[i]);
	free(c->virtualenv_version);
}

static int has_activate_or_interp(const struct ctx *c)
{
	return c->ninterps > 0 || find_entry(c, "activate") >= 0;
}

int venv_check_env(struct venv_report *r, const char *path,
		   const struct venv_check_options *opts)
{
	static const struct venv_check_options defaults = VENV_CHECK_OPTIONS_INIT;
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	struct ctx c;
	size_t n, i;
	int error = 0, any_site = 0, any_stdlib = 0;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.root = c.bin = -1;
	c.r = r;
	c.opts = opts ? opts : &defaults;
	vbuf_init(&c.cfg_raw, VBUF_MAX_CFG);
	c.facts.system_site = -1;
	if (!(r->path = strdup(path)) || !(c.disp = strdup(path)) ||
	    !(c.interps = calloc(MAX_INTERPS, sizeof(*c.interps)))) {
		error = oom();
		goto done;
	}
	n = strlen(c.disp);
	while (n > 1 && c.disp[n - 1] == '/')
		c.disp[--n] = '\0';
	if (!*path) {
		r->failed = 1;
		error = add(&c, VENV_DIAG_CANNOT_INSPECT, NULL, 0, NULL, "an empty path names nothing");
		goto done;
	}
	if ((error = venv_path_abspath(&abs, path)) < 0) {
		if (error == VENV_ENOMEM)
			goto done;
		r->failed = 1;
		error = add(&c, VENV_DIAG_CANNOT_INSPECT, NULL, 0, NULL, "%s", venv_error_last());
		goto done;
	}
	if (!(c.abs = strdup(abs.buf))) {
		error = oom();
		goto done;
	}
	c.root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (c.root < 0 || fstat(c.root, &c.root_st) < 0) {
		r->failed = 1;
		error = add(&c, VENV_DIAG_CANNOT_INSPECT, NULL, 0, NULL, "cannot open '%s': %s", path,
			    strerror(errno));
		goto done;
	}
	c.real = realpath(path, NULL);
	if (strchr(c.abs, ':') &&
	    (error = add(&c, VENV_DIAG_PATH_SEPARATOR, NULL, 0, NULL,
			 "the environment path '%s' contains ':', which splits PATH after "
			 "activation", c.abs)) < 0)
		goto done;
	if ((error = load_cfg(&c)) < 0 || (error = load_bin(&c)) < 0 ||
	    (error = load_lib(&c)) < 0 || (error = load_interps(&c)) < 0)
		goto done;
	for (i = 0; i < c.nlibs; i++) {
		any_site |= c.libs[i].has_site;
		any_stdlib |= c.libs[i].has_stdlib;
	}
	{
		struct stat st;

		if (fstatat(c.root, CREATE_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			c.unfinished = 1;
			if ((error = add(&c, VENV_DIAG_UNFINISHED_CREATION, CREATE_MARKER, 0, NULL,
					 "'%s' exists: venv create (or --clear) was interrupted "
					 "before it finished", CREATE_MARKER)) < 0)
				goto done;
		}
	}

	if (c.cfg_state == CFG_ABSENT && !c.unfinished) {
		if (any_stdlib) {
			c.not_venv = 1;
			error = add(&c, VENV_DIAG_NOT_A_VENV, NULL, 0, NULL,
				    "'%s' is a Python installation (it has a standard library), not a "
				    "virtual environment", path);
			goto done;
		}
		if (!has_activate_or_interp(&c) && !any_site && c.bin_state != DIR_OK) {
			c.not_venv = 1;
			error = add(&c, VENV_DIAG_NOT_A_VENV, NULL, 0, NULL,
				    "'%s' is not a virtual environment (no pyvenv.cfg, no bin/python, "
				    "no activation script)", path);
			goto done;
		}
		if (has_activate_or_interp(&c)) {
			error = add(&c, VENV_DIAG_MISSING_PYVENV_CFG, "pyvenv.cfg", 0,
				    "write pyvenv.cfg for the interpreter in bin/",
				    "'pyvenv.cfg' is missing: Python will not treat this directory as "
				    "an environment");
		} else {
			c.unfinished = 1;
			error = add(&c, VENV_DIAG_UNFINISHED_CREATION, NULL, 0, NULL,
				    "the environment's directories exist but pyvenv.cfg and the "
				    "interpreter were never written");
		}
		if (error < 0)
			goto done;
	} else if (c.cfg_state != CFG_ABSENT && !c.ninterps && c.bin_state != DIR_BAD &&
		   !c.unfinished) {
		c.unfinished = 1;
		if ((error = add(&c, VENV_DIAG_UNFINISHED_CREATION, c.bin_state == DIR_OK ? "bin" : NULL,
				 0, NULL, "pyvenv.cfg exists but %s", c.bin_state == DIR_OK ?
				 "'bin' has no Python interpreter" : "there is no 'bin' directory")) < 0)
			goto done;
	}

	detect_creator(&c);
	if ((error = detect_env_version(&c)) < 0)
		goto done;
	c.main = pick_main(&c);
	if ((error = check_interps(&c)) < 0 || (error = check_aliases(&c)) < 0 ||
	    (error = check_base(&c)) < 0)
		goto done;
	if (!c.active_ver[0])
		snprintf(c.active_ver, sizeof(c.active_ver), "%s", c.env_ver);
	if ((error = check_cfg(&c)) < 0 || (error = check_activation(&c)) < 0 ||
	    (error = old_location_from_command(&c)) < 0 || (error = check_scripts(&c)) < 0 ||
	    (error = check_lib(&c)) < 0 || (error = walk(&c)) < 0)
		goto done;
done:
	if (r->nr > 1)
		qsort(r->findings, r->nr, sizeof(*r->findings), cmp_findings);
	ctx_release(&c);
	vbuf_release(&abs);
	return error;
}
