#include "compat.h"
#include "error.h"
#include "path.h"
#include "text.h"

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
