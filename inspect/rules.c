#include "compat.h"
#include <strings.h>
#include "error.h"
#include "rules.h"

#define SELECTOR_MAX 100

/* Split a comma-separated list in place; blank items are skipped. */
static int split(char *list, char **items, size_t *n)
{
	char *p = list;

	*n = 0;
	while (p && *p) {
		char *comma = strchr(p, ',');
		char *end;

		if (comma)
			*comma = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p) {
			if (*n == SELECTOR_MAX)
				return venv_error_set(VENV_ETOOBIG, "too many rule selectors");
			items[(*n)++] = p;
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int validate(char **items, size_t n, struct vbuf *warnings)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct venv_diag *d = venv_diag_find(items[i]);

		if (!venv_diag_selector_valid(items[i]))
			return venv_error_set(VENV_EINVAL, "unknown rule selector '%s'", items[i]);
		if (d && d->status == VENV_DIAG_REMOVED)
			return venv_error_set(VENV_EINVAL, "rule '%s' has been removed", items[i]);
		if (d && d->status == VENV_DIAG_DEPRECATED && warnings) {
			int error = vbuf_addf(warnings, "rule '%s' is deprecated\n", items[i]);

			if (error < 0)
				return error;
		}
	}
	return 0;
}

static int best(const struct venv_diag *d, char **items, size_t n)
{
	size_t i;
	int b = 0;

	for (i = 0; i < n; i++) {
		int m = venv_diag_match(d, items[i]);

		if (m > b)
			b = m;
	}
	return b;
}

int venv_rule_filter_init(struct venv_rule_filter *f, const char *select, const char *ignore,
			  enum venv_severity threshold, struct vbuf *warnings)
{
	char *sel_copy = NULL, *ign_copy = NULL;
	char *sel[SELECTOR_MAX], *ign[SELECTOR_MAX];
	size_t nsel = 0, nign = 0, i;
	int error = 0;

	memset(f, 0, sizeof(*f));
	f->threshold = threshold;
	if ((select && !(sel_copy = strdup(select))) || (ignore && !(ign_copy = strdup(ignore)))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = split(sel_copy, sel, &nsel)) < 0 || (error = split(ign_copy, ign, &nign)) < 0 ||
	    (error = validate(sel, nsel, warnings)) < 0 || (error = validate(ign, nign, warnings)) < 0)
		goto done;
	for (i = 0; i < venv_diags_count; i++) {
		const struct venv_diag *d = &venv_diags[i];
		int s, g = best(d, ign, nign);

		if (d->status == VENV_DIAG_REMOVED || d->code < 0 || d->code >= 1000)
			continue;
		if (nsel)
			s = best(d, sel, nsel);
		else
			s = d->status == VENV_DIAG_PREVIEW ? 0 : 1;
		/* A preview rule is only reported when named exactly. */
		if (d->status == VENV_DIAG_PREVIEW && s < 7)
			s = 0;
		f->enabled[d->code] = s > g;
	}
done:
	free(sel_copy);
	free(ign_copy);
	return error;
}

int venv_rule_filter_selected(const struct venv_rule_filter *f, int code)
{
	return code >= 0 && code < 1000 && f->enabled[code];
}

int venv_rule_filter_wants(const struct venv_rule_filter *f, int code)
{
	return venv_rule_filter_wants_severity(f, code, 0);
}

int venv_rule_filter_wants_severity(const struct venv_rule_filter *f, int code,
				    enum venv_severity severity)
{
	const struct venv_diag *d;

	if (!venv_rule_filter_selected(f, code) || !(d = venv_diag_get(code)))
		return 0;
	return (severity ? severity : d->severity) >= f->threshold;
}
