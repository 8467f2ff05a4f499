#include "compat.h"
#include "error.h"
#include "path.h"
#include "text.h"

/* The budget for a direct shebang: Linux before 5.1 read 128 bytes. */
#define SHEBANG_MAX 127

void venv_rshebang_init(struct venv_rshebang *sb)
{
	sb->form = VENV_RSHEBANG_NONE;
	vbuf_init(&sb->interp, VBUF_MAX_PATH);
	vbuf_init(&sb->args, VBUF_MAX_LINE);
	sb->header_len = 0;
}

void venv_rshebang_release(struct venv_rshebang *sb)
{
	vbuf_release(&sb->interp);
	vbuf_release(&sb->args);
	sb->form = VENV_RSHEBANG_NONE;
	sb->header_len = 0;
}

/* Length of the line at s (without its "\n"), or (size_t)-1 when unterminated. */
static size_t line_len(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);

	return nl ? (size_t)(nl - s) : (size_t)-1;
}

static int parse_trampoline(struct venv_rshebang *sb, const char *buf, size_t len)
{
	static const char l1[] = "#!/bin/sh";
	static const char lead[] = "'''exec' ";
	static const char tail[] = " \"$0\" \"$@\"";
	size_t n1 = line_len(buf, len), n2, n3, p, q;
	const char *l2, *l3;

	/* (size_t)-1, "no line end", is never the expected length either. */
	if (n1 != sizeof(l1) - 1 || memcmp(buf, l1, n1))
		return 0;
	l2 = buf + n1 + 1;
	if ((n2 = line_len(l2, len - n1 - 1)) == (size_t)-1)
		return 0;
	if (n2 < sizeof(lead) - 1 + sizeof(tail) - 1 || memcmp(l2, lead, sizeof(lead) - 1) ||
	    memcmp(l2 + n2 - (sizeof(tail) - 1), tail, sizeof(tail) - 1))
		return 0;
	l3 = l2 + n2 + 1;
	n3 = line_len(l3, len - n1 - 1 - n2 - 1);
	if (n3 != 5 || memcmp(l3, "' '''", 5))
		return 0;
	/*
	 * The path between lead and tail: "..." (distlib), '...' (uv, us) or
	 * bare, then the interpreter's argument, if any: bare (distlib) or in
	 * single quotes (us).
	 */
	p = sizeof(lead) - 1;
	q = n2 - (sizeof(tail) - 1);
	vbuf_reset(&sb->interp);
	vbuf_reset(&sb->args);
	if (l2[p] == '"' || l2[p] == '\'') {
		const char *end = memchr(l2 + p + 1, l2[p], q - p - 1);
		size_t k, r;

		if (!end)
			return 0;
		k = (size_t)(end - l2);
		if (l2[p] == '"')
			for (r = p + 1; r < k; r++)
				if (l2[r] == '$' || l2[r] == '`' || l2[r] == '\\')
					return 0;
		if (vbuf_add(&sb->interp, l2 + p + 1, k - p - 1) < 0)
			return -1;
		r = k + 1;
		if (r < q) {
			if (l2[r] != ' ')
				return 0;
			if (l2[r + 1] == '\'') {
				if (q - r < 3 || l2[q - 1] != '\'' ||
				    memchr(l2 + r + 2, '\'', q - r - 3))
					return 0;
				if (vbuf_addch(&sb->args, ' ') < 0 ||
				    vbuf_add(&sb->args, l2 + r + 2, q - r - 3) < 0)
					return -1;
			} else {
				for (k = r + 1; k < q; k++)
					if (strchr("'\"$`\\;&|<>(){}*?[]~!#", l2[k]))
						return 0;
				if (vbuf_add(&sb->args, l2 + r, q - r) < 0)
					return -1;
			}
		}
	} else {
		size_t i;

		for (i = p; i < q; i++)
			if (strchr(" \t'\"$`\\", l2[i]))
				return 0;
		if (vbuf_add(&sb->interp, l2 + p, q - p) < 0)
			return -1;
	}
	if (!sb->interp.len)
		return 0;
	sb->form = VENV_RSHEBANG_TRAMPOLINE;
	sb->header_len = n1 + 1 + n2 + 1 + n3 + 1;
	return 1;
}

int venv_rshebang_parse(struct venv_rshebang *sb, const char *buf, size_t len)
{
	size_t n, p, q;
	int r;

	sb->form = VENV_RSHEBANG_NONE;
	sb->header_len = 0;
	vbuf_reset(&sb->interp);
	vbuf_reset(&sb->args);
	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	if ((r = parse_trampoline(sb, buf, len)) != 0)
		return r < 0 ? venv_error_set(VENV_ENOMEM, "out of memory") : 0;
	vbuf_reset(&sb->interp);
	if ((n = line_len(buf, len)) == (size_t)-1)
		return 0;
	for (p = 2; p < n && (buf[p] == ' ' || buf[p] == '\t'); p++)
		;
	for (q = p; q < n && buf[q] != ' ' && buf[q] != '\t'; q++)
		;
	if (q == p)
		return 0;
	if (memchr(buf, '\0', n))
		return 0;
	if (vbuf_add(&sb->interp, buf + p, q - p) < 0 ||
	    vbuf_add(&sb->args, buf + q, n - q) < 0)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	sb->form = VENV_RSHEBANG_DIRECT;
	sb->header_len = n + 1;
	return 0;
}

int venv_rshebang_format(struct vbuf *out, const char *interp, const char *args)
{
	size_t il = strlen(interp), al = args ? strlen(args) : 0;
	int error;

	if (strchr(interp, '\'') || strchr(interp, '\n') || strchr(interp, '\r') || !il)
		return venv_error_set(VENV_EUNSAFE, "cannot write a shebang for '%s': the path "
				      "contains a quote or a line break", interp);
	if (args && (strchr(args, '\n')))
		return venv_error_set(VENV_EINVAL, "a shebang argument contains a line break");
	if (!strchr(interp, ' ') && !strchr(interp, '\t') && il + al + 3 <= SHEBANG_MAX)
		return vbuf_addf(out, "#!%s%s\n", interp, args ? args : "");
	/*
	 * The kernel passes what follows the interpreter as one argument: the
	 * trampoline gives it to exec as one single-quoted word.
	 */
	while (args && (*args == ' ' || *args == '\t'))
		args++;
	if (args && *args && strchr(args, '\''))
		return venv_error_set(VENV_EUNSAFE, "cannot write a shebang for '%s': the "
				      "interpreter's argument contains a quote", interp);
	if ((error = vbuf_adds(out, "#!/bin/sh\n'''exec' '")) < 0 ||
	    (error = vbuf_adds(out, interp)) < 0 ||
	    (error = vbuf_addch(out, '\'')) < 0)
		return error;
	if (args && *args && ((error = vbuf_adds(out, " '")) < 0 ||
			      (error = vbuf_adds(out, args)) < 0 ||
			      (error = vbuf_addch(out, '\'')) < 0))
		return error;
	return vbuf_adds(out, " \"$0\" \"$@\"\n' '''\n");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int add_utf8(struct vbuf *out, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			return venv_error_set(VENV_EINVAL, "a surrogate in a string literal");
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp <= 0x10ffff) {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		return venv_error_set(VENV_EINVAL, "a code point out of range in a string literal");
	}
	return vbuf_add(out, b, n);
}

int venv_repair_pyliteral(struct vbuf *out, const char *value)
{
	size_t len = strlen(value), i;
	char q;
	int error = 0;

	vbuf_reset(out);
	if (len < 2 || (value[0] != '\'' && value[0] != '"') || value[len - 1] != value[0])
		return vbuf_adds(out, value);
	q = value[0];
	for (i = 1; i < len - 1 && !error; i++) {
		char c = value[i];
		int digits = 0, d;
		unsigned long cp = 0;

		if (c == q)
			return vbuf_sets(out, value);   /* not one literal: keep it as it is */
		if (c != '\\') {
			error = vbuf_addch(out, c);
			continue;
		}
		if (++i >= len - 1)
			return venv_error_set(VENV_EINVAL, "a string literal ends in a backslash");
		switch (value[i]) {
		case '\\': case '\'': case '"':
			error = vbuf_addch(out, value[i]);
			continue;
		case 'n': error = vbuf_addch(out, '\n'); continue;
		case 't': error = vbuf_addch(out, '\t'); continue;
		case 'r': error = vbuf_addch(out, '\r'); continue;
		case 'a': error = vbuf_addch(out, '\a'); continue;
		case 'b': error = vbuf_addch(out, '\b'); continue;
		case 'f': error = vbuf_addch(out, '\f'); continue;
		case 'v': error = vbuf_addch(out, '\v'); continue;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			if (value[i] >= '0' && value[i] <= '7') {
				int k;

				for (k = 0; k < 3 && i < len - 1 && value[i] >= '0' && value[i] <= '7'; k++)
					cp = cp * 8 + (unsigned long)(value[i++] - '0');
				i--;
				error = add_utf8(out, cp);
				continue;
			}
			/* An unknown escape keeps its backslash, as Python does. */
			if ((error = vbuf_addch(out, '\\')) == 0)
				error = vbuf_addch(out, value[i]);
			continue;
		}
		while (digits--) {
			if (++i >= len - 1 || (d = hexval(value[i])) < 0)
				return venv_error_set(VENV_EINVAL, "a bad escape in a string literal");
			cp = cp * 16 + (unsigned long)d;
		}
		error = add_utf8(out, cp);
	}
	return error;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

size_t venv_repair_find_path(const char *text, size_t len, size_t from, const char *path)
{
	size_t pl = strlen(path);

	if (!pl)
		return (size_t)-1;
	while (from + pl <= len) {
		const char *hit = memchr(text + from, path[0], len - from);
		size_t at;

		if (!hit)
			break;
		at = (size_t)(hit - text);
		if (at + pl > len)
			break;
		if (!memcmp(hit, path, pl) && !(at > 0 && is_name_char(text[at - 1])) &&
		    !(at > 0 && text[at - 1] == '/')) {
			char next = at + pl < len ? text[at + pl] : '\0';

			/* A following "/" or a non-name character ends the path. */
			if (!is_name_char(next))
				return at;
		}
		from = at + 1;
	}
	return (size_t)-1;
}

int venv_repair_plain_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_@%+=:,./-", c)))
			return 0;
	}
	return 1;
}
