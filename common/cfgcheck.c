#include "compat.h"
#include <strings.h>
#include "cfgcheck.h"
#include "error.h"

/* getpath.c read lines into a buffer of 2 * MAXPATHLEN wide characters. */
#define STRICT_LINE_MAX 8192

static int is_tok_delim(char c, const char *delims)
{
	return c && strchr(delims, c) != NULL;
}

int venv_cfg_strict_home(struct vbuf *out, unsigned *line_out, const char *raw, size_t len)
{
	size_t pos = 0;
	unsigned lineno = 0;

	vbuf_reset(out);
	while (pos < len) {
		const char *line = raw + pos, *nl = memchr(line, '\n', len - pos);
		size_t n, i, j;

		/* fgets without a line break: the scan ends here. */
		if (!nl)
			return 0;
		n = (size_t)(nl - line);
		if (n + 1 >= STRICT_LINE_MAX)
			return 0;
		pos += n + 1;
		lineno++;
		/* The line is then handled as a C string: a NUL ends it. */
		{
			const char *nul = memchr(line, '\0', n);

			if (nul)
				n = (size_t)(nul - line);
		}
		if (n && line[0] == '#')
			continue;
		/* wcstok(line, " \t\r\n"): the first token. */
		i = 0;
		while (i < n && is_tok_delim(line[i], " \t\r\n"))
			i++;
		j = i;
		while (j < n && !is_tok_delim(line[j], " \t\r\n"))
			j++;
		if (j - i != 4 || memcmp(line + i, "home", 4))
			continue;
		/* The delimiter after the token is consumed; then wcstok(NULL, " \t"). */
		if (j < n)
			j++;
		i = j;
		while (i < n && is_tok_delim(line[i], " \t"))
			i++;
		j = i;
		while (j < n && !is_tok_delim(line[j], " \t"))
			j++;
		if (j - i != 1 || line[i] != '=')
			continue;
		if (j < n)
			j++;
		/* wcstok(NULL, "\r\n"): leading CR/LF skipped, then up to CR or LF. */
		i = j;
		while (i < n && (line[i] == '\r'))
			i++;
		j = i;
		while (j < n && line[j] != '\r')
			j++;
		if (j == i)
			continue;
		if (vbuf_add(out, line + i, j - i) < 0)
			return VENV_ENOMEM;
		*line_out = lineno;
		return 1;
	}
	return 0;
}

int venv_version_parse(const char *s, int *major, int *minor, int *micro)
{
	char *end;
	long a, b, c = -1;

	if (!(*s >= '0' && *s <= '9'))
		return VENV_EINVAL;
	a = strtol(s, &end, 10);
	if (*end != '.' || !(end[1] >= '0' && end[1] <= '9'))
		return VENV_EINVAL;
	b = strtol(end + 1, &end, 10);
	if (*end == '.' && end[1] >= '0' && end[1] <= '9')
		c = strtol(end + 1, &end, 10);
	if (a < 0 || a > 99 || b < 0 || b > 999 || c > 9999)
		return VENV_EINVAL;
	*major = (int)a;
	*minor = (int)b;
	*micro = (int)c;
	return 0;
}

int venv_cfg_analyze(struct venv_cfg_facts *f, const struct venv_cfg *cfg,
		     const char *raw, size_t len)
{
	struct vbuf strict = VBUF_INIT(VBUF_MAX_LINE);
	const struct venv_cfg *start;
	const char *version = NULL;
	unsigned version_line = 0, sline = 0;
	size_t i;
	int rc, error = 0, have_version = 0;

	memset(f, 0, sizeof(*f));
	f->system_site = -1;
	for (i = 0; i < cfg->nr; i++) {
		const struct venv_cfg_line *l = &cfg->lines[i];

		if (!l->key)
			continue;
		if (!strcmp(l->key, "home")) {
			f->home_count++;
			f->home_last = l->value;
			f->home_last_line = l->lineno;
		} else if (!strcmp(l->key, "include-system-site-packages")) {
			/* site.py: the last one wins, lower-cased, only "true" enables. */
			f->system_site_value = l->value;
			f->system_site_line = l->lineno;
			if (!strcasecmp(l->value, "true"))
				f->system_site = 1;
			else if (!strcasecmp(l->value, "false"))
				f->system_site = 0;
			else
				f->system_site = 2;
		} else if (!strcmp(l->key, "version") && !have_version) {
			/* `version` (CPython, venv create) wins over virtualenv's and uv's version_info. */
			have_version = 1;
			version = l->value;
			version_line = l->lineno;
		} else if (!strcmp(l->key, "version_info") && !version) {
			version = l->value;
			version_line = l->lineno;
		}
	}
	/*
	 * Start-up's `home` is the first of its own lines, which differ from
	 * site.py's where a lone CR ends one (it splits at LF only).
	 */
	start = venv_cfg_startup(cfg);
	for (i = 0; i < start->nr; i++) {
		const struct venv_cfg_line *l = &start->lines[i];

		if (l->key && !strcmp(l->key, "home")) {
			f->home_first = l->value;
			f->home_first_line = l->lineno;
			break;
		}
	}
	if (version) {
		int a, b, c;

		/* Keep "X.Y.Z" (or "X.Y") only: version_info may be "3.11.2.final.0". */
		if (!venv_version_parse(version, &a, &b, &c)) {
			if (c >= 0)
				snprintf(f->version, sizeof(f->version), "%d.%d.%d", a, b, c);
			else
				snprintf(f->version, sizeof(f->version), "%d.%d", a, b);
			f->version_line = version_line;
		}
	}
	rc = venv_cfg_strict_home(&strict, &sline, raw, len);
	if (rc < 0) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	if (rc == 1) {
		f->strict_home_found = 1;
		f->strict_home_line = sline;
		if (!(f->strict_home = vbuf_detach(&strict, NULL)))
			error = venv_error_set(VENV_ENOMEM, "out of memory");
	}
done:
	vbuf_release(&strict);
	return error;
}

void venv_cfg_facts_release(struct venv_cfg_facts *f)
{
	free(f->strict_home);
	memset(f, 0, sizeof(*f));
	f->system_site = -1;
}
