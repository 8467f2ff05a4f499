#include "compat.h"
#include "error.h"
#include "path.h"

int venv_path_normalize(struct vbuf *out, const char *path)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	const char *p = path;
	int absolute = path[0] == '/';
	int error = 0;

	/* POSIX keeps exactly two leading slashes; three or more become one. */
	int two = absolute && path[1] == '/' && path[2] != '/';

	if (absolute && (error = vbuf_adds(&tmp, two ? "//" : "/")) < 0)
		goto done;
	while (*p) {
		const char *start;
		size_t n;

		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			size_t base = absolute ? (two ? 2 : 1) : 0;
			const char *last;
			size_t cut;

			if (tmp.len > base) {
				/* Drop the last component unless it is itself "..". */
				last = tmp.buf + tmp.len;
				while (last > tmp.buf + base && last[-1] != '/')
					last--;
				if (strcmp(last, "..")) {
					cut = (size_t)(last - tmp.buf);
					if (cut > base)
						cut--;
					vbuf_setlen(&tmp, cut);
					continue;
				}
			} else if (absolute) {
				continue;
			}
		}
		if (tmp.len > (absolute ? (two ? 2u : 1u) : 0u) &&
		    (error = vbuf_addch(&tmp, '/')) < 0)
			goto done;
		if ((error = vbuf_add(&tmp, start, n)) < 0)
			goto done;
	}
	if (!tmp.len && (error = vbuf_addch(&tmp, '.')) < 0)
		goto done;
	error = vbuf_sets(out, tmp.buf);
done:
	vbuf_release(&tmp);
	return error;
}

int venv_path_abspath(struct vbuf *out, const char *path)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	char *cwd = NULL;
	int error;

	if (!*path)
		return venv_error_set(VENV_EINVAL, "empty path");
	if (path[0] == '/') {
		error = venv_path_normalize(out, path);
		goto done;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd) {
		error = venv_error_set_errno(VENV_EIO, "cannot read the current directory");
		goto done;
	}
	if ((error = venv_path_join(&tmp, cwd, path)) < 0)
		goto done;
	error = venv_path_normalize(out, tmp.buf);
done:
	free(cwd);
	vbuf_release(&tmp);
	return error;
}

int venv_path_join(struct vbuf *out, const char *a, const char *b)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	size_t alen = strlen(a);
	int error;

	if ((error = vbuf_add(&tmp, a, alen)) < 0)
		goto done;
	if (alen && a[alen - 1] != '/' && *b && (error = vbuf_addch(&tmp, '/')) < 0)
		goto done;
	if ((error = vbuf_adds(&tmp, b)) < 0)
		goto done;
	error = vbuf_sets(out, tmp.buf);
done:
	vbuf_release(&tmp);
	return error;
}

int venv_path_basename(struct vbuf *out, const char *path)
{
	const char *slash = strrchr(path, '/');

	return vbuf_sets(out, slash ? slash + 1 : path);
}

int venv_path_dirname(struct vbuf *out, const char *path)
{
	const char *slash = strrchr(path, '/'), *end;
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	if (!slash)
		return vbuf_sets(out, "");
	/*
	 * Like posixpath.dirname: drop the trailing slashes of the head, unless
	 * the head is nothing but slashes ("/", and "//" which POSIX keeps).
	 */
	end = slash + 1;
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		slash = end;
	error = vbuf_add(&tmp, path, (size_t)(slash - path));
	if (!error)
		error = vbuf_sets(out, tmp.buf);
	vbuf_release(&tmp);
	return error;
}

static size_t component_len(const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != '/')
		n++;
	return n;
}

int venv_path_relative(struct vbuf *out, const char *path, const char *start)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	const char *p = path, *s = start;
	int error = 0;

	if (path[0] != '/' || start[0] != '/')
		return venv_error_set(VENV_EINVAL, "relative path given to venv_path_relative");
	/* Skip the common leading components. */
	for (;;) {
		size_t pn, sn;

		while (*p == '/')
			p++;
		while (*s == '/')
			s++;
		pn = component_len(p);
		sn = component_len(s);
		if (!pn || pn != sn || memcmp(p, s, pn))
			break;
		p += pn;
		s += sn;
	}
	while (*s) {
		size_t sn;

		while (*s == '/')
			s++;
		sn = component_len(s);
		if (!sn)
			break;
		if ((tmp.len && (error = vbuf_addch(&tmp, '/')) < 0) ||
		    (error = vbuf_adds(&tmp, "..")) < 0)
			goto done;
		s += sn;
	}
	while (*p == '/')
		p++;
	if (*p) {
		if ((tmp.len && (error = vbuf_addch(&tmp, '/')) < 0) ||
		    (error = vbuf_adds(&tmp, p)) < 0)
			goto done;
	}
	if (!tmp.len && (error = vbuf_addch(&tmp, '.')) < 0)
		goto done;
	error = vbuf_sets(out, tmp.buf);
done:
	vbuf_release(&tmp);
	return error;
}

int venv_path_search(struct vbuf *out, const char *name)
{
	struct vbuf cand = VBUF_INIT(VBUF_MAX_PATH);
	const char *path = getenv("PATH");
	const char *p;
	int error = VENV_ENOTFOUND;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; ) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		struct stat st;

		vbuf_reset(&cand);
		if (n == 0) {
			/* An empty entry means the current directory. */
			error = vbuf_adds(&cand, name);
		} else {
			error = vbuf_add(&cand, p, n);
			if (!error)
				error = vbuf_addch(&cand, '/');
			if (!error)
				error = vbuf_adds(&cand, name);
		}
		if (error < 0)
			goto done;
		if (stat(cand.buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand.buf, X_OK) == 0) {
			error = venv_path_abspath(out, cand.buf);
			goto done;
		}
		if (!end)
			break;
		p = end + 1;
	}
	error = venv_error_set(VENV_ENOTFOUND, "'%s' not found on PATH", name);
done:
	vbuf_release(&cand);
	return error;
}

int venv_path_file_uri(struct vbuf *out, const char *path)
{
	struct vbuf abs = VBUF_INIT(VBUF_MAX_PATH);
	const unsigned char *p;
	int error;

	if ((error = venv_path_abspath(&abs, path)) < 0 || (error = vbuf_adds(out, "file://")) < 0)
		goto done;
	for (p = (const unsigned char *)abs.buf; *p && !error; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			error = vbuf_addch(out, *p);
		else
			error = vbuf_addf(out, "%%%02X", *p);
	}
done:
	vbuf_release(&abs);
	return error;
}

int venv_path_is_within(const char *child, const char *parent)
{
	const char *c = child, *p = parent;

	/* A relative path is never beneath an absolute one, nor the reverse. */
	if ((child[0] == '/') != (parent[0] == '/'))
		return 0;
	for (;;) {
		size_t cn, pn;

		while (*c == '/')
			c++;
		while (*p == '/')
			p++;
		pn = component_len(p);
		if (!pn)
			break;
		cn = component_len(c);
		if (cn != pn || memcmp(c, p, cn))
			return 0;
		c += cn;
		p += pn;
	}
	/* A ".." below the parent could climb back out of it: not provably within. */
	for (;;) {
		size_t cn;

		while (*c == '/')
			c++;
		cn = component_len(c);
		if (!cn)
			return 1;
		if (cn == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		c += cn;
	}
}

int venv_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned long cp;
		size_t n, k;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n > len)
			return 0;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

size_t venv_utf8_decode(const char *str, unsigned long *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, k;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	*cp = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (k = 1; k < n && s[k]; k++)
		*cp = (*cp << 6) | (s[k] & 0x3f);
	return k;
}

static int is_bidi(unsigned long cp)
{
	return cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

int venv_str_has_bidi(const char *s)
{
	size_t len = strlen(s);

	if (!venv_utf8_valid(s, len))
		return 0;
	while (*s) {
		unsigned long cp;

		s += venv_utf8_decode(s, &cp);
		if (is_bidi(cp))
			return 1;
	}
	return 0;
}

int venv_str_escape(struct vbuf *out, const char *s)
{
	int error = 0;

	while (*s && !error) {
		const unsigned char c = (unsigned char)*s;
		size_t n = 1;

		if (c >= 0x20 && c < 0x7f) {
			error = c == '\\' ? vbuf_adds(out, "\\\\") : vbuf_addch(out, c);
		} else if (c < 0x80) {
			error = vbuf_addf(out, "\\x%02x", c);
		} else {
			/* Find the extent of one UTF-8 sequence and check it alone. */
			unsigned long cp;

			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (strnlen(s, n) < n || !venv_utf8_valid(s, n)) {
				error = vbuf_addf(out, "\\x%02x", c);
				n = 1;
			} else {
				venv_utf8_decode(s, &cp);
				if (cp < 0xa0 || is_bidi(cp) || cp == 0x2028 || cp == 0x2029 ||
				    (cp >= 0x200b && cp <= 0x200d) || cp == 0xfeff)
					error = vbuf_addf(out, "\\u%04lx", cp);
				else
					error = vbuf_add(out, s, n);
			}
		}
		s += n;
	}
	return error;
}
