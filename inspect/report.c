#include "compat.h"
#include "error.h"
#include "inspect.h"

const char *venv_creator_name(enum venv_creator creator)
{
	switch (creator) {
	case VENV_CREATOR_CPYTHON: return "cpython";
	case VENV_CREATOR_VIRTUALENV: return "virtualenv";
	case VENV_CREATOR_UV: return "uv";
	case VENV_CREATOR_VENV: return "venv";
	case VENV_CREATOR_UNKNOWN: break;
	}
	return "unknown";
}

static size_t count_code(const struct venv_report *r, int code)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr; i++)
		n += r->findings[i].code == code;
	return n;
}

int venv_report_add(struct venv_report *r, int code, const char *file, unsigned line,
		    const char *fix, const char *fmt, ...)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_finding *f;
	va_list ap;
	int error;

	if (r->nr >= VENV_REPORT_MAX_FINDINGS ||
	    count_code(r, code) >= VENV_REPORT_MAX_PER_CODE) {
		r->dropped++;
		return 0;
	}
	va_start(ap, fmt);
	error = vbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (error < 0) {
		/* A message too long for the cap is cut, not lost. */
		vbuf_reset(&msg);
		if ((error = vbuf_adds(&msg, "(message too long)")) < 0)
			goto done;
	}
	if (r->nr == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 8;
		struct venv_finding *p = realloc(r->findings, na * sizeof(*p));

		if (!p) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		r->findings = p;
		r->alloc = na;
	}
	f = &r->findings[r->nr];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->line = line;
	f->message = vbuf_detach(&msg, NULL);
	f->file = file ? strdup(file) : NULL;
	f->fix = fix ? strdup(fix) : NULL;
	if ((file && !f->file) || (fix && !f->fix)) {
		free(f->message);
		free(f->file);
		free(f->fix);
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	r->nr++;
	error = 0;
done:
	vbuf_release(&msg);
	return error;
}

void venv_report_release(struct venv_report *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		free(r->findings[i].file);
		free(r->findings[i].message);
		free(r->findings[i].fix);
	}
	free(r->findings);
	free(r->path);
	free(r->version);
	memset(r, 0, sizeof(*r));
}
