#include "compat.h"
#include "array.h"
#include "error.h"
#include "plan.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int venv_plan_add(struct venv_plan *plan, int code, enum venv_fix_kind kind, const char *path,
		  const char *data, size_t len, unsigned mode, const char *summary)
{
	struct venv_fix *f;

	if (VENV_ARRAY_GROW(plan->fixes, plan->alloc, plan->nr + 1, 16) < 0)
		return VENV_ENOMEM;
	f = &plan->fixes[plan->nr];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->kind = kind;
	f->mode = mode;
	f->path = strdup(path);
	f->summary = dup_or_null(summary);
	if (kind == VENV_FIX_SYMLINK && data)
		len = strlen(data);
	if (data) {
		f->data = malloc(len + 1);
		if (f->data) {
			memcpy(f->data, data, len);
			f->data[len] = '\0';
		}
		f->len = len;
	}
	if (!f->path || (summary && !f->summary) || (data && !f->data)) {
		free(f->path);
		free(f->summary);
		free(f->data);
		return venv_error_set(VENV_ENOMEM, "out of memory");
	}
	plan->nr++;
	return 0;
}

struct venv_fix *venv_plan_last(struct venv_plan *plan)
{
	return plan->nr ? &plan->fixes[plan->nr - 1] : NULL;
}

static int plan_vproblem(struct venv_plan *plan, int code, enum venv_severity severity,
			 const char *fmt, va_list ap)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	int error;

	if ((error = vbuf_vaddf(&msg, fmt, ap)) < 0 ||
	    (error = VENV_ARRAY_GROW(plan->problems, plan->aprob, plan->nprob + 1, 8)) < 0)
		goto done;
	plan->problems[plan->nprob].code = code;
	plan->problems[plan->nprob].message = vbuf_detach(&msg, NULL);
	plan->problems[plan->nprob].severity = severity;
	plan->problems[plan->nprob].rel = NULL;
	plan->problems[plan->nprob].why = NULL;
	plan->nprob++;
done:
	vbuf_release(&msg);
	return error;
}

int venv_plan_problem(struct venv_plan *plan, int code, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = plan_vproblem(plan, code, 0, fmt, ap);
	va_end(ap);
	return error;
}

int venv_plan_problem_sev(struct venv_plan *plan, int code, enum venv_severity severity,
			  const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = plan_vproblem(plan, code, severity, fmt, ap);
	va_end(ap);
	return error;
}

int venv_plan_declined(struct venv_plan *plan, int code, enum venv_severity severity,
		       const char *rel, const char *message, const char *why)
{
	struct venv_problem *p;
	int error;

	if ((error = venv_plan_problem_sev(plan, code, severity, "%s: %s", message, why)) < 0)
		return error;
	p = &plan->problems[plan->nprob - 1];
	p->why = p->message + strlen(message) + 2;
	if (rel && !(p->rel = strdup(rel)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	return 0;
}

int venv_plan_problem_copy(struct venv_plan *plan, const struct venv_problem *p)
{
	struct venv_problem *c;
	int error;

	if ((error = venv_plan_problem_sev(plan, p->code, p->severity, "%s", p->message)) < 0)
		return error;
	c = &plan->problems[plan->nprob - 1];
	c->why = p->why ? c->message + (p->why - p->message) : NULL;
	if (p->rel && !(c->rel = strdup(p->rel)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	return 0;
}

int venv_plan_has(const struct venv_plan *plan, const char *path)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (!strcmp(plan->fixes[i].path, path))
			return 1;
	return 0;
}

void venv_plan_release(struct venv_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		struct venv_fix *f = &plan->fixes[i];

		free(f->path);
		free(f->data);
		free(f->src);
		free(f->summary);
		free(f->before);
		free(f->after);
	}
	for (i = 0; i < plan->nprob; i++) {
		free(plan->problems[i].message);
		free(plan->problems[i].rel);
	}
	free(plan->fixes);
	free(plan->problems);
	memset(plan, 0, sizeof(*plan));
}

void venv_repair_code_str(char *out, size_t size, int code)
{
	snprintf(out, size, "VNV%03d", code);
}

static int cmp_fix(const void *a, const void *b)
{
	return strcmp(((const struct venv_fix *)a)->path, ((const struct venv_fix *)b)->path);
}

void venv_plan_sort_from(struct venv_plan *plan, size_t start)
{
	if (start < plan->nr)
		qsort(plan->fixes + start, plan->nr - start, sizeof(*plan->fixes), cmp_fix);
}

int venv_plan_dirs_first(struct venv_plan *plan)
{
	struct venv_fix *v;
	size_t i, n = 0;

	if (plan->nr < 2)
		return 0;
	if (!(v = malloc(plan->nr * sizeof(*v))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (i = 0; i < plan->nr; i++)
		if (plan->fixes[i].kind == VENV_FIX_MKDIR)
			v[n++] = plan->fixes[i];
	for (i = 0; i < plan->nr; i++)
		if (plan->fixes[i].kind != VENV_FIX_MKDIR)
			v[n++] = plan->fixes[i];
	memcpy(plan->fixes, v, plan->nr * sizeof(*v));
	free(v);
	return 0;
}
