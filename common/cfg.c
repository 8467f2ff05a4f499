#include "compat.h"
#include "array.h"
#include "cfg.h"
#include "error.h"
#include "fs.h"
#include "path.h"

/*
 * The length of the white-space character that starts at str (at most n
 * bytes), or 0. White space is what Python's str.strip() removes, since
 * that is what CPython's readers apply to keys and values: ASCII TAB..CR,
 * FS..US and space, then U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F and U+3000.
 */
static size_t space_at(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	if (n >= 1 && ((s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x20)))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n >= 3 && ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
		       (s[0] == 0xe2 && s[1] == 0x80 &&
			((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 ||
			 s[2] == 0xaf)) ||
		       (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
		       (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)))
		return 3;
	return 0;
}

/* The same for the white-space character that ends at s + n. */
static size_t space_before(const char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (space_at(s + n - k, k) == k)
			return k;
	return 0;
}

static char *strip_dup(const char *s, size_t n)
{
	char *r;
	size_t k;

	while (n && (k = space_at(s, n)) != 0) {
		s += k;
		n -= k;
	}
	while (n && (k = space_before(s, n)) != 0)
		n -= k;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static int add_line(struct venv_cfg *cfg, const char *line, size_t n, unsigned lineno)
{
	struct venv_cfg_line *l;
	const char *eq = memchr(line, '=', n);

	if (cfg->nr == cfg->alloc && cfg->alloc * 2 > 100000)
		return venv_error_set(VENV_ETOOBIG, "pyvenv.cfg has too many lines");
	if (VENV_ARRAY_GROW(cfg->lines, cfg->alloc, cfg->nr + 1, 16) < 0)
		return VENV_ENOMEM;
	l = &cfg->lines[cfg->nr];
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	l->raw = malloc(n + 1);
	if (!l->raw)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	memcpy(l->raw, line, n);
	l->raw[n] = '\0';
	if (!eq) {
		l->flags |= VENV_CFG_LINE_NOEQ;
	} else {
		char *k, *d;

		l->key = strip_dup(line, (size_t)(eq - line));
		l->value = strip_dup(eq + 1, n - (size_t)(eq + 1 - line));
		if (!l->key || !l->value) {
			free(l->key);
			free(l->value);
			free(l->raw);
			return venv_error_set(VENV_ENOMEM, "out of memory");
		}
		/*
		 * str.lower() as far as it matters for matching our ASCII keys:
		 * ASCII letters, and U+212A KELVIN SIGN, the one non-ASCII
		 * character that Python lower-cases to an ASCII letter.
		 */
		for (k = d = l->key; *k; ) {
			if ((unsigned char)k[0] == 0xe2 && (unsigned char)k[1] == 0x84 &&
			    (unsigned char)k[2] == 0xaa) {
				*d++ = 'k';
				k += 3;
				continue;
			}
			*d++ = (*k >= 'A' && *k <= 'Z') ? (char)(*k - 'A' + 'a') : *k;
			k++;
		}
		*d = '\0';
		/* The ≤3.10 reader wants "<key> = <value>" with single spaces. */
		{
			size_t kl = strlen(l->key);

			if (n > kl + 3 && !memcmp(line, l->key, kl) && line[kl] == ' ' &&
			    line[kl + 1] == '=' && line[kl + 2] == ' ')
				l->flags |= VENV_CFG_LINE_STRICT_OK;
		}
	}
	cfg->nr++;
	return 0;
}

/*
 * Add the lines of buf to cfg: split at LF, one CR before it dropped (both
 * readers strip it), and with at_cr also at every CR left, as site.py's
 * text mode (universal newlines) does; getpath splits at LF only. *lone is
 * set to the number of the first line a lone CR ends, if it is still 0.
 */
static int split_lines(struct venv_cfg *cfg, const char *buf, size_t len, int at_cr,
		       unsigned *lone)
{
	size_t pos = 0;
	unsigned lineno = 0;
	int error;

	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		if (n && line[n - 1] == '\r') {
			cfg->flags |= VENV_CFG_CRLF;
			n--;
		}
		for (;;) {
			const char *cr = memchr(line, '\r', n);
			size_t k = cr && at_cr ? (size_t)(cr - line) : n;

			lineno++;
			if (cr && !*lone)
				*lone = lineno;
			if ((error = add_line(cfg, line, k, lineno)) < 0)
				return error;
			if (k == n)
				break;
			line += k + 1;
			n -= k + 1;
		}
	}
	return 0;
}

int venv_cfg_parse(struct venv_cfg *cfg, const char *buf, size_t len)
{
	unsigned lone = 0, lf_lone = 0;
	int error;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		cfg->flags |= VENV_CFG_BOM;
	if (memchr(buf, '\0', len))
		cfg->flags |= VENV_CFG_HAS_NUL;
	if (!venv_utf8_valid(buf, len))
		cfg->flags |= VENV_CFG_NOT_UTF8;
	if (len && buf[len - 1] != '\n')
		cfg->flags |= VENV_CFG_NO_FINAL_EOL;
	if ((error = split_lines(cfg, buf, len, 1, &lone)) < 0 || !lone)
		return error;
	/*
	 * A lone CR: start-up (getpath) reads other lines than site.py, e.g. a
	 * file of CR line ends as one line whose `home` is the rest of the file.
	 */
	cfg->flags |= VENV_CFG_LONE_CR;
	cfg->lone_cr_line = lone;
	if (!cfg->startup && !(cfg->startup = calloc(1, sizeof(*cfg->startup))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if ((error = split_lines(cfg->startup, buf, len, 0, &lf_lone)) < 0)
		return error;
	cfg->startup->flags |= cfg->flags;
	return 0;
}

const struct venv_cfg *venv_cfg_startup(const struct venv_cfg *cfg)
{
	return cfg->startup ? cfg->startup : cfg;
}

int venv_cfg_read(struct venv_cfg *cfg, int dirfd, const char *name)
{
	struct vbuf buf = VBUF_INIT(VBUF_MAX_CFG);
	int error;

	if ((error = venv_fs_read_file_at(&buf, dirfd, name, VBUF_MAX_CFG)) >= 0)
		error = venv_cfg_parse(cfg, buf.buf, buf.len);
	vbuf_release(&buf);
	return error;
}

void venv_cfg_release(struct venv_cfg *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr; i++) {
		free(cfg->lines[i].key);
		free(cfg->lines[i].value);
		free(cfg->lines[i].raw);
	}
	free(cfg->lines);
	cfg->lines = NULL;
	cfg->nr = cfg->alloc = 0;
	cfg->flags = 0;
	cfg->lone_cr_line = 0;
	if (cfg->startup) {
		venv_cfg_release(cfg->startup);
		free(cfg->startup);
		cfg->startup = NULL;
	}
}

const char *venv_cfg_get_first(const struct venv_cfg *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nr; i++)
		if (cfg->lines[i].key && !strcmp(cfg->lines[i].key, key))
			return cfg->lines[i].value;
	return NULL;
}

const char *venv_cfg_get_last(const struct venv_cfg *cfg, const char *key)
{
	size_t i;

	for (i = cfg->nr; i > 0; i--)
		if (cfg->lines[i - 1].key && !strcmp(cfg->lines[i - 1].key, key))
			return cfg->lines[i - 1].value;
	return NULL;
}

size_t venv_cfg_count(const struct venv_cfg *cfg, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < cfg->nr; i++)
		if (cfg->lines[i].key && !strcmp(cfg->lines[i].key, key))
			n++;
	return n;
}

static void line_release(struct venv_cfg_line *l)
{
	free(l->key);
	free(l->value);
	free(l->raw);
}

int venv_cfg_set(struct venv_cfg *cfg, const char *key, const char *value)
{
	struct vbuf line = VBUF_INIT(VBUF_MAX_LINE);
	size_t i, j;
	int found = 0, error = 0;

	/*
	 * Never a value Python cannot read: site.py decodes pyvenv.cfg as
	 * UTF-8 and stops at start-up on an invalid byte, and a line break
	 * would add a key (a directory name is enough to carry either).
	 */
	if (value && !venv_cfg_text_ok(value)) {
		if (venv_str_escape(&line, value) < 0)
			goto done;
		error = venv_error_set(VENV_EINVAL, "'%s = %s' cannot be written into pyvenv.cfg: "
				       "Python reads it as UTF-8 text of one line", key, line.buf);
		goto done;
	}
	for (i = 0, j = 0; i < cfg->nr; i++) {
		struct venv_cfg_line *l = &cfg->lines[i];

		if (l->key && !strcmp(l->key, key)) {
			if (found || !value) {
				line_release(l);
				continue;
			}
			found = 1;
			if ((error = vbuf_addf(&line, "%s = %s", key, value)) < 0)
				goto done;
			line_release(l);
			memset(l, 0, sizeof(*l));
			l->key = strdup(key);
			l->value = strdup(value);
			l->raw = strdup(line.buf);
			l->flags = VENV_CFG_LINE_STRICT_OK;
			if (!l->key || !l->value || !l->raw) {
				error = venv_error_set(VENV_ENOMEM, "out of memory");
				goto done;
			}
		}
		cfg->lines[j++] = *l;
	}
	cfg->nr = j;
	if (!found && value) {
		if ((error = vbuf_addf(&line, "%s = %s", key, value)) < 0)
			goto done;
		error = add_line(cfg, line.buf, line.len, (unsigned)cfg->nr + 1);
	}
done:
	vbuf_release(&line);
	return error;
}

int venv_cfg_format(const struct venv_cfg *cfg, struct vbuf *out)
{
	size_t i;
	int error;

	for (i = 0; i < cfg->nr; i++) {
		const char *raw = cfg->lines[i].raw;

		/* Never carry a BOM forward into a rewritten file. */
		if (i == 0 && !strncmp(raw, "\xef\xbb\xbf", 3))
			raw += 3;
		if ((error = vbuf_adds(out, raw)) < 0 || (error = vbuf_addch(out, '\n')) < 0)
			return error;
	}
	return 0;
}

/*
 * Python's str.isprintable() is false for categories Cc, Cf, Cs, Co, Cn,
 * Zl, Zp and Zs except the ASCII space. This table lists the ranges of Zs,
 * Zl, Zp, Cf and Co (Unicode 15); Cc is handled by the caller.
 */
static const unsigned long nonprintable[][2] = {
	{0x00a0, 0x00a0}, {0x00ad, 0x00ad}, {0x0600, 0x0605}, {0x061c, 0x061c},
	{0x06dd, 0x06dd}, {0x070f, 0x070f}, {0x0890, 0x0891}, {0x08e2, 0x08e2},
	{0x1680, 0x1680}, {0x180e, 0x180e}, {0x2000, 0x200f}, {0x2028, 0x202f},
	{0x205f, 0x2064}, {0x2066, 0x206f}, {0x3000, 0x3000}, {0xd800, 0xf8ff},
	{0xfeff, 0xfeff}, {0xfff9, 0xfffb}, {0x110bd, 0x110bd}, {0x110cd, 0x110cd},
	{0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
	{0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0x10ffff},
};

static int cp_printable(unsigned long cp)
{
	size_t i;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	for (i = 0; i < VENV_ARRAY_SIZE(nonprintable); i++)
		if (cp >= nonprintable[i][0] && cp <= nonprintable[i][1])
			return 0;
	return 1;
}

int venv_py_repr(struct vbuf *out, const char *s)
{
	char quote = '\'';
	const char *p;
	int error;

	if (strchr(s, '\'') && !strchr(s, '"'))
		quote = '"';
	if ((error = vbuf_addch(out, quote)) < 0)
		return error;
	for (p = s; *p; ) {
		unsigned long cp;
		size_t n = venv_utf8_decode(p, &cp);

		if (cp == (unsigned char)quote || cp == '\\')
			error = vbuf_addf(out, "\\%c", (int)cp);
		else if (cp == '\t')
			error = vbuf_adds(out, "\\t");
		else if (cp == '\n')
			error = vbuf_adds(out, "\\n");
		else if (cp == '\r')
			error = vbuf_adds(out, "\\r");
		else if (cp_printable(cp))
			error = vbuf_add(out, p, n);
		else if (cp < 0x100)
			error = vbuf_addf(out, "\\x%02lx", cp);
		else if (cp < 0x10000)
			error = vbuf_addf(out, "\\u%04lx", cp);
		else
			error = vbuf_addf(out, "\\U%08lx", cp);
		if (error < 0)
			return error;
		p += n;
	}
	return vbuf_addch(out, quote);
}

int venv_cfg_text_ok(const char *s)
{
	const unsigned char *p;

	if (!venv_utf8_valid(s, strlen(s)))
		return 0;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		/* U+0080..U+009F (C1, includes NEL) */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		/* U+2028, U+2029 */
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			return 0;
	}
	return 1;
}

int venv_cfg_value_ok(const char *value)
{
	size_t len = strlen(value);

	if (!venv_cfg_text_ok(value))
		return 0;
	return !(len && (space_at(value, len) || space_before(value, len)));
}
