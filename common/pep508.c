#include "compat.h"
#include <sys/utsname.h>
#include "error.h"
#include "pep508.h"

/*
 * After packaging 22+ (src/packaging/_tokenizer.py, _parser.py,
 * markers.py, requirements.py): the same tokens, tried in the same order,
 * so that what packaging refuses is refused here and what it accepts means
 * the same.
 */

enum item_type { IT_ATOM, IT_LIST, IT_AND, IT_OR };

struct marker_item {
	enum item_type type;
	struct venv_marker *sub;      /* IT_LIST */
	int lvar, rvar;               /* a variable, or -1 for a string */
	char *lval, *rval;            /* the string */
	char op[8];                   /* "==", "in", "not in", ... */
};

struct venv_marker {
	struct marker_item *items;
	size_t n;
};

static const char *const var_names[VENV_MV_COUNT] = {
	"implementation_name", "implementation_version", "os_name", "platform_machine",
	"platform_release", "platform_system", "platform_version", "python_full_version",
	"platform_python_implementation", "python_version", "sys_platform", "extra",
};

const char *venv_marker_var_name(enum venv_marker_var v)
{
	return (unsigned)v < VENV_MV_COUNT ? var_names[v] : "";
}

void venv_marker_env_init(struct venv_marker_env *env, const char *full)
{
	struct utsname u;
	const char *dot;
	size_t n;

	memset(env, 0, sizeof(*env));
	if (uname(&u) == 0) {
		snprintf(env->buf[0], sizeof(env->buf[0]), "%s", u.machine);
		snprintf(env->buf[1], sizeof(env->buf[1]), "%s", u.release);
		snprintf(env->buf[2], sizeof(env->buf[2]), "%s", u.sysname);
		snprintf(env->buf[3], sizeof(env->buf[3]), "%s", u.version);
	}
	env->value[VENV_MV_PLATFORM_MACHINE] = env->buf[0];
	env->value[VENV_MV_PLATFORM_RELEASE] = env->buf[1];
	env->value[VENV_MV_PLATFORM_SYSTEM] = env->buf[2];
	env->value[VENV_MV_PLATFORM_VERSION] = env->buf[3];
	env->value[VENV_MV_IMPLEMENTATION_NAME] = "cpython";
	env->value[VENV_MV_PLATFORM_PYTHON_IMPLEMENTATION] = "CPython";
	env->value[VENV_MV_OS_NAME] = "posix";
	/* sys.platform is "linux" on Linux, the lower-case system name elsewhere. */
	snprintf(env->buf[4], sizeof(env->buf[4]), "%s", env->buf[2]);
	for (n = 0; env->buf[4][n]; n++)
		if (env->buf[4][n] >= 'A' && env->buf[4][n] <= 'Z')
			env->buf[4][n] = (char)(env->buf[4][n] - 'A' + 'a');
	env->value[VENV_MV_SYS_PLATFORM] = env->buf[4];
	snprintf(env->buf[5], sizeof(env->buf[5]), "%s", full ? full : "");
	env->value[VENV_MV_PYTHON_FULL_VERSION] = env->buf[5];
	env->value[VENV_MV_IMPLEMENTATION_VERSION] = env->buf[5];
	/* python_version: the first two parts. */
	dot = strchr(env->buf[5], '.');
	if (dot && (dot = strchr(dot + 1, '.')))
		n = (size_t)(dot - env->buf[5]);
	else
		n = strlen(env->buf[5]);
	snprintf(env->buf[6], sizeof(env->buf[6]), "%.*s", (int)n, env->buf[5]);
	env->value[VENV_MV_PYTHON_VERSION] = env->buf[6];
	env->value[VENV_MV_EXTRA] = "";
}

/* ---- tokens ---- */

struct tok {
	const char *s;
	size_t pos, len;
	int depth;
};

static int is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

static int syntax(const struct tok *t, const char *what)
{
	return venv_error_set(VENV_EINVAL, "%s (at position %zu of '%s')", what, t->pos, t->s);
}

static void ws(struct tok *t)
{
	while (t->s[t->pos] == ' ' || t->s[t->pos] == '\t')
		t->pos++;
}

static int at_end(const struct tok *t)
{
	/* Python's "$" also matches before a final newline. */
	return t->pos == t->len || (t->pos + 1 == t->len && t->s[t->pos] == '\n');
}

/* \bword\b at the position. */
static int keyword(const struct tok *t, const char *word)
{
	size_t n = strlen(word);
	const unsigned char *s = (const unsigned char *)t->s;

	if (strncmp(t->s + t->pos, word, n))
		return 0;
	if (t->pos && is_word(s[t->pos - 1]))
		return 0;
	return !is_word(s[t->pos + n]);
}

/* IDENTIFIER: \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b; its length or 0. */
static size_t identifier(const struct tok *t)
{
	const unsigned char *s = (const unsigned char *)t->s + t->pos;
	size_t e = 0;

	if (t->pos && is_word(s[-1]))
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return 0;
	while ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z') ||
	       (s[e] >= '0' && s[e] <= '9') || s[e] == '.' || s[e] == '_' || s[e] == '-')
		e++;
	/* Back off until a word boundary follows. */
	while (e > 0 && !(is_word(s[e - 1]) && !is_word(s[e])))
		e--;
	return e;
}

static const struct {
	const char *text;
	enum venv_marker_var var;
} var_spellings[] = {
	/* packaging's alternation order */
	{ "python_version", VENV_MV_PYTHON_VERSION },
	{ "python_full_version", VENV_MV_PYTHON_FULL_VERSION },
	{ "os.name", VENV_MV_OS_NAME }, { "os_name", VENV_MV_OS_NAME },
	{ "sys.platform", VENV_MV_SYS_PLATFORM }, { "sys_platform", VENV_MV_SYS_PLATFORM },
	{ "platform_release", VENV_MV_PLATFORM_RELEASE },
	{ "platform_system", VENV_MV_PLATFORM_SYSTEM },
	{ "platform.version", VENV_MV_PLATFORM_VERSION },
	{ "platform_version", VENV_MV_PLATFORM_VERSION },
	{ "platform.machine", VENV_MV_PLATFORM_MACHINE },
	{ "platform_machine", VENV_MV_PLATFORM_MACHINE },
	{ "platform.python_implementation", VENV_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "platform_python_implementation", VENV_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_implementation", VENV_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "implementation_name", VENV_MV_IMPLEMENTATION_NAME },
	{ "implementation_version", VENV_MV_IMPLEMENTATION_VERSION },
	{ "extra", VENV_MV_EXTRA },
};

static int variable(struct tok *t)
{
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(var_spellings); i++)
		if (keyword(t, var_spellings[i].text)) {
			t->pos += strlen(var_spellings[i].text);
			return (int)var_spellings[i].var;
		}
	return -1;
}

static int put_utf8(struct vbuf *out, unsigned long c)
{
	unsigned char b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | (c >> 6));
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (c >> 12));
		b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else if (c < 0x110000) {
		b[0] = (unsigned char)(0xf0 | (c >> 18));
		b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	} else {
		return VENV_EINVAL;
	}
	return vbuf_add(out, b, n);
}

/*
 * QUOTED_STRING ('[^']*' or "[^"]*") and then ast.literal_eval: Python's
 * backslash escapes apply. Returns a malloc'd string or NULL (error set).
 */
static char *quoted(struct tok *t)
{
	struct vbuf v = VBUF_INIT(VENV_REQ_MAX_LEN);
	char q = t->s[t->pos];
	const char *p, *end;
	int error = 0;

	if (q != '\'' && q != '"')
		return NULL;
	if (!(end = strchr(t->s + t->pos + 1, q)))
		return NULL;
	for (p = t->s + t->pos + 1; p < end && !error; p++) {
		/* A line break, or a backslash escaping the closing quote. */
		if (*p == '\n' || *p == '\r' || (*p == '\\' && p + 1 >= end)) {
			error = VENV_EINVAL;
		} else if (*p != '\\') {
			error = vbuf_addch(&v, *p);
		} else {
			static const char from[] = "\\'\"abfnrtv", to[] = "\\'\"\a\b\f\n\r\t\v";
			const char *f = strchr(from, p[1]);
			unsigned long c = 0;
			int k, nd;

			p++;
			if (*p && f) {
				error = vbuf_addch(&v, to[f - from]);
			} else if (*p >= '0' && *p <= '7') {
				for (k = 0; k < 3 && p + k < end && p[k] >= '0' && p[k] <= '7'; k++)
					c = c * 8 + (unsigned long)(p[k] - '0');
				p += k - 1;
				error = put_utf8(&v, c);
			} else if (*p == 'x' || *p == 'u' || *p == 'U') {
				nd = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
				for (k = 1; k <= nd; k++) {
					char h = p + k < end ? p[k] : 0;
					int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ?
						h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;

					if (d < 0) {
						error = VENV_EINVAL;
						break;
					}
					c = c * 16 + (unsigned long)d;
				}
				p += nd;
				if (!error)
					error = put_utf8(&v, c);
			} else if (*p == 'N') {
				error = VENV_EINVAL;   /* \N{name}: not supported */
			} else {
				/* An unknown escape stays as it is. */
				if (!(error = vbuf_addch(&v, '\\')))
					error = vbuf_addch(&v, *p);
			}
		}
	}
	if (error) {
		vbuf_release(&v);
		venv_error_set(VENV_EINVAL, "bad string literal in '%s'", t->s);
		return NULL;
	}
	t->pos = (size_t)(end - t->s) + 1;
	return vbuf_detach(&v, NULL);
}

/* ---- markers ---- */

static void marker_release(struct venv_marker *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		venv_marker_free(m->items[i].sub);
		free(m->items[i].lval);
		free(m->items[i].rval);
	}
	free(m->items);
}

void venv_marker_free(struct venv_marker *m)
{
	marker_release(m);
	free(m);
}

static int add_item(struct venv_marker *m, struct marker_item *it)
{
	struct marker_item *p = realloc(m->items, (m->n + 1) * sizeof(*p));

	if (!p)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	m->items = p;
	m->items[m->n++] = *it;
	memset(it, 0, sizeof(*it));
	return 0;
}

static int parse_marker(struct tok *t, struct venv_marker **out);

static int marker_var(struct tok *t, int *var, char **val)
{
	*var = variable(t);
	*val = NULL;
	if (*var >= 0)
		return 0;
	if (t->s[t->pos] == '\'' || t->s[t->pos] == '"') {
		if (!(*val = quoted(t)))
			return strchr(t->s + t->pos + 1, t->s[t->pos]) ? VENV_EINVAL :
				syntax(t, "Expected a marker variable or quoted string");
		return 0;
	}
	return syntax(t, "Expected a marker variable or quoted string");
}

static int marker_op(struct tok *t, char op[8])
{
	static const char *const ops[] = { "===", "==", "~=", "!=", "<=", ">=", "<", ">" };
	size_t i;

	if (keyword(t, "in")) {
		t->pos += 2;
		snprintf(op, 8, "in");
		return 0;
	}
	if (keyword(t, "not")) {
		t->pos += 3;
		if (t->s[t->pos] != ' ' && t->s[t->pos] != '\t')
			return syntax(t, "Expected whitespace after 'not'");
		ws(t);
		if (!keyword(t, "in"))
			return syntax(t, "Expected 'in' after 'not'");
		t->pos += 2;
		snprintf(op, 8, "not in");
		return 0;
	}
	for (i = 0; i < VENV_ARRAY_SIZE(ops); i++)
		if (!strncmp(t->s + t->pos, ops[i], strlen(ops[i]))) {
			t->pos += strlen(ops[i]);
			snprintf(op, 8, "%s", ops[i]);
			return 0;
		}
	return syntax(t, "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in");
}

static int parse_atom(struct tok *t, struct marker_item *it)
{
	int error;

	memset(it, 0, sizeof(*it));
	ws(t);
	if (t->s[t->pos] == '(') {
		if (t->depth >= VENV_MARKER_MAX_DEPTH)
			return syntax(t, "markers nested too deeply");
		t->pos++;
		ws(t);
		t->depth++;
		it->type = IT_LIST;
		error = parse_marker(t, &it->sub);
		t->depth--;
		if (error < 0)
			return error;
		ws(t);
		if (t->s[t->pos] != ')')
			return syntax(t, "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, "
				      "after marker expression");
		t->pos++;
	} else {
		it->type = IT_ATOM;
		ws(t);
		if ((error = marker_var(t, &it->lvar, &it->lval)) < 0)
			return error;
		ws(t);
		if ((error = marker_op(t, it->op)) < 0)
			return error;
		ws(t);
		if ((error = marker_var(t, &it->rvar, &it->rval)) < 0)
			return error;
		ws(t);
	}
	ws(t);
	return 0;
}

static int parse_marker(struct tok *t, struct venv_marker **out)
{
	struct venv_marker *m = calloc(1, sizeof(*m));
	struct marker_item it;
	int error;

	memset(&it, 0, sizeof(it));
	if (!m)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (;;) {
		if ((error = parse_atom(t, &it)) < 0 || (error = add_item(m, &it)) < 0)
			goto fail;
		if (keyword(t, "or") || keyword(t, "and")) {
			it.type = t->s[t->pos] == 'o' ? IT_OR : IT_AND;
			t->pos += it.type == IT_OR ? 2 : 3;
			if ((error = add_item(m, &it)) < 0)
				goto fail;
			continue;
		}
		break;
	}
	*out = m;
	return 0;
fail:
	venv_marker_free(it.sub);
	free(it.lval);
	free(it.rval);
	venv_marker_free(m);
	return error;
}

int venv_marker_parse(struct venv_marker **out, const char *text)
{
	struct tok t = { text, 0, strlen(text), 0 };
	int error;

	*out = NULL;
	if (t.len > VENV_REQ_MAX_LEN)
		return venv_error_set(VENV_EINVAL, "marker too long");
	if ((error = parse_marker(&t, out)) < 0)
		return error;
	if (!at_end(&t)) {
		venv_marker_free(*out);
		*out = NULL;
		return syntax(&t, "Expected end of marker expression");
	}
	return 0;
}

static int canon_dup(char **out, const char *s)
{
	struct vbuf b = VBUF_INIT(VENV_REQ_MAX_LEN);
	int error = venv_name_canonicalize(&b, s);

	if (error < 0) {
		vbuf_release(&b);
		return error;
	}
	*out = vbuf_detach(&b, NULL);
	return 0;
}

/* Python's str operators on UTF-8 (code point order is byte order). */
static int str_op(const char *op, const char *l, const char *r)
{
	int c = strcmp(l, r);

	if (!strcmp(op, "in"))
		return strstr(r, l) != NULL;
	if (!strcmp(op, "not in"))
		return strstr(r, l) == NULL;
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, "=="))
		return c == 0;
	if (!strcmp(op, "!="))
		return c != 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	if (!strcmp(op, ">"))
		return c > 0;
	return -1;
}

static int eval_atom(const struct marker_item *it, const struct venv_marker_env *env)
{
	const char *l, *r;
	char *lc = NULL, *rc = NULL;
	struct vbuf spec = VBUF_INIT(VENV_REQ_MAX_LEN);
	struct venv_spec sp;
	struct venv_pep440 v = { 0 };
	int key, result;

	if (it->lvar >= 0) {
		key = it->lvar;
		l = env->value[key];
		r = it->rvar >= 0 ? var_names[it->rvar] : it->rval;
	} else {
		/* The name on the right is looked up (a string there: a KeyError). */
		l = it->lval;
		key = it->rvar;
		if (key < 0)
			return venv_error_set(VENV_EINVAL, "undefined environment name '%s'",
					      it->rval);
		r = env->value[key];
	}
	if (!l || !r)
		return venv_error_set(VENV_EINVAL, "undefined environment name '%s'",
				      var_names[key]);
	if (key == VENV_MV_EXTRA) {
		if (canon_dup(&lc, l) < 0 || canon_dup(&rc, r) < 0) {
			result = VENV_ENOMEM;
			goto done;
		}
		l = lc;
		r = rc;
	}
	if (vbuf_addf(&spec, "%s%s", it->op, r) == 0 && venv_spec_parse(&sp, spec.buf) == 0) {
		if (venv_pep440_parse(&v, l) < 0)
			result = VENV_EINVAL;   /* InvalidVersion, message set */
		else
			result = venv_spec_contains(&sp, &v);
		goto done;
	}
	venv_error_clear();
	result = str_op(it->op, l, r);
	if (result < 0)
		result = venv_error_set(VENV_EINVAL, "Undefined Op('%s') on Value('%s') and "
					"Value('%s').", it->op, l, r);
done:
	free(lc);
	free(rc);
	vbuf_release(&spec);
	return result;
}

int venv_marker_evaluate(const struct venv_marker *m, const struct venv_marker_env *env)
{
	/* any(all(group) for group in groups split at "or"), every item evaluated */
	int any = 0, all = 1;
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct marker_item *it = &m->items[i];
		int r;

		if (it->type == IT_OR) {
			any |= all;
			all = 1;
			continue;
		}
		if (it->type == IT_AND)
			continue;
		r = it->type == IT_LIST ? venv_marker_evaluate(it->sub, env) : eval_atom(it, env);
		if (r < 0)
			return r;
		all &= r;
	}
	return any | all;
}

static int fmt_side(struct vbuf *out, int var, const char *val)
{
	if (var >= 0)
		return vbuf_adds(out, var_names[var]);
	return vbuf_addf(out, "\"%s\"", val);
}

/* packaging's _format_marker(), including how it drops parentheses. */
static int fmt_marker(struct vbuf *out, const struct venv_marker *m, int first)
{
	size_t i;
	int error = 0;

	if (m->n == 1 && m->items[0].type == IT_LIST)
		return fmt_marker(out, m->items[0].sub, 1);
	if (m->n == 1 && m->items[0].type == IT_ATOM)
		first = 1;
	if (!first && (error = vbuf_addch(out, '(')) < 0)
		return error;
	for (i = 0; i < m->n && !error; i++) {
		const struct marker_item *it = &m->items[i];

		if (i)
			error = vbuf_addch(out, ' ');
		if (error)
			break;
		if (it->type == IT_OR || it->type == IT_AND)
			error = vbuf_adds(out, it->type == IT_OR ? "or" : "and");
		else if (it->type == IT_LIST)
			error = fmt_marker(out, it->sub, 0);
		else if (!(error = fmt_side(out, it->lvar, it->lval)) &&
			 !(error = vbuf_addf(out, " %s ", it->op)))
			error = fmt_side(out, it->rvar, it->rval);
	}
	if (!error && !first)
		error = vbuf_addch(out, ')');
	return error;
}

int venv_marker_str(struct vbuf *out, const struct venv_marker *m)
{
	vbuf_reset(out);
	return fmt_marker(out, m, 1);
}

/* ---- requirements ---- */

void venv_requirement_release(struct venv_requirement *r)
{
	size_t i;

	free(r->name);
	for (i = 0; i < r->nextras; i++)
		free(r->extras[i]);
	free(r->extras);
	free(r->url);
	free(r->specifier);
	venv_specset_release(&r->spec);
	venv_marker_free(r->marker);
	memset(r, 0, sizeof(*r));
}

static int add_extra(struct venv_requirement *r, const char *s, size_t n)
{
	char **p = realloc(r->extras, (r->nextras + 1) * sizeof(*p));

	if (!p)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	r->extras = p;
	if (!(p[r->nextras] = strndup(s, n)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	r->nextras++;
	return 0;
}

static int parse_extras(struct tok *t, struct venv_requirement *r)
{
	size_t n;
	int error;

	if (t->s[t->pos] != '[')
		return 0;
	t->pos++;
	ws(t);
	if ((n = identifier(t)) > 0) {
		if ((error = add_extra(r, t->s + t->pos, n)) < 0)
			return error;
		t->pos += n;
		for (;;) {
			ws(t);
			if (identifier(t))
				return syntax(t, "Expected comma between extra names");
			if (t->s[t->pos] != ',')
				break;
			t->pos++;
			ws(t);
			if (!(n = identifier(t)))
				return syntax(t, "Expected extra name after comma");
			if ((error = add_extra(r, t->s + t->pos, n)) < 0)
				return error;
			t->pos += n;
		}
	}
	ws(t);
	if (t->s[t->pos] != ']')
		return syntax(t, "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras");
	t->pos++;
	return 0;
}

static int parse_version_many(struct tok *t, struct vbuf *spec)
{
	size_t n;
	int error;

	while ((n = venv_spec_match(t->s + t->pos)) > 0) {
		const char *p;

		if ((error = vbuf_add(spec, t->s + t->pos, n)) < 0)
			return error;
		t->pos += n;
		p = t->s + t->pos;
		if (p[0] == '.' && p[1] == '*')
			return syntax(t, ".* suffix can only be used with `==` or `!=` operators");
		if (p[0] == '+' && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= '0' && p[1] <= '9')))
			return syntax(t, "Local version label can only be used with `==` or `!=` "
				      "operators");
		ws(t);
		if (t->s[t->pos] != ',')
			break;
		if ((error = vbuf_addch(spec, ',')) < 0)
			return error;
		t->pos++;
		ws(t);
	}
	return 0;
}

static int requirement_marker(struct tok *t, struct venv_requirement *r, const char *after)
{
	int error;

	if (t->s[t->pos] != ';') {
		char msg[96];

		snprintf(msg, sizeof(msg), "Expected end or semicolon (after %s)", after);
		return syntax(t, msg);
	}
	t->pos++;
	if ((error = parse_marker(t, &r->marker)) < 0)
		return error;
	ws(t);
	return 0;
}

int venv_requirement_parse(struct venv_requirement *r, const char *text)
{
	struct tok t = { text, 0, strlen(text), 0 };
	struct vbuf spec = VBUF_INIT(VENV_REQ_MAX_LEN);
	size_t n;
	int error = 0;

	memset(r, 0, sizeof(*r));
	if (t.len > VENV_REQ_MAX_LEN) {
		error = venv_error_set(VENV_EINVAL, "requirement too long");
		goto fail;
	}
	ws(&t);
	if (!(n = identifier(&t))) {
		error = syntax(&t, "Expected package name at the start of dependency specifier");
		goto fail;
	}
	if (!(r->name = strndup(text + t.pos, n))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto fail;
	}
	t.pos += n;
	ws(&t);
	if ((error = parse_extras(&t, r)) < 0)
		goto fail;
	ws(&t);
	if (text[t.pos] == '@') {
		t.pos++;
		ws(&t);
		n = strcspn(text + t.pos, " \t");
		if (!n) {
			error = syntax(&t, "Expected URL after @");
			goto fail;
		}
		if (!(r->url = strndup(text + t.pos, n))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto fail;
		}
		t.pos += n;
		if (!at_end(&t)) {
			if (text[t.pos] != ' ' && text[t.pos] != '\t') {
				error = syntax(&t, "Expected whitespace after URL");
				goto fail;
			}
			ws(&t);
			if (!at_end(&t) &&
			    (error = requirement_marker(&t, r, "URL and whitespace")) < 0)
				goto fail;
		}
	} else {
		if (text[t.pos] == '(') {
			t.pos++;
			ws(&t);
			if ((error = parse_version_many(&t, &spec)) < 0)
				goto fail;
			ws(&t);
			if (text[t.pos] != ')') {
				error = syntax(&t, "Expected matching RIGHT_PARENTHESIS for "
					       "LEFT_PARENTHESIS, after version specifier");
				goto fail;
			}
			t.pos++;
		} else {
			ws(&t);
			if ((error = parse_version_many(&t, &spec)) < 0)
				goto fail;
			ws(&t);
		}
		ws(&t);
		if (!at_end(&t) &&
		    (error = requirement_marker(&t, r, spec.len ? "version specifier" :
						"name and no valid version specifier")) < 0)
			goto fail;
	}
	if (!at_end(&t)) {
		error = syntax(&t, "Expected end of dependency specifier");
		goto fail;
	}
	if ((error = venv_specset_parse(&r->spec, spec.buf)) < 0)
		goto fail;
	if (!(r->specifier = vbuf_detach(&spec, NULL))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto fail;
	}
	/* packaging normalises the extra of the marker's first comparison only. */
	if (r->marker && r->marker->n && r->marker->items[0].type == IT_ATOM) {
		struct marker_item *it = &r->marker->items[0];
		char **val = it->lvar == VENV_MV_EXTRA && it->rval ? &it->rval :
			     it->rvar == VENV_MV_EXTRA && it->lval ? &it->lval : NULL;
		char *c;

		if (val) {
			if ((error = canon_dup(&c, *val)) < 0)
				goto fail;
			free(*val);
			*val = c;
		}
	}
	return 0;
fail:
	vbuf_release(&spec);
	venv_requirement_release(r);
	return error;
}

int venv_requirement_str(struct vbuf *out, const struct venv_requirement *r)
{
	struct vbuf tmp = VBUF_INIT(VENV_REQ_MAX_LEN);
	char **sorted = NULL;
	size_t i, n = 0;
	int error;

	vbuf_reset(out);
	if ((error = vbuf_adds(out, r->name)) < 0)
		goto done;
	if (r->nextras) {
		if (!(sorted = calloc(r->nextras, sizeof(*sorted)))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		memcpy(sorted, r->extras, r->nextras * sizeof(*sorted));
		for (i = 1; i < r->nextras; i++) {
			size_t j = i;

			while (j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0) {
				char *x = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = x;
				j--;
			}
		}
		error = vbuf_addch(out, '[');
		for (i = 0; i < r->nextras && !error; i++)
			if (!i || strcmp(sorted[i], sorted[i - 1]))
				error = vbuf_addf(out, "%s%s", n++ ? "," : "", sorted[i]);
		if (!error)
			error = vbuf_addch(out, ']');
		if (error)
			goto done;
	}
	if (r->spec.nr && ((error = venv_specset_str(&tmp, &r->spec)) < 0 ||
			   (error = vbuf_adds(out, tmp.buf)) < 0))
		goto done;
	if (r->url && (error = vbuf_addf(out, "@ %s%s", r->url, r->marker ? " " : "")) < 0)
		goto done;
	if (r->marker && ((error = venv_marker_str(&tmp, r->marker)) < 0 ||
			  (error = vbuf_addf(out, "; %s", tmp.buf)) < 0))
		goto done;
done:
	free(sorted);
	vbuf_release(&tmp);
	return error;
}

int venv_requirement_applies(const struct venv_requirement *r, const struct venv_marker_env *env)
{
	return r->marker ? venv_marker_evaluate(r->marker, env) : 1;
}
