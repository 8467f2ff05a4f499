#include "compat.h"
#include <dirent.h>
#include "error.h"
#include "fs.h"
#include "path.h"
#include "proc.h"
#include "pyinfo.h"

/*
 * The probe: runs under the interpreter we are asked about (3.8 and later),
 * prints NUL-separated key/value pairs. It only reads: sys, sysconfig and
 * ensurepip's own idea of its wheels.
 */
static const char probe_script[] =
	"import os, sys, sysconfig\n"
	"w = sys.stdout.buffer.write\n"
	"def out(k, v):\n"
	"    w(k.encode() + b'\\0' + os.fsencode(str(v)) + b'\\0')\n"
	"vi = sys.version_info\n"
	"out('major', vi[0]); out('minor', vi[1]); out('micro', vi[2])\n"
	"out('releaselevel', vi[3]); out('serial', vi[4])\n"
	"out('base_exec_prefix', sys.base_exec_prefix)\n"
	"out('executable', sys.executable)\n"
	"out('base_executable', getattr(sys, '_base_executable', sys.executable))\n"
	"out('real_executable', os.path.realpath(sys.executable))\n"
	"out('base_prefix', sys.base_prefix)\n"
	"out('platform', sys.platform)\n"
	"out('is64', int(sys.maxsize > 2**32))\n"
	"out('platlibdir', getattr(sys, 'platlibdir', 'lib'))\n"
	"out('stdlib_landmark', os.__file__)\n"
	"M = '/@venv@'\n"
	"if 'venv' in sysconfig.get_scheme_names():\n"
	"    v = {'base': M, 'platbase': M, 'installed_base': M, 'installed_platbase': M}\n"
	"    p = lambda n: os.path.relpath(sysconfig.get_path(n, scheme='venv', vars=v), M)\n"
	"    out('scripts', p('scripts')); out('include', p('include'))\n"
	"    out('purelib', p('purelib')); out('platlib', p('platlib'))\n"
	"else:\n"
	"    lib = 'lib/python%d.%d/site-packages' % vi[:2]\n"
	"    out('scripts', 'bin'); out('include', 'include')\n"
	"    out('purelib', lib); out('platlib', lib)\n"
	"try:\n"
	"    import ensurepip as e\n"
	"    d = os.path.join(os.path.dirname(e.__file__), '_bundled')\n"
	"    if hasattr(e, '_get_packages'):\n"
	"        ws = [p.wheel_path or os.path.join(d, p.wheel_name) for p in e._get_packages().values()]\n"
	"    elif hasattr(e, '_PROJECTS'):\n"
	"        ws = [os.path.join(d, '%s-%s-%s-none-any.whl' % t) for t in e._PROJECTS]\n"
	"    else:\n"
	"        f = getattr(e, '_find_wheel_pkg_dir_pip', None)\n"
	"        x = f() if f else None\n"
	"        ws = [str(x) if x else os.path.join(d, 'pip-%s-py3-none-any.whl' % e._PIP_VERSION)]\n"
	"    for x in ws:\n"
	"        out('wheel', x)\n"
	"    out('ensurepip', 1)\n"
	"except Exception:\n"
	"    out('ensurepip', 0)\n";

#define PYINFO_FORMAT "venv-pyinfo-2"

uint64_t venv_fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ULL; /* the FNV offset basis */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int venv_cache_dir(struct vbuf *out)
{
	const char *dir = getenv("VENV_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	vbuf_reset(out);
	if (dir && *dir)
		return vbuf_adds(out, dir);
	if (xdg && xdg[0] == '/')
		return vbuf_addf(out, "%s/venv", xdg);
	if (home && home[0] == '/')
		return vbuf_addf(out, "%s/.cache/venv", home);
	return venv_error_set(VENV_ENOTFOUND, "no cache directory (HOME is not set)");
}

void venv_pyinfo_release(struct venv_pyinfo *info)
{
	size_t i;

	free(info->invoked);
	free(info->version);
	free(info->executable);
	free(info->base_executable);
	free(info->real_executable);
	free(info->base_prefix);
	free(info->base_exec_prefix);
	free(info->releaselevel);
	free(info->platform);
	free(info->platlibdir);
	free(info->scripts);
	free(info->include);
	free(info->purelib);
	free(info->platlib);
	free(info->stdlib_landmark);
	for (i = 0; i < info->nwheels; i++)
		free(info->wheels[i]);
	free(info->wheels);
	memset(info, 0, sizeof(*info));
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : venv_error_set(VENV_ENOMEM, "out of memory");
}

static int parse_int(const char *v, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 0 || n > 1000000)
		return venv_error_set(VENV_EINVAL, "bad number '%s' from the interpreter", v);
	*out = (int)n;
	return 0;
}

/* Fill info from NUL-separated pairs; "stamp" pairs are handed to cb. */
static int parse_pairs(struct venv_pyinfo *info, const char *buf, size_t len,
		       int (*stamp_cb)(const char *v, void *payload), void *payload)
{
	size_t pos = 0;
	int error = 0;

	while (pos < len) {
		const char *k = buf + pos, *v;
		size_t kl = strnlen(k, len - pos), vl;

		if (pos + kl >= len)
			break;
		v = k + kl + 1;
		vl = strnlen(v, len - pos - kl - 1);
		if (pos + kl + 1 + vl >= len)
			return venv_error_set(VENV_EINVAL, "truncated interpreter facts");
		pos += kl + vl + 2;
		if (!strcmp(k, "major")) error = parse_int(v, &info->major);
		else if (!strcmp(k, "minor")) error = parse_int(v, &info->minor);
		else if (!strcmp(k, "micro")) error = parse_int(v, &info->micro);
		else if (!strcmp(k, "executable")) error = set_str(&info->executable, v);
		else if (!strcmp(k, "base_executable")) error = set_str(&info->base_executable, v);
		else if (!strcmp(k, "real_executable")) error = set_str(&info->real_executable, v);
		else if (!strcmp(k, "base_prefix")) error = set_str(&info->base_prefix, v);
		else if (!strcmp(k, "base_exec_prefix")) error = set_str(&info->base_exec_prefix, v);
		else if (!strcmp(k, "releaselevel")) error = set_str(&info->releaselevel, v);
		else if (!strcmp(k, "serial")) error = parse_int(v, &info->serial);
		else if (!strcmp(k, "platform")) error = set_str(&info->platform, v);
		else if (!strcmp(k, "is64")) error = parse_int(v, &info->is64);
		else if (!strcmp(k, "platlibdir")) error = set_str(&info->platlibdir, v);
		else if (!strcmp(k, "stdlib_landmark")) error = set_str(&info->stdlib_landmark, v);
		else if (!strcmp(k, "scripts")) error = set_str(&info->scripts, v);
		else if (!strcmp(k, "include")) error = set_str(&info->include, v);
		else if (!strcmp(k, "purelib")) error = set_str(&info->purelib, v);
		else if (!strcmp(k, "platlib")) error = set_str(&info->platlib, v);
		else if (!strcmp(k, "ensurepip")) error = parse_int(v, &info->has_ensurepip);
		else if (!strcmp(k, "wheel")) {
			char **p;

			if (info->nwheels >= 16)
				return venv_error_set(VENV_ETOOBIG, "too many wheels");
			p = realloc(info->wheels, (info->nwheels + 1) * sizeof(*p));
			if (!p)
				return venv_error_set(VENV_ENOMEM, "out of memory");
			info->wheels = p;
			info->wheels[info->nwheels] = NULL;
			error = set_str(&info->wheels[info->nwheels], v);
			info->nwheels++;
		} else if (!strcmp(k, "stamp") && stamp_cb) {
			error = stamp_cb(v, payload);
		}
		if (error < 0)
			return error;
	}
	if (!info->major || !info->executable || !info->base_executable ||
	    !info->real_executable || !info->scripts || !info->include ||
	    !info->purelib || !info->platlib || !info->stdlib_landmark ||
	    !info->platlibdir || !info->platform)
		return venv_error_set(VENV_EINVAL, "incomplete facts from the interpreter");
	return 0;
}

/* A stamp: "dev:ino:size:sec:nsec:kind:path"; kind L = lstat, S = stat. */
static int add_stamp(struct vbuf *out, const char *path, int use_lstat)
{
	struct stat st;
	int rc = use_lstat ? lstat(path, &st) : stat(path, &st);

	if (rc < 0)
		return venv_error_set_errno(VENV_ENOTFOUND, "cannot stat '%s'", path);
	if (vbuf_adds(out, "stamp") < 0 || vbuf_addch(out, '\0') < 0)
		return VENV_ENOMEM;
	if (vbuf_addf(out, "%llu:%llu:%lld:%lld:%ld:%c:%s",
		      (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		      (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		      (long)st.st_mtim.tv_nsec, use_lstat ? 'L' : 'S', path) < 0)
		return VENV_ENOMEM;
	return vbuf_addch(out, '\0');
}

static int check_stamp(const char *v, void *payload)
{
	struct vbuf now = VBUF_INIT(VBUF_MAX_PATH);
	const char *path;
	int *fresh = payload, n = 0, error;
	const char *p;

	/* The path is what follows the sixth colon. */
	for (p = v; *p && n < 6; p++)
		if (*p == ':')
			n++;
	path = p;
	if (n < 6 || p - v < 2)
		return venv_error_set(VENV_EINVAL, "bad cache stamp");
	error = add_stamp(&now, path, p[-2] == 'L');
	if (error < 0 || strcmp(now.buf + 6, v))
		*fresh = 0;
	vbuf_release(&now);
	return 0;
}

static int cache_path(struct vbuf *out, const char *invoked)
{
	int error;

	if ((error = venv_cache_dir(out)) < 0)
		return error;
	return vbuf_addf(out, "/pyinfo/%016llx",
			 (unsigned long long)venv_fnv1a(invoked, strlen(invoked)));
}

static int read_cache(struct venv_pyinfo *info, const char *invoked)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), buf = VBUF_INIT(VBUF_MAX_PROBE);
	size_t hl = sizeof(PYINFO_FORMAT);
	int fresh = 1, error;

	if ((error = cache_path(&path, invoked)) < 0 ||
	    (error = venv_fs_read_file_at(&buf, AT_FDCWD, path.buf, VBUF_MAX_PROBE)) < 0)
		goto done;
	/* Header: format tag, then the invoked path it belongs to. */
	if (buf.len < hl || memcmp(buf.buf, PYINFO_FORMAT, hl) ||
	    strnlen(buf.buf + hl, buf.len - hl) != strlen(invoked) ||
	    strcmp(buf.buf + hl, invoked)) {
		error = VENV_ENOTFOUND;
		goto done;
	}
	hl += strlen(invoked) + 1;
	error = parse_pairs(info, buf.buf + hl, buf.len - hl, check_stamp, &fresh);
	if (!error && !fresh)
		error = VENV_ENOTFOUND;
done:
	if (error < 0)
		venv_pyinfo_release(info);
	vbuf_release(&path);
	vbuf_release(&buf);
	return error;
}

static void write_cache(const struct venv_pyinfo *info, const char *probe, size_t len)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), dir = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf buf = VBUF_INIT(VBUF_MAX_PROBE);

	/* A cache that cannot be written is not an error: we simply probe again. */
	if (cache_path(&path, info->invoked) < 0 || venv_path_dirname(&dir, path.buf) < 0 ||
	    venv_fs_mkdirs(dir.buf) < 0)
		goto done;
	if (vbuf_add(&buf, PYINFO_FORMAT, sizeof(PYINFO_FORMAT)) < 0 ||
	    vbuf_add(&buf, info->invoked, strlen(info->invoked) + 1) < 0 ||
	    vbuf_add(&buf, probe, len) < 0 ||
	    add_stamp(&buf, info->invoked, 1) < 0 || add_stamp(&buf, info->invoked, 0) < 0 ||
	    add_stamp(&buf, info->real_executable, 0) < 0 ||
	    add_stamp(&buf, info->stdlib_landmark, 0) < 0)
		goto done;
	venv_fs_write_file_at(AT_FDCWD, path.buf, buf.buf, buf.len, 0644, VENV_FS_ATOMIC);
done:
	venv_error_clear();
	vbuf_release(&path);
	vbuf_release(&dir);
	vbuf_release(&buf);
}

/* A launcher script (such as a pyenv shim) can change what it runs at any time. */
static int is_script(const char *path)
{
	char head[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!';
	close(fd);
	return ok;
}

int venv_pyinfo_load(struct venv_pyinfo *info, const char *path, unsigned flags)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	const char *argv[6];
	struct venv_proc proc;
	int status = 0, error, cacheable;

	memset(info, 0, sizeof(*info));
	cacheable = !(flags & VENV_PYINFO_NO_CACHE) && !is_script(path) &&
		    !getenv("VENV_NO_CACHE");
	if (cacheable && read_cache(info, path) == 0) {
		info->from_cache = 1;
		if ((error = set_str(&info->invoked, path)) < 0)
			goto done;
		goto version;
	}
	argv[0] = path;
	argv[1] = "-I";
	argv[2] = "-S";
	argv[3] = "-c";
	argv[4] = probe_script;
	argv[5] = NULL;
	memset(&proc, 0, sizeof(proc));
	proc.argv = argv;
	proc.flags = VENV_PROC_CAPTURE;
	proc.output = &out;
	if ((error = venv_proc_run(&proc, &status)) < 0)
		goto done;
	if (status != 0) {
		error = venv_error_set(VENV_EINVAL, "'%s' does not look like a Python 3.8 or "
				       "later interpreter (the probe exited with status %d)",
				       path, status);
		goto done;
	}
	if (parse_pairs(info, out.buf, out.len, NULL, NULL) < 0) {
		error = venv_error_set(VENV_EINVAL, "'%s' does not look like a Python 3.8 or "
				       "later interpreter (%s)", path, venv_error_last());
		goto done;
	}
	if ((error = set_str(&info->invoked, path)) < 0)
		goto done;
	/* Only trust a cache keyed by a file that is the interpreter itself. */
	if (cacheable) {
		char *r = realpath(path, NULL);

		if (r && !strcmp(r, info->real_executable))
			write_cache(info, out.buf, out.len);
		free(r);
	}
version:
	if (info->major != 3 || info->minor < 8) {
		error = venv_error_set(VENV_EINVAL, "'%s' is Python %d.%d; Python 3.8 or later "
				       "is required", path, info->major, info->minor);
		goto done;
	}
	vbuf_reset(&out);
	if ((error = vbuf_addf(&out, "%d.%d.%d", info->major, info->minor, info->micro)) < 0 ||
	    (error = set_str(&info->version, out.buf)) < 0)
		goto done;
done:
	if (error < 0)
		venv_pyinfo_release(info);
	vbuf_release(&out);
	return error;
}

/* ---- interpreter discovery ---- */

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

/* Compare dotted version strings numerically ("3.12.10" > "3.12.9"). */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && (*a < '0' || *a > '9')) || (*b && (*b < '0' || *b > '9')))
			return strcmp(a, b);
	}
	return 0;
}

/* Newest pyenv version whose name is "<prefix>.N" (or exactly prefix) holding bin/<exe>. */
static int pyenv_find_version(struct vbuf *out, const char *prefix, const char *exe)
{
	struct vbuf root = VBUF_INIT(VBUF_MAX_PATH), cand = VBUF_INIT(VBUF_MAX_PATH);
	char best[256] = "";
	size_t pl = strlen(prefix);
	struct dirent *de;
	DIR *d = NULL;
	int error = VENV_ENOTFOUND;

	if (pyenv_root(&root) < 0 || vbuf_adds(&root, "/versions") < 0)
		goto done;
	if (!(d = opendir(root.buf)))
		goto done;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		const char *rest = n + pl;

		if (strncmp(n, prefix, pl) || (*rest && (*rest != '.' || !rest[1])))
			continue;
		for (rest = n; *rest; rest++)
			if ((*rest < '0' || *rest > '9') && *rest != '.')
				break;
		if (*rest || strlen(n) >= sizeof(best))
			continue;
		vbuf_reset(&cand);
		if (vbuf_addf(&cand, "%s/%s/bin/%s", root.buf, n, exe) < 0)
			goto done;
		if (access(cand.buf, X_OK) != 0)
			continue;
		if (!best[0] || version_cmp(n, best) > 0)
			snprintf(best, sizeof(best), "%s", n);
	}
	if (best[0]) {
		vbuf_reset(out);
		error = vbuf_addf(out, "%s/%s/bin/%s", root.buf, best, exe);
	}
done:
	if (d)
		closedir(d);
	vbuf_release(&root);
	vbuf_release(&cand);
	return error;
}

/* pyenv's own order: PYENV_VERSION, .python-version upwards, the global file. */
static int pyenv_selected_versions(struct vbuf *out)
{
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), file = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf data = VBUF_INIT(4096);
	const char *env = getenv("PYENV_VERSION");
	int error = VENV_ENOTFOUND;
	char *cwd = NULL;
	size_t i;

	vbuf_reset(out);
	if (env && *env) {
		error = vbuf_sets(out, env);
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
			if (pyenv_root(&file) < 0 || vbuf_adds(&file, "/version") < 0 ||
			    venv_fs_read_file_at(&data, AT_FDCWD, file.buf, 4096) < 0)
				goto done;
			break;
		}
		if (venv_path_dirname(&dir, dir.buf) < 0)
			goto done;
	}
	/* One version per line (comments start with #); join them with ':'. */
	for (i = 0; i < data.len; ) {
		size_t e = i;

		while (e < data.len && data.buf[e] != '\n' && data.buf[e] != ' ' &&
		       data.buf[e] != '\t' && data.buf[e] != '\r')
			e++;
		if (e > i && data.buf[i] != '#') {
			if (out->len)
				vbuf_addch(out, ':');
			vbuf_add(out, data.buf + i, e - i);
		}
		i = e + 1;
	}
	error = out->len ? 0 : VENV_ENOTFOUND;
done:
	venv_error_clear();
	free(cwd);
	vbuf_release(&dir);
	vbuf_release(&file);
	vbuf_release(&data);
	return error;
}

static int resolve_shim(struct vbuf *out, const char *shim)
{
	struct vbuf root = VBUF_INIT(VBUF_MAX_PATH), shims = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf versions = VBUF_INIT(4096), cand = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH);
	int error = VENV_ENOTFOUND;
	char *v, *save = NULL;

	if (pyenv_root(&root) < 0 || vbuf_addf(&shims, "%s/shims", root.buf) < 0 ||
	    venv_path_dirname(&cand, shim) < 0 || strcmp(cand.buf, shims.buf) ||
	    venv_path_basename(&name, shim) < 0 || pyenv_selected_versions(&versions) < 0)
		goto done;
	for (v = strtok_r(versions.buf, ":", &save); v; v = strtok_r(NULL, ":", &save)) {
		if (!strcmp(v, "system") || strchr(v, '/') || !strcmp(v, "..") || !strcmp(v, "."))
			continue;
		vbuf_reset(&cand);
		if (vbuf_addf(&cand, "%s/versions/%s/bin/%s", root.buf, v, name.buf) < 0)
			goto done;
		if (access(cand.buf, X_OK) == 0) {
			error = vbuf_sets(out, cand.buf);
			goto done;
		}
	}
done:
	venv_error_clear();
	vbuf_release(&root);
	vbuf_release(&shims);
	vbuf_release(&versions);
	vbuf_release(&cand);
	vbuf_release(&name);
	return error;
}

static int is_version_spec(const char *s)
{
	int dots = 0;

	if (!*s || *s == '.')
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (++dots > 1 || !s[1])
				return 0;
		} else if (*s < '0' || *s > '9') {
			return 0;
		}
	}
	return 1;
}

int venv_python_find(struct vbuf *out, const char *spec)
{
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), found = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (!spec)
		spec = "python3";
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
	if (is_version_spec(spec)) {
		if ((error = vbuf_addf(&name, "python%s", spec)) < 0)
			goto done;
		/* A real binary on PATH first, then pyenv's installed versions. */
		if (venv_path_search(&found, name.buf) == 0 && !is_script(found.buf)) {
			error = vbuf_sets(out, found.buf);
			goto done;
		}
		if (pyenv_find_version(out, spec, name.buf) == 0) {
			error = 0;
			goto done;
		}
		if (found.len && resolve_shim(out, found.buf) == 0) {
			error = 0;
			goto done;
		}
		error = venv_error_set(VENV_ENOTFOUND, "no Python %s found on PATH or in "
				       "pyenv's versions", spec);
		goto done;
	}
	if (venv_path_search(&found, spec) < 0) {
		error = venv_error_set(VENV_ENOTFOUND, "interpreter '%s' not found on PATH", spec);
		goto done;
	}
	if (is_script(found.buf) && resolve_shim(out, found.buf) == 0) {
		error = 0;
		goto done;
	}
	error = vbuf_sets(out, found.buf);
done:

	if (error == 0)
		venv_error_clear();
	vbuf_release(&name);
	vbuf_release(&found);
	return error;
}
