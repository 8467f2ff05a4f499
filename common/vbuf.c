#include "compat.h"
#include "error.h"
#include "vbuf.h"

char vbuf_slopbuf[1];

void vbuf_init(struct vbuf *sb, size_t max)
{
	sb->buf = vbuf_slopbuf;
	sb->len = 0;
	sb->alloc = 0;
	sb->max = max;
}

void vbuf_release(struct vbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	vbuf_init(sb, sb->max);
}

void vbuf_reset(struct vbuf *sb)
{
	vbuf_setlen(sb, 0);
}

void vbuf_setlen(struct vbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

int vbuf_grow(struct vbuf *sb, size_t extra)
{
	size_t want, nalloc;
	char *p;

	/* len + extra + 1 must fit in a size_t even when max is SIZE_MAX. */
	if (extra > sb->max || sb->len > sb->max - extra || extra >= SIZE_MAX - sb->len)
		return venv_error_set(VENV_ETOOBIG,
				      "data exceeds the limit of %zu bytes", sb->max);
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return 0;
	nalloc = sb->alloc ? sb->alloc : 64;
	while (nalloc < want)
		nalloc = nalloc > SIZE_MAX / 2 ? want : nalloc * 2;
	p = realloc(sb->alloc ? sb->buf : NULL, nalloc);
	if (!p)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = nalloc;
	return 0;
}

int vbuf_add(struct vbuf *sb, const void *data, size_t len)
{
	int error;

	if ((error = vbuf_grow(sb, len)) < 0)
		return error;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int vbuf_adds(struct vbuf *sb, const char *s)
{
	return vbuf_add(sb, s, strlen(s));
}

int vbuf_addch(struct vbuf *sb, int c)
{
	char ch = (char)c;

	return vbuf_add(sb, &ch, 1);
}

int vbuf_sets(struct vbuf *sb, const char *s)
{
	/* Check the cap first so that a failure leaves the old contents. */
	if (strlen(s) > sb->max)
		return venv_error_set(VENV_ETOOBIG,
				      "data exceeds the limit of %zu bytes", sb->max);
	vbuf_reset(sb);
	return vbuf_adds(sb, s);
}

int vbuf_vaddf(struct vbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n, error;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return venv_error_set(VENV_EINVAL, "invalid format string");
	if ((error = vbuf_grow(sb, (size_t)n)) < 0)
		return error;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int vbuf_addf(struct vbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return error;
}

char *vbuf_detach(struct vbuf *sb, size_t *len_out)
{
	char *res;

	if (!sb->alloc && vbuf_grow(sb, 0) < 0)
		return NULL;
	res = sb->buf;
	if (len_out)
		*len_out = sb->len;
	vbuf_init(sb, sb->max);
	return res;
}
