#include "compat.h"
#include "progress.h"

void venv_progress_init(struct venv_progress *p, int on, int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	memset(p, 0, sizeof(*p));
	p->on = on && isatty(fd);
	p->escapes = !(nc && *nc) && !(term && !strcmp(term, "dumb"));
}

int venv_progress_erase(struct vbuf *out, const struct venv_progress *p)
{
	int error = 0, i;

	if (!p->shown)
		return 0;
	if (p->escapes)
		return vbuf_adds(out, "\r\033[K");
	if ((error = vbuf_addch(out, '\r')) < 0)
		return error;
	for (i = 0; i < p->shown && error >= 0; i++)
		error = vbuf_addch(out, ' ');
	return error < 0 ? error : vbuf_addch(out, '\r');
}

int venv_progress_format(struct vbuf *out, const struct venv_progress *p, const char *text)
{
	int error;

	if ((error = venv_progress_erase(out, p)) < 0 || (error = vbuf_addch(out, '\r')) < 0)
		return error;
	/*
	 * One line: a newline or a carriage return inside would break the
	 * redraw, and no control character of what pip printed reaches the
	 * terminal (an escape sequence could retitle or clear it).
	 */
	for (; *text && error >= 0; text++)
		error = vbuf_addch(out, (unsigned char)*text < 0x20 || *text == 0x7f ? ' ' : *text);
	return error;
}

void venv_pip_progress_init(struct venv_pip_progress *pp, size_t total,
			    void (*cb)(void *payload, const char *what, size_t n, size_t total),
			    void *payload)
{
	memset(pp, 0, sizeof(*pp));
	pp->total = total;
	pp->cb = cb;
	pp->payload = payload;
	vbuf_init(&pp->line, VBUF_MAX_LINE);
}

/* One complete line of pip's output. */
static void pip_line(struct venv_pip_progress *pp, const char *l)
{
	static const char *const starts[] = { "Collecting ", "Processing ", "Obtaining " };
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(starts); i++) {
		if (!strncmp(l, starts[i], strlen(starts[i]))) {
			const char *what = l + strlen(starts[i]), *slash = strrchr(what, '/');

			/* A path or URL: its last part names the package well enough. */
			if (slash && slash[1])
				what = slash + 1;
			if (pp->n < pp->total)
				pp->n++;
			pp->cb(pp->payload, what, pp->n, pp->total);
			return;
		}
	}
	if (!strncmp(l, "Installing collected packages", 29))
		pp->cb(pp->payload, "installing", pp->total, pp->total);
}

void venv_pip_progress_feed(struct venv_pip_progress *pp, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n' || data[i] == '\r') {
			if (pp->line.len)
				pip_line(pp, pp->line.buf);
			vbuf_reset(&pp->line);
		} else if (vbuf_addch(&pp->line, data[i]) < 0) {
			/* A line longer than the cap is no step: drop it. */
			vbuf_reset(&pp->line);
		}
	}
}

void venv_pip_progress_release(struct venv_pip_progress *pp)
{
	vbuf_release(&pp->line);
}
