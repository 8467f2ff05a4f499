#include "compat.h"
#include <dirent.h>
#include <sys/utsname.h>
#include "venv.h"
#include "dist.h"
#include "wheels.h"

/* The wheel file name's distribution part ("foo_bar") against a name, PEP 503-normalised. */
static int same_name(const char *a, size_t alen, const char *b)
{
	struct vbuf x = VBUF_INIT(VBUF_MAX_LINE), y = VBUF_INIT(VBUF_MAX_LINE), t = VBUF_INIT(VBUF_MAX_LINE);
	int same;

	/* A name that cannot be copied (out of memory) matches nothing. */
	same = vbuf_add(&t, a, alen) == 0 && venv_name_canonicalize(&x, t.buf) == 0 && venv_name_canonicalize(&y, b) == 0 &&
	       !strcmp(x.buf, y.buf);
	vbuf_release(&x);
	vbuf_release(&y);
	vbuf_release(&t);
	return same;
}

/* Does one of the dot-separated tags of `set` (length n) satisfy ok()? */
static int any_tag(const char *set, size_t n, int (*ok)(const char *, size_t, int), int minor)
{
	while (n) {
		const char *dot = memchr(set, '.', n);
		size_t len = dot ? (size_t)(dot - set) : n;

		if (ok(set, len, minor))
			return 1;
		if (!dot)
			break;
		n -= len + 1;
		set = dot + 1;
	}
	return 0;
}

static int tag_is(const char *t, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(t, s, n);
}

/* Python tags CPython 3.<minor> accepts: cp3<minor>, py3, py3<k> for k <= minor. */
static int python_ok(const char *t, size_t n, int minor)
{
	char buf[16];
	int k;

	snprintf(buf, sizeof(buf), "cp3%d", minor);
	if (tag_is(t, n, buf) || tag_is(t, n, "py3"))
		return 1;
	for (k = 0; k <= minor; k++) {
		snprintf(buf, sizeof(buf), "py3%d", k);
		if (tag_is(t, n, buf))
			return 1;
	}
	return 0;
}

static int abi_ok(const char *t, size_t n, int minor)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "cp3%d", minor);
	return tag_is(t, n, buf) || tag_is(t, n, "abi3") || tag_is(t, n, "none");
}

/* any, linux_<machine>, manylinux*_<machine> (glibc is taken as new enough). */
static int platform_ok(const char *t, size_t n, int minor)
{
	struct utsname u;
	size_t ml;

	(void)minor;
	if (tag_is(t, n, "any"))
		return 1;
	if (uname(&u) < 0)
		return 0;
	ml = strlen(u.machine);
	if (n <= ml + 1 || memcmp(t + n - ml, u.machine, ml) || t[n - ml - 1] != '_')
		return 0;
	return (n == ml + 6 && !memcmp(t, "linux", 5)) || (n > 9 && !memcmp(t, "manylinux", 9));
}

/*
 * Is `file` ("name-ver(-build)?-py-abi-plat.whl") a wheel of name at
 * version (NULL: any version, then *ver gets it) that CPython 3.<minor>
 * on this machine can install?
 */
int venv_localwheel_fits(const char *file, const char *name, const char *version, int minor,
		      struct vbuf *ver)
{
	const char *p[6];
	size_t n = strlen(file), k = 0, i;
	const char *plat, *abi, *py;

	if (n < 5 || strcmp(file + n - 4, ".whl"))
		return 0;
	p[k++] = file;
	for (i = 0; i < n - 4 && k < 6; i++)
		if (file[i] == '-')
			p[k++] = file + i + 1;
	if (k != 5 && k != 6)
		return 0;
	/* The last three: python, abi, platform. */
	py = p[k - 3];
	abi = p[k - 2];
	plat = p[k - 1];
	if (!same_name(file, (size_t)(p[1] - file - 1), name))
		return 0;
	if (version && (strlen(version) != (size_t)(p[2] - p[1] - 1) ||
			memcmp(p[1], version, strlen(version))))
		return 0;
	if (!any_tag(py, (size_t)(abi - py - 1), python_ok, minor) ||
	    !any_tag(abi, (size_t)(plat - abi - 1), abi_ok, minor) ||
	    !any_tag(plat, (size_t)(file + n - 4 - plat), platform_ok, minor))
		return 0;
	if (ver) {
		vbuf_reset(ver);
		/* A version that cannot be kept (out of memory): the wheel is not taken. */
		if (vbuf_add(ver, p[1], (size_t)(p[2] - p[1] - 1)) < 0)
			return 0;
	}
	return 1;
}

/* Is ver (text) inside spec? An invalid version is not. */
int venv_localwheel_version_in(const char *ver, const struct venv_specset *spec)
{
	struct venv_pep440 v;

	if (venv_pep440_parse(&v, ver) < 0) {
		venv_error_clear();
		return 0;
	}
	return venv_specset_contains(spec, &v);
}

/* a > b as PEP 440 orders versions (an invalid one is never greater). */
int venv_localwheel_version_gt(const char *a, const char *b)
{
	struct venv_pep440 x, y;
	int gt = venv_pep440_parse(&x, a) == 0 && (venv_pep440_parse(&y, b) < 0 ||
						   venv_pep440_cmp(&x, &y) > 0);

	venv_error_clear();
	return gt;
}

/*
 * Look below dir (pip's cache nests its wheels a few levels deep) for the
 * best wheel of name: at exactly `version`, or, with version NULL, the
 * newest whose version is inside spec. 0, or < 0 when best and bestver
 * could not be kept.
 */
static int find_wheel_in(const char *dir, int depth, const char *name, const char *version,
			  const struct venv_specset *spec, int minor, struct vbuf *best,
			  struct vbuf *bestver)
{
	struct vbuf ver = VBUF_INIT(VBUF_MAX_LINE), sub = VBUF_INIT(VBUF_MAX_PATH);
	DIR *d = opendir(dir);
	struct dirent *de;
	int error = 0;

	if (!d)
		return 0;
	while (!error && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		vbuf_reset(&sub);
		if (vbuf_addf(&sub, "%s/%s", dir, de->d_name) < 0 || stat(sub.buf, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 6)
				error = find_wheel_in(sub.buf, depth + 1, name, version, spec, minor, best,
					      bestver);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !venv_localwheel_fits(de->d_name, name, version, minor, &ver))
			continue;
		if (version ? best->len != 0 : !venv_localwheel_version_in(ver.buf, spec) ||
		    (bestver->len && !venv_localwheel_version_gt(ver.buf, bestver->buf)))
			continue;
		if ((error = vbuf_sets(best, sub.buf)) < 0)
			break;
		error = vbuf_sets(bestver, ver.buf);
	}
	closedir(d);
	vbuf_release(&ver);
	vbuf_release(&sub);
	if (!error)
		venv_error_clear();
	return error;
}

/*
 * The best wheel of name for the interpreter `to` (see wheels.h). Where
 * local wheels are looked for, in this order: the new base's own ensurepip
 * wheels (pip, and setuptools up to 3.11), the user's pip find-links
 * directories (PIP_FIND_LINKS, local paths only: the upgrade never goes to
 * the network), the wheels pip built and cached ($PIP_CACHE_DIR or
 * ~/.cache/pip, "wheels/"), and Debian's directory of the wheels its Python
 * seeds environments with.
 */
int venv_localwheel_find(char **out, char **outver, const char *name, const char *version,
			 const struct venv_specset *spec, const struct venv_pyinfo *to)
{
	struct vbuf best = VBUF_INIT(VBUF_MAX_PATH), bestver = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf ver = VBUF_INIT(VBUF_MAX_LINE), dir = VBUF_INIT(VBUF_MAX_PATH);
	const char *v;
	size_t i;
	int error = 0, minor = to->minor;

	*out = NULL;
	for (i = 0; i < to->nwheels && !best.len; i++) {
		const char *base = strrchr(to->wheels[i], '/');

		base = base ? base + 1 : to->wheels[i];
		if (venv_localwheel_fits(base, name, version, minor, &ver) &&
		    (version || venv_localwheel_version_in(ver.buf, spec)) &&
		    ((error = vbuf_sets(&best, to->wheels[i])) < 0 ||
		     (error = vbuf_sets(&bestver, ver.buf)) < 0))
			goto done;
	}
	for (v = getenv("PIP_FIND_LINKS"); v && *v && !best.len;) {
		size_t len;

		while (*v == ' ' || *v == '\t' || *v == '\n')
			v++;
		if (!(len = strcspn(v, " \t\n")))
			break;
		vbuf_reset(&dir);
		if (len > 7 && !strncmp(v, "file://", 7))
			error = vbuf_add(&dir, v + 7, len - 7);
		else if (*v == '/')
			error = vbuf_add(&dir, v, len);
		if (error < 0 || (dir.len && (error = find_wheel_in(dir.buf, 0, name, version, spec,
								    minor, &best, &bestver)) < 0))
			goto done;
		v += len;
	}
	vbuf_reset(&dir);
	if ((v = getenv("PIP_CACHE_DIR")) && *v == '/')
		error = vbuf_addf(&dir, "%s/wheels", v);
	else if ((v = getenv("XDG_CACHE_HOME")) && *v == '/')
		error = vbuf_addf(&dir, "%s/pip/wheels", v);
	else if ((v = getenv("HOME")) && *v == '/')
		error = vbuf_addf(&dir, "%s/.cache/pip/wheels", v);
	if (error < 0 ||
	    (!best.len && dir.len &&
	     (error = find_wheel_in(dir.buf, 0, name, version, spec, minor, &best, &bestver)) < 0) ||
	    (!best.len && (error = find_wheel_in("/usr/share/python-wheels", 0, name, version, spec,
						 minor, &best, &bestver)) < 0))
		goto done;
	if (best.len && (!(*out = strdup(best.buf)) || !(*outver = strdup(bestver.buf))))
		error = venv_error_set(VENV_ENOMEM, "out of memory");
done:
	vbuf_release(&best);
	vbuf_release(&bestver);
	vbuf_release(&ver);
	vbuf_release(&dir);
	return error;
}
