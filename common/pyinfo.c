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
	"impl = sys.implementation.name\n"
	"out('implementation', impl)\n"
	"M = '/@venv@'\n"
	"if 'venv' in sysconfig.get_scheme_names():\n"
	"    v = {'base': M, 'platbase': M, 'installed_base': M, 'installed_platbase': M}\n"
	"    p = lambda n: os.path.relpath(sysconfig.get_path(n, scheme='venv', vars=v), M)\n"
	"    out('scripts', p('scripts')); out('include', p('include'))\n"
	"    out('purelib', p('purelib')); out('platlib', p('platlib'))\n"
	"else:\n"
	"    lib = 'lib/%s%d.%d/site-packages' % ((('pypy' if impl == 'pypy' else 'python'),) + vi[:2])\n"
	"    out('scripts', 'bin'); out('include', 'include')\n"
	"    out('purelib', lib); out('platlib', lib)\n"
	"try:\n"
	"    import ensurepip as e\n"
	"    d = os.path.join(os.path.dirname(e.__file__), '_bundled')\n"
	"    if hasattr(e, '_get_packages'):\n"
	"        ws = [p.wheel_path or os.path.join(d, p.wheel_name) for p in e._get_packages().values()]\n"
	"    elif hasattr(e, '_PROJECTS') and all(isinstance(t, str) for t in e._PROJECTS):\n"
	"        import glob\n"
	"        W = '/usr/share/python-wheels/'\n"
	"        k = getattr(e, '_wheel_version', None)\n"
	"        def newest(n):\n"
	"            g = sorted(glob.glob(W + n + '-*[.-]py3-*.whl'), key=k, reverse=True)\n"
	"            return g[0] if g else W + n + '-none-py3-none-any.whl'\n"
	"        ws = [newest(n) for n in e._PROJECTS]\n"
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

#define PYINFO_FORMAT "venv-pyinfo-3"

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
	free(info->implementation);
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
		else if (!strcmp(k, "implementation")) error = set_str(&info->implementation, v);
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
	    !info->platlibdir || !info->platform || !info->implementation)
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
int venv_file_is_script(const char *path)
{
	char head[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!';
	close(fd);
	return ok;
}

int venv_pyinfo_is_pypy(const struct venv_pyinfo *info)
{
	return info->implementation && !strcmp(info->implementation, "pypy");
}

int venv_pyinfo_load(struct venv_pyinfo *info, const char *path, unsigned flags)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	const char *argv[6];
	struct venv_proc proc;
	int status = 0, error, cacheable;

	memset(info, 0, sizeof(*info));
	cacheable = !(flags & VENV_PYINFO_NO_CACHE) && !venv_file_is_script(path) &&
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
	/* What a non-Python says about our options would only confuse: one line is ours. */
	proc.flags = VENV_PROC_CAPTURE | VENV_PROC_QUIET;
	proc.output = &out;
	if ((error = venv_proc_run(&proc, &status)) < 0)
		goto done;
	if (status != 0) {
		error = venv_error_set(VENV_EINVAL, "'%s' is not a usable Python 3.8 or later "
				       "(asked for its facts with -I -S, it exited with status %d)",
				       path, status);
		goto done;
	}
	if (parse_pairs(info, out.buf, out.len, NULL, NULL) < 0) {
		error = venv_error_set(VENV_EINVAL, "'%s' is not a usable Python 3.8 or later "
				       "(%s)", path, venv_error_last());
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

int venv_pyinfo_version_info(struct vbuf *out, const char *old, const struct venv_pyinfo *info)
{
	size_t dots = 0;
	const char *p;

	for (p = old; p && (p = strchr(p, '.')); p++)
		dots++;
	vbuf_reset(out);
	if (old && *old && strspn(old, "0123456789.") == strlen(old) && dots == 2)
		return vbuf_addf(out, "%d.%d.%d", info->major, info->minor, info->micro);
	return vbuf_addf(out, "%d.%d.%d.%s.%d", info->major, info->minor, info->micro,
			 info->releaselevel ? info->releaselevel : "final", info->serial);
}
