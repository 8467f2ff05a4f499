#include "compat.h"
#include "entrypoints.h"
#include "error.h"
#include "path.h"
#include "vbuf.h"

/* The reader of entry_points.txt; what it does and leaves to its callers: entrypoints.h. */

#define MAX_SECTION 64      /* VENV_EP_STRICT: a header's name is shorter */
#define MAX_SCRIPT_NAME 128
#define MAX_DOTTED 256

static int byte_at(const char *p, const char *end, size_t k, unsigned char c)
{
	return (size_t)(end - p) > k && (unsigned char)p[k] == c;
}

/*
 * How long the line end at p is ("\r\n" is one), or 0: Python's universal
 * newlines, then str.splitlines().
 */
static size_t eol_at(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p;

	if (c == '\r')
		return byte_at(p, end, 1, '\n') ? 2 : 1;
	if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
		return 1;
	if (c == 0xc2 && byte_at(p, end, 1, 0x85))
		return 2;
	if (c == 0xe2 && byte_at(p, end, 1, 0x80) &&
	    (byte_at(p, end, 2, 0xa8) || byte_at(p, end, 2, 0xa9)))
		return 3;
	return 0;
}

/* How long the white space character (str.isspace(), re's \s) at p is, or 0. */
static size_t ws_at(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p, c1, c2;

	if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f))
		return 1;
	if (c == 0xc2)
		return byte_at(p, end, 1, 0x85) || byte_at(p, end, 1, 0xa0) ? 2 : 0;
	if (c < 0xe1 || c > 0xe3 || end - p < 3)
		return 0;
	c1 = (unsigned char)p[1];
	c2 = (unsigned char)p[2];
	if (c == 0xe1)      /* U+1680 */
		return c1 == 0x9a && c2 == 0x80 ? 3 : 0;
	if (c == 0xe3)      /* U+3000 */
		return c1 == 0x80 && c2 == 0x80 ? 3 : 0;
	/* U+2000..U+200A, U+2028, U+2029, U+202F, U+205F */
	if (c1 == 0x80)
		return c2 <= 0x8a || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf ? 3 : 0;
	return c1 == 0x81 && c2 == 0x9f ? 3 : 0;
}

/* How long the white space character that ends just before end is (none before start), or 0. */
static size_t ws_before(const char *start, const char *end)
{
	size_t k;

	for (k = 1; k <= 3 && k <= (size_t)(end - start); k++)
		if (ws_at(end - k, end) == k)
			return k;
	return 0;
}

/* [start, *end) stripped at both ends as str.strip() strips. */
static const char *strip(const char *start, const char **end)
{
	size_t k;

	while (start < *end && (k = ws_at(start, *end)) != 0)
		start += k;
	while (*end > start && (k = ws_before(start, *end)) != 0)
		*end -= k;
	return start;
}

void venv_ep_tok_init(struct venv_ep_tok *t, const char *text, size_t len, unsigned flags)
{
	t->text = text;
	t->len = len;
	t->pos = 0;
	t->lineno = 0;
	t->flags = flags;
}

/* Split "name = value" at its first "=", if it has one; each side stripped. */
static void split_entry(struct venv_ep_line *out)
{
	const char *eq = memchr(out->line, '=', out->len);
	const char *v, *ne, *ve = out->line + out->len;

	if (!eq)
		return;
	ne = eq;
	out->name = strip(out->line, &ne);
	out->name_len = (size_t)(ne - out->name);
	v = strip(eq + 1, &ve);
	out->value = v;
	out->value_len = (size_t)(ve - v);
}

int venv_ep_tok_next(struct venv_ep_tok *t, struct venv_ep_line *out)
{
	while (t->pos < t->len) {
		const char *l = t->text + t->pos, *end = t->text + t->len, *e = l;
		size_t k = 0;

		while (e < end && (k = eol_at(e, end)) == 0)
			e++;
		t->pos = (size_t)(e - t->text) + k;
		t->lineno++;
		l = strip(l, &e);
		if (l == e || *l == '#' || (*l == ';' && (t->flags & VENV_EP_SEMICOLON)))
			continue;
		memset(out, 0, sizeof(*out));
		out->lineno = t->lineno;
		out->line = l;
		out->len = (size_t)(e - l);
		if (*l == '[' && e[-1] == ']' && out->len >= 2) {
			/* str.strip("[]"): every bracket at either end goes. */
			out->kind = VENV_EP_SECTION;
			while (l < e && (*l == '[' || *l == ']'))
				l++;
			while (e > l && (e[-1] == '[' || e[-1] == ']'))
				e--;
			out->name = l;
			out->name_len = (size_t)(e - l);
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

/* How long the \w character at p is (see entrypoints.h for non-ASCII), or 0. */
static size_t word_at(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p;
	size_t n;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
		return 1;
	if (c < 0x80 || ws_at(p, end))
		return 0;
	n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return n <= (size_t)(end - p) ? n : (size_t)(end - p);
}

/* The end of the run of [\w.] starting at p. */
static const char *word_run(const char *p, const char *end)
{
	while (p < end) {
		size_t k = *p == '.' ? 1 : word_at(p, end);

		if (!k)
			break;
		p += k;
	}
	return p;
}

static const char *skip_ws(const char *p, const char *end)
{
	size_t k;

	while (p < end && (k = ws_at(p, end)) != 0)
		p += k;
	return p;
}

int venv_ep_value_parse(const char *value, size_t len, struct venv_ep_value *out)
{
	const char *end = value + len, *me = word_run(value, end), *a = NULL, *ae = NULL, *p, *e;
	size_t k;

	memset(out, 0, sizeof(*out));
	if (me == value)
		return 0;
	p = skip_ws(me, end);
	if (p < end && *p == ':') {
		a = skip_ws(p + 1, end);
		ae = word_run(a, end);
		/* ":" without an attribute: the group does not match, and nothing else takes ":". */
		if (ae == a)
			return 0;
		p = skip_ws(ae, end);
	}
	if (p < end && *p == '[') {
		/* \[.*\]\s*$: the rest, its trailing white space aside, ends with "]". */
		e = end;
		while (e > p && (k = ws_before(p, e)) != 0)
			e -= k;
		if (e - p >= 2 && e[-1] == ']')
			p = end;
	}
	if (p != end)
		return 0;
	out->module = value;
	out->module_len = (size_t)(me - value);
	out->attr = a;
	out->attr_len = a ? (size_t)(ae - a) : 0;
	return 1;
}

/* Set an error "entry_points.txt: <what>'<s escaped>'<after>" and return code. */
static int refuse(int code, const char *what, const char *s, size_t n, const char *after)
{
	char raw[201];
	struct vbuf esc = VBUF_INIT(4 * sizeof(raw) + 8);
	int error;

	n = n < sizeof(raw) - 1 ? n : sizeof(raw) - 1;
	memcpy(raw, s, n);
	raw[n] = '\0';
	if ((error = venv_str_escape(&esc, raw)) < 0) {
		vbuf_release(&esc);
		return error;
	}
	error = venv_error_set(code, "entry_points.txt: %s'%s'%s", what, esc.buf ? esc.buf : "",
			       after);
	vbuf_release(&esc);
	return error;
}

static int is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* "a.b.c": dotted ASCII identifiers only, so nothing else reaches the script. */
static int dotted_ok(const char *s, size_t len)
{
	size_t i;
	int start = 1;

	if (!len || len > MAX_DOTTED)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (start)
				return 0;
			start = 1;
		} else if (start ? !is_ident_start(s[i]) : !is_ident_char(s[i])) {
			return 0;
		} else {
			start = 0;
		}
	}
	return !start;
}

/* A script name that cannot leave bin/ or shadow the environment's own files (WHL-04). */
static int script_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > MAX_SCRIPT_NAME || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!is_ident_char(c) && c != '.' && c != '-' && c != '+')
			return 0;
	}
	if (len >= 6 && !memcmp(s, "python", 6)) {
		for (i = 6; i < len; i++)
			if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
				break;
		if (i == len)
			return 0;
	}
	if ((len >= 8 && (!memcmp(s, "activate", 8) || !memcmp(s, "Activate", 8))) ||
	    (len >= 10 && !memcmp(s, "deactivate", 10)))
		return 0;
	return 1;
}

int venv_ep_check_script(const char *name, size_t name_len, const char *module,
			 size_t module_len, const char *attr, size_t attr_len)
{
	if (!script_name_ok(name, name_len))
		return refuse(VENV_EUNSAFE, "refusing the script name ", name, name_len, "");
	if (!attr)
		return refuse(VENV_EINVAL, "", name, name_len, " names no callable (module:attribute)");
	if (!dotted_ok(module, module_len) || !dotted_ok(attr, attr_len))
		return refuse(VENV_EUNSAFE, "refusing the callable of ", name, name_len, "");
	return 0;
}

/* VENV_EP_STRICT: why pip's installer refuses an entry (0 if it does not). */
static int strict_entry(const struct venv_ep_line *l, int matched, const struct venv_ep_value *v)
{
	const char *val = l->value;
	size_t vl = l->value_len;

	if (matched)
		return venv_ep_check_script(l->name, l->name_len, v->module, v->module_len, v->attr,
					    v->attr_len);
	if (!script_name_ok(l->name, l->name_len))
		return refuse(VENV_EUNSAFE, "refusing the script name ", l->name, l->name_len, "");
	if (memchr(val, '[', vl) && val[vl - 1] != ']')
		return refuse(VENV_EINVAL, "bad extras in ", l->line, l->len, "");
	if (!memchr(val, ':', vl))
		return refuse(VENV_EINVAL, "", l->name, l->name_len,
			      " names no callable (module:attribute)");
	return refuse(VENV_EUNSAFE, "refusing the callable of ", l->name, l->name_len, "");
}

/*
 * Two passes over the text: the first finds what makes the whole file
 * unreadable (importlib.metadata raises) or refused (VENV_EP_STRICT), the
 * second hands the entries over, so that a caller never keeps half a file.
 */
int venv_ep_read_scripts(const char *text, size_t len, unsigned flags, venv_ep_script_fn fn,
			 void *arg)
{
	int strict = (flags & VENV_EP_STRICT) != 0, pass, error = 0;
	struct venv_ep_tok tok;
	struct venv_ep_line l;

	if (len && !venv_utf8_valid(text, len))
		return venv_error_set(VENV_EINVAL, "entry_points.txt: not UTF-8");
	for (pass = 0; pass < 2 && !error; pass++) {
		int group = 0, in_section = 0;

		venv_ep_tok_init(&tok, text, len, strict ? VENV_EP_SEMICOLON : flags);
		while (!error && venv_ep_tok_next(&tok, &l)) {
			struct venv_ep_script s;
			int matched;

			if (l.kind == VENV_EP_SECTION && !(strict && l.name_len >= MAX_SECTION)) {
				in_section = 1;
				group = (l.name_len == 15 && !memcmp(l.name, "console_scripts", 15)) ? 1 :
					(l.name_len == 11 && !memcmp(l.name, "gui_scripts", 11)) ? 2 : 0;
				continue;
			}
			if (strict && (l.kind == VENV_EP_SECTION || l.why == VENV_EP_UNCLOSED)) {
				error = refuse(VENV_EINVAL, "bad section ", l.line, l.len, "");
				break;
			}
			if (!in_section)
				continue;   /* importlib.metadata drops what comes before any header */
			if (!l.value) {
				error = venv_error_set(VENV_EINVAL, "entry_points.txt: line %zu is not "
						       "name = value", l.lineno);
				break;
			}
			if (!group || (pass == 0 && !strict))
				continue;
			matched = venv_ep_value_parse(l.value, l.value_len, &s.v);
			if (strict) {
				if ((error = strict_entry(&l, matched, &s.v)) < 0 || pass == 0)
					continue;
			} else if (!matched || memchr(l.name, '\0', l.name_len)) {
				continue;
			}
			s.lineno = l.lineno;
			s.name = l.name;
			s.name_len = l.name_len;
			s.gui = group == 2;
			error = fn(arg, &s);
		}
	}
	return error;
}
