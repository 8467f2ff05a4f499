#include "compat.h"
#include "entrypoints.h"

/* The tokenizer of entry_points.txt; what it does and leaves to its readers: entrypoints.h. */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void venv_ep_tok_init(struct venv_ep_tok *t, const char *text, size_t len, unsigned flags)
{
	t->text = text;
	t->len = len;
	t->pos = 0;
	t->lineno = 0;
	t->flags = flags;
}

/* Split "name = value" at its first "=", if it has one. */
static void split_entry(struct venv_ep_line *out)
{
	const char *eq = memchr(out->line, '=', out->len);
	const char *v, *end = out->line + out->len;
	size_t nl;

	if (!eq)
		return;
	nl = (size_t)(eq - out->line);
	while (nl && is_blank(out->line[nl - 1]))
		nl--;
	v = eq + 1;
	while (v < end && is_blank(*v))
		v++;
	out->name = out->line;
	out->name_len = nl;
	out->value = v;
	out->value_len = (size_t)(end - v);
}

int venv_ep_tok_next(struct venv_ep_tok *t, struct venv_ep_line *out)
{
	while (t->pos < t->len) {
		const char *l = t->text + t->pos, *nl = memchr(l, '\n', t->len - t->pos);
		size_t n = nl ? (size_t)(nl - l) : t->len - t->pos;

		t->pos += n + (nl != NULL);
		t->lineno++;
		while (n && (is_blank(l[n - 1]) || l[n - 1] == '\r'))
			n--;
		while (n && is_blank(*l)) {
			l++;
			n--;
		}
		if (!n || *l == '#' || (*l == ';' && (t->flags & VENV_EP_SEMICOLON)))
			continue;
		memset(out, 0, sizeof(*out));
		out->lineno = t->lineno;
		out->line = l;
		out->len = n;
		if (*l == '[' && n >= 2 && l[n - 1] == ']') {
			out->kind = VENV_EP_SECTION;
			out->name = l + 1;
			out->name_len = n - 2;
			return 1;
		}
		split_entry(out);
		if (*l == '[') {
			out->kind = VENV_EP_MALFORMED;
			out->why = VENV_EP_UNCLOSED;
		} else if (out->value) {
			out->kind = VENV_EP_ENTRY;
		} else {
			out->kind = VENV_EP_MALFORMED;
			out->why = VENV_EP_NO_EQUALS;
		}
		return 1;
	}
	return 0;
}
