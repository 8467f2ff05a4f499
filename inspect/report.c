#include "compat.h"
#include "array.h"
#include "error.h"
#include "inspect.h"
#include "log.h"

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

void venv_finding_data_release(struct venv_finding_data *d)
{
	free(d->found);
	free(d->want);
	free(d->old_prefix);
	free(d->new_prefix);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

static void finding_release(struct venv_finding *f)
{
	free(f->file);
	free(f->relpath);
	free(f->message);
	free(f->fix);
	venv_finding_data_release(&f->data);
}

/* strdup() that keeps NULL; *ok is cleared when a copy fails. */
static char *dup_or_null(const char *s, int *ok)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*ok = 0;
	return d;
}

int venv_finding_fixable(const struct venv_finding *f)
{
	const struct venv_diag *d = venv_diag_get(f->code);

	return d && d->fixable && f->fix;
}

/*
 * A finding with a fix, in a file that names an old location: when it is
 * dropped, its file counts in r->dropped_files unless it was counted (or
 * kept) already. A file's findings come one after another (a rule reads a
 * file at a time: the lines of a .pth), so that file is the last one seen.
 */
static int count_moved(struct venv_report *r, const struct venv_finding *src, int dropped)
{
	int same;

	if (!src->data.old_prefix)
		return 0;
	if (!r->moved_old && !(r->moved_old = strdup(src->data.old_prefix)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (!venv_finding_fixable(src) || strcmp(r->moved_old, src->data.old_prefix) ||
	    src->code <= 0 ||
	    src->code >= 1000)
		return 0;
	same = src->relpath && r->moved_rel && !strcmp(src->relpath, r->moved_rel);
	if (!same) {
		free(r->moved_rel);
		r->moved_rel = src->relpath ? strdup(src->relpath) : NULL;
		if (src->relpath && !r->moved_rel)
			return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	if (!dropped || same)
		return 0;
	if (!r->dropped_files && !(r->dropped_files = calloc(1000, sizeof(*r->dropped_files))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	r->dropped_files[src->code]++;
	return 0;
}

int venv_report_add_finding(struct venv_report *r, const struct venv_finding *src)
{
	const struct venv_diag *d;
	struct venv_finding *f;
	int ok = 1, dropped, error;

	dropped = !r->uncapped && (r->nr >= VENV_REPORT_MAX_FINDINGS ||
				   count_code(r, src->code) >= VENV_REPORT_MAX_PER_CODE);
	if (!r->uncapped && (error = count_moved(r, src, dropped)) < 0)
		return error;
	if (dropped) {
		r->dropped++;
		return 0;
	}
	if (VENV_ARRAY_GROW(r->findings, r->alloc, r->nr + 1, 8) < 0)
		return VENV_ENOMEM;
	f = &r->findings[r->nr];
	memset(f, 0, sizeof(*f));
	f->code = src->code;
	f->severity = src->severity;
	if (!f->severity)
		f->severity = (d = venv_diag_get(src->code)) ? d->severity : VENV_SEVERITY_ERROR;
	f->line = src->line;
	f->file = dup_or_null(src->file, &ok);
	f->relpath = dup_or_null(src->relpath, &ok);
	f->message = dup_or_null(src->message ? src->message : "", &ok);
	f->fix = dup_or_null(src->fix, &ok);
	f->data.found = dup_or_null(src->data.found, &ok);
	f->data.want = dup_or_null(src->data.want, &ok);
	f->data.old_prefix = dup_or_null(src->data.old_prefix, &ok);
	f->data.new_prefix = dup_or_null(src->data.new_prefix, &ok);
	f->data.name = dup_or_null(src->data.name, &ok);
	f->data.mode = src->data.mode;
	if (!ok) {
		finding_release(f);
		return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	r->nr++;
	return 0;
}

int venv_report_add(struct venv_report *r, int code, const char *file, unsigned line,
		    const char *fix, const char *fmt, ...)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_finding f;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = venv_message_vformat(&msg, fmt, ap);
	va_end(ap);
	if (error < 0)
		goto done;
	memset(&f, 0, sizeof(f));
	f.code = code;
	f.file = (char *)file;
	f.line = line;
	f.fix = (char *)fix;
	f.message = msg.buf;
	error = venv_report_add_finding(r, &f);
done:
	vbuf_release(&msg);
	return error;
}

void venv_report_release(struct venv_report *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		finding_release(&r->findings[i]);
	free(r->findings);
	free(r->dropped_files);
	free(r->moved_old);
	free(r->moved_rel);
	free(r->path);
	free(r->version);
	memset(r, 0, sizeof(*r));
}
