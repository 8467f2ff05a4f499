#include "compat.h"
#include <inttypes.h>
#include "error.h"
#include "pep440.h"

/*
 * PEP 440 after packaging 22+ (src/packaging/version.py, specifiers.py).
 * The regular expressions of packaging are matched here by hand: each
 * optional part is taken greedily, which is what the regular expressions
 * do on every input (no later part can fail because of an earlier greedy
 * choice: every later part is optional and starts differently).
 */

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_alnum_lower(int c)
{
	c = lower(c);
	return is_digit(c) || (c >= 'a' && c <= 'z');
}

static int is_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

/* Case-insensitive prefix match; the length of word or 0. */
static size_t word_at(const char *s, const char *word)
{
	size_t i;

	for (i = 0; word[i]; i++)
		if (lower((unsigned char)s[i]) != word[i])
			return 0;
	return i;
}

/* Digits at s into *v (if v); the count of digits, or -1 on overflow. */
static long digits(const char *s, uint64_t *v)
{
	uint64_t n = 0;
	long i;

	for (i = 0; is_digit(s[i]); i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (v)
		*v = n;
	return i;
}

/*
 * A labelled part at s + p: [-_.]? word [-_.]? N?, the first of words that
 * matches. Returns the position after it, 0 when there is none, -1 on
 * overflow; *which and *num say which word and which number (0 if none).
 */
static long labelled(const char *s, size_t p, const char *const *words, size_t nwords,
		     size_t *which, uint64_t *num)
{
	size_t q = p + (is_sep(s[p]) ? 1 : 0), w = 0, i;
	long n;

	for (i = 0; i < nwords; i++)
		if ((w = word_at(s + q, words[i])) > 0)
			break;
	if (!w)
		return 0;
	q += w;
	if (is_sep(s[q]))
		q++;
	if ((n = digits(s + q, num)) < 0)
		return -1;
	*which = i;
	return (long)(q + (size_t)n);
}

enum scan_flags {
	SCAN_STAR = 1 << 0,      /* "==V.*" is allowed */
	SCAN_LOCAL = 1 << 1,     /* "+local" is allowed */
	SCAN_TWO = 1 << 2,       /* at least two release segments (~=) */
	SCAN_SUFFIXES = 1 << 3   /* pre, post and dev parts are allowed */
};

/*
 * Scan a version body at s (after any white space): v? epoch? release
 * and the optional parts. Fills out (when not NULL) and returns the number
 * of bytes taken, 0 when there is no version, -1 on numeric overflow or
 * too many segments. *star is set when ".*" ended it.
 */
static long scan_version(const char *s, unsigned flags, struct venv_pep440 *out, int *star)
{
	struct venv_pep440 v = { 0 };
	static const char *const pre_words[] = { "alpha", "a", "beta", "b", "preview", "pre", "c", "rc" };
	static const char pre_kinds[] = { 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c' };
	static const char *const post_words[] = { "post", "rev", "r" };
	static const char *const dev_words[] = { "dev" };
	size_t p = 0, i;
	long n;

	memset(&v, 0, sizeof(v));
	if (star)
		*star = 0;
	if (lower((unsigned char)s[p]) == 'v')
		p++;
	if (!is_digit(s[p]))
		return 0;
	if ((n = digits(s + p, &v.epoch)) < 0)
		return -1;
	if (s[p + (size_t)n] == '!') {
		p += (size_t)n + 1;
		if (!is_digit(s[p]))
			return 0;
	} else {
		v.epoch = 0;
	}
	for (;;) {
		if (v.nrelease == VENV_VERSION_MAX_RELEASE)
			return -1;
		if ((n = digits(s + p, &v.release[v.nrelease])) < 0)
			return -1;
		p += (size_t)n;
		v.nrelease++;
		if (s[p] == '.' && is_digit(s[p + 1]))
			p++;
		else
			break;
	}
	if ((flags & SCAN_TWO) && v.nrelease < 2)
		return 0;
	if ((flags & SCAN_STAR) && s[p] == '.' && s[p + 1] == '*') {
		if (star)
			*star = 1;
		p += 2;
		goto done;
	}
	if (!(flags & SCAN_SUFFIXES))
		goto done;
	/* pre: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? N? */
	if ((n = labelled(s, p, pre_words, VENV_ARRAY_SIZE(pre_words), &i, &v.pre)) < 0)
		return -1;
	if (n > 0) {
		v.pre_kind = pre_kinds[i];
		p = (size_t)n;
	}
	/* post: -N | [-_.]? (post|rev|r) [-_.]? N? */
	if (s[p] == '-' && is_digit(s[p + 1])) {
		if ((n = digits(s + p + 1, &v.post)) < 0)
			return -1;
		v.has_post = 1;
		p += 1 + (size_t)n;
	} else if ((n = labelled(s, p, post_words, VENV_ARRAY_SIZE(post_words), &i, &v.post)) != 0) {
		if (n < 0)
			return -1;
		v.has_post = 1;
		p = (size_t)n;
	}
	/* dev: [-_.]? dev [-_.]? N? */
	if ((n = labelled(s, p, dev_words, 1, &i, &v.dev)) != 0) {
		if (n < 0)
			return -1;
		v.has_dev = 1;
		p = (size_t)n;
	}
	/* local: + [a-z0-9]+ ([-_.][a-z0-9]+)*, kept normalised */
	if ((flags & SCAN_LOCAL) && s[p] == '+' && is_alnum_lower((unsigned char)s[p + 1])) {
		size_t q = p + 1, o = 0;

		for (;;) {
			size_t a = q, z;

			while (is_alnum_lower((unsigned char)s[q]))
				q++;
			/* Numeric labels lose their leading zeros (int(part)). */
			z = a;
			if (is_digit(s[a])) {
				size_t k;

				for (k = a; k < q && is_digit(s[k]); k++)
					;
				if (k == q)
					while (z + 1 < q && s[z] == '0')
						z++;
			}
			if (o + (q - z) + 2 >= sizeof(v.local))
				return -1;
			if (o)
				v.local[o++] = '.';
			for (; z < q; z++)
				v.local[o++] = (char)lower((unsigned char)s[z]);
			if (is_sep(s[q]) && is_alnum_lower((unsigned char)s[q + 1]))
				q++;
			else
				break;
		}
		v.local[o] = '\0';
		p = q;
	}
done:
	if (out)
		*out = v;
	return (long)p;
}

int venv_pep440_parse(struct venv_pep440 *out, const char *s)
{
	size_t p = 0, len = strlen(s);
	long n;

	/* A refused version leaves no stale fields behind for a caller to read. */
	memset(out, 0, sizeof(*out));
	if (len > VENV_VERSION_MAX_LEN)
		return venv_error_set(VENV_EINVAL, "invalid version: too long");
	while (is_ws((unsigned char)s[p]))
		p++;
	n = scan_version(s + p, SCAN_LOCAL | SCAN_SUFFIXES, out, NULL);
	if (n <= 0)
		return venv_error_set(VENV_EINVAL, "Invalid version: '%s'", s);
	p += (size_t)n;
	while (is_ws((unsigned char)s[p]))
		p++;
	if (s[p])
		return venv_error_set(VENV_EINVAL, "Invalid version: '%s'", s);
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Compare the next local segments: numbers above words, numbers by value. */
static int cmp_local(const char *a, const char *b)
{
	if (!*a || !*b)
		return (*a != 0) - (*b != 0);
	for (;;) {
		size_t la = strcspn(a, "."), lb = strcspn(b, ".");
		int na = strspn(a, "0123456789") == la, nb = strspn(b, "0123456789") == lb, c;

		if (na != nb)
			return na ? 1 : -1;
		if (na && la != lb)
			return la < lb ? -1 : 1;
		c = memcmp(a, b, la < lb ? la : lb);
		if (c)
			return c < 0 ? -1 : 1;
		if (la != lb)
			return la < lb ? -1 : 1;
		a += la;
		b += lb;
		if (!*a || !*b)
			return (*a != 0) - (*b != 0);
		a++;
		b++;
	}
}

/* The pre-release key: dev-only releases first, final releases last. */
static int pre_rank(const struct venv_pep440 *v)
{
	if (!v->pre_kind && !v->has_post && v->has_dev)
		return -1;
	if (!v->pre_kind)
		return 4;
	return v->pre_kind == 'a' ? 1 : v->pre_kind == 'b' ? 2 : 3;
}

int venv_pep440_cmp(const struct venv_pep440 *a, const struct venv_pep440 *b)
{
	size_t i, n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
	int c;

	if ((c = cmp_u64(a->epoch, b->epoch)))
		return c;
	for (i = 0; i < n; i++) {
		uint64_t x = i < a->nrelease ? a->release[i] : 0;
		uint64_t y = i < b->nrelease ? b->release[i] : 0;

		if ((c = cmp_u64(x, y)))
			return c;
	}
	if ((c = pre_rank(a) - pre_rank(b)))
		return c < 0 ? -1 : 1;
	if (a->pre_kind && (c = cmp_u64(a->pre, b->pre)))
		return c;
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if ((c = cmp_u64(a->post, b->post)))
		return c;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if ((c = cmp_u64(a->dev, b->dev)))
		return c;
	return cmp_local(a->local, b->local);
}

int venv_pep440_is_prerelease(const struct venv_pep440 *v)
{
	return v->pre_kind || v->has_dev;
}

int venv_pep440_str(struct vbuf *out, const struct venv_pep440 *v)
{
	size_t i;
	int error = 0;

	vbuf_reset(out);
	if (v->epoch)
		error = vbuf_addf(out, "%" PRIu64 "!", v->epoch);
	for (i = 0; i < v->nrelease && !error; i++)
		error = vbuf_addf(out, "%s%" PRIu64, i ? "." : "", v->release[i]);
	if (!error && v->pre_kind)
		error = vbuf_addf(out, "%s%" PRIu64, v->pre_kind == 'c' ? "rc" :
				  v->pre_kind == 'a' ? "a" : "b", v->pre);
	if (!error && v->has_post)
		error = vbuf_addf(out, ".post%" PRIu64, v->post);
	if (!error && v->has_dev)
		error = vbuf_addf(out, ".dev%" PRIu64, v->dev);
	if (!error && v->local[0])
		error = vbuf_addf(out, "+%s", v->local);
	return error;
}

/* ---- specifiers ---- */

static const struct {
	const char *text;
	enum venv_spec_op op;
} ops[] = {
	/* packaging's alternation order; "===" is tried after "==" fails */
	{ "~=", VENV_SPEC_COMPATIBLE }, { "==", VENV_SPEC_EQ }, { "!=", VENV_SPEC_NE },
	{ "<=", VENV_SPEC_LE }, { ">=", VENV_SPEC_GE }, { "<", VENV_SPEC_LT },
	{ ">", VENV_SPEC_GT }, { "===", VENV_SPEC_ARBITRARY },
};

/* The version part after operator op at s (s points after the operator). */
static size_t match_version(enum venv_spec_op op, const char *s)
{
	size_t p = 0;
	long n;
	unsigned flags;

	while (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' ||
	       s[p] == '\f' || s[p] == '\v')
		p++;
	if (op == VENV_SPEC_ARBITRARY) {
		while (s[p] && !is_ws((unsigned char)s[p]) && s[p] != ';' && s[p] != ')')
			p++;
		return p;
	}
	if (op == VENV_SPEC_EQ || op == VENV_SPEC_NE)
		flags = SCAN_STAR | SCAN_LOCAL | SCAN_SUFFIXES;
	else if (op == VENV_SPEC_COMPATIBLE)
		flags = SCAN_TWO | SCAN_SUFFIXES;
	else
		flags = SCAN_SUFFIXES;
	n = scan_version(s + p, flags, NULL, NULL);
	return n > 0 ? p + (size_t)n : 0;
}

/* The operator and the length of the whole match, as the regex finds them. */
static size_t match_spec(const char *s, enum venv_spec_op *op_out, size_t *oplen)
{
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(ops); i++) {
		size_t ol = strlen(ops[i].text), vl;

		if (strncmp(s, ops[i].text, ol))
			continue;
		/* "==" followed by "=" only matches as "===" (the lookbehinds). */
		vl = match_version(ops[i].op, s + ol);
		if (!vl && ops[i].op != VENV_SPEC_ARBITRARY)
			continue;
		if (op_out)
			*op_out = ops[i].op;
		if (oplen)
			*oplen = ol;
		return ol + vl;
	}
	return 0;
}

size_t venv_spec_match(const char *s)
{
	return match_spec(s, NULL, NULL);
}

int venv_spec_parse(struct venv_spec *out, const char *s)
{
	size_t p = 0, n, oplen = 0, a, z;

	while (is_ws((unsigned char)s[p]))
		p++;
	n = match_spec(s + p, &out->op, &oplen);
	if (!n)
		goto bad;
	a = p + oplen;
	z = p + n;
	while (is_ws((unsigned char)s[z]))
		z++;
	if (s[z])
		goto bad;
	while (is_ws((unsigned char)s[a]))
		a++;
	z = p + n;
	while (z > a && is_ws((unsigned char)s[z - 1]))
		z--;
	if (z - a >= sizeof(out->version))
		goto bad;
	memcpy(out->version, s + a, z - a);
	out->version[z - a] = '\0';
	return 0;
bad:
	return venv_error_set(VENV_EINVAL, "Invalid specifier: '%s'", s);
}

void venv_specset_release(struct venv_specset *set)
{
	free(set->v);
	set->v = NULL;
	set->nr = 0;
}

int venv_specset_parse(struct venv_specset *out, const char *s)
{
	char item[VENV_VERSION_MAX_LEN + 8];
	int error = 0;

	out->v = NULL;
	out->nr = 0;
	while (*s) {
		size_t n = strcspn(s, ","), a = 0;

		while (a < n && is_ws((unsigned char)s[a]))
			a++;
		if (a < n) {
			struct venv_spec *p;

			if (n >= sizeof(item)) {
				error = venv_error_set(VENV_EINVAL, "Invalid specifier: too long");
				goto fail;
			}
			memcpy(item, s, n);
			item[n] = '\0';
			if (!(p = realloc(out->v, (out->nr + 1) * sizeof(*p)))) {
				error = venv_error_set(VENV_ENOMEM, "out of memory");
				goto fail;
			}
			out->v = p;
			if ((error = venv_spec_parse(&out->v[out->nr], item)) < 0)
				goto fail;
			out->nr++;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
fail:
	venv_specset_release(out);
	return error;
}

static const char *op_text(enum venv_spec_op op)
{
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(ops); i++)
		if (ops[i].op == op)
			return ops[i].text;
	return "";
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int venv_specset_str(struct vbuf *out, const struct venv_specset *set)
{
	char **items = NULL;
	size_t i, n = 0;
	int error = 0;

	vbuf_reset(out);
	if (!set->nr)
		return 0;
	if (!(items = calloc(set->nr, sizeof(*items))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (i = 0; i < set->nr; i++) {
		size_t l = strlen(op_text(set->v[i].op)) + strlen(set->v[i].version) + 1;

		if (!(items[i] = malloc(l))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
		snprintf(items[i], l, "%s%s", op_text(set->v[i].op), set->v[i].version);
	}
	qsort(items, set->nr, sizeof(*items), cmp_strp);
	/* A set: equal items once (frozenset). */
	for (i = 0; i < set->nr && !error; i++) {
		if (i && !strcmp(items[i], items[i - 1]))
			continue;
		error = vbuf_addf(out, "%s%s", n++ ? "," : "", items[i]);
	}
done:
	for (i = 0; i < set->nr; i++)
		free(items[i]);
	free(items);
	return error;
}

/* ---- matching ---- */

/*
 * packaging's _version_split(): the epoch ("0" when absent), then the
 * dot-separated items, "1rc2" split into "1" and "rc2". Items are slices
 * of buf, which the caller keeps.
 */
struct split {
	const char *item[2 * VENV_VERSION_MAX_LEN];
	size_t len[2 * VENV_VERSION_MAX_LEN];
	size_t n;
};

static void version_split(struct split *out, const char *v)
{
	const char *bang = strrchr(v, '!'), *rest = v;

	out->n = 0;
	if (bang) {
		out->item[out->n] = v;
		out->len[out->n++] = (size_t)(bang - v);
		rest = bang + 1;
	} else {
		out->item[out->n] = "0";
		out->len[out->n++] = 1;
	}
	for (;;) {
		size_t l = strcspn(rest, "."), d = 0;

		while (d < l && is_digit(rest[d]))
			d++;
		/* ^([0-9]+)((?:a|b|c|rc)[0-9]+)$ */
		if (d > 0 && d < l) {
			size_t k = d;

			if (rest[k] == 'r' && rest[k + 1] == 'c')
				k += 2;
			else if (rest[k] == 'a' || rest[k] == 'b' || rest[k] == 'c')
				k++;
			else
				k = 0;
			if (k && k < l) {
				size_t m = k;

				while (m < l && is_digit(rest[m]))
					m++;
				if (m == l) {
					out->item[out->n] = rest;
					out->len[out->n++] = d;
					out->item[out->n] = rest + d;
					out->len[out->n++] = l - d;
					goto next;
				}
			}
		}
		out->item[out->n] = rest;
		out->len[out->n++] = l;
next:
		if (!rest[l] || out->n + 2 >= VENV_ARRAY_SIZE(out->item))
			break;
		rest += l + 1;
	}
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return n > 0;
}

/* The normalised text of v, or v itself when it does not parse. */
static void canonical_or_raw(char *out, size_t n, const char *v)
{
	struct venv_pep440 pv = { 0 };
	struct vbuf b = VBUF_INIT(VENV_VERSION_MAX_LEN * 2);

	if (venv_pep440_parse(&pv, v) == 0 && venv_pep440_str(&b, &pv) == 0)
		snprintf(out, n, "%s", b.buf);
	else
		snprintf(out, n, "%s", v);
	venv_error_clear();
	vbuf_release(&b);
}

/* "==V.*": v's public version, zero-padded, starts with V's items. */
static int prefix_match(const struct venv_pep440 *v, const char *spec_no_star)
{
	struct venv_pep440 pub = *v;
	struct vbuf pv = VBUF_INIT(VENV_VERSION_MAX_LEN * 2);
	char ns[VENV_VERSION_MAX_LEN * 2];
	struct split *a = NULL, *b = NULL;
	size_t ra = 0, rb = 0, i, j, k;
	int result = 0;

	pub.local[0] = '\0';
	if (venv_pep440_str(&pv, &pub) < 0 || !(a = malloc(sizeof(*a))) ||
	    !(b = malloc(sizeof(*b))))
		goto done;
	canonical_or_raw(ns, sizeof(ns), spec_no_star);
	version_split(a, pv.buf);
	version_split(b, ns);
	while (ra < a->n && all_digits(a->item[ra], a->len[ra]))
		ra++;
	while (rb < b->n && all_digits(b->item[rb], b->len[rb]))
		rb++;
	/*
	 * Padded prospective = a's digits, "0" * (rb - ra), a's rest; its first
	 * b->n items must equal b's.
	 */
	for (i = 0, j = 0, k = 0; k < b->n; k++) {
		const char *it;
		size_t il;

		/* The first and third branches alike take a's next item, at different times. */
		if (i < ra) { /* NOLINT(bugprone-branch-clone) */
			it = a->item[i];
			il = a->len[i++];
		} else if (j < (rb > ra ? rb - ra : 0)) {
			it = "0";
			il = 1;
			j++;
		} else if (i < a->n) {
			it = a->item[i];
			il = a->len[i++];
		} else {
			goto done;   /* shorter: the lists differ */
		}
		if (il != b->len[k] || memcmp(it, b->item[k], il))
			goto done;
	}
	result = 1;
done:
	free(a);
	free(b);
	vbuf_release(&pv);
	return result;
}

static void base_of(struct venv_pep440 *out, const struct venv_pep440 *v)
{
	memset(out, 0, sizeof(*out));
	out->epoch = v->epoch;
	out->nrelease = v->nrelease;
	memcpy(out->release, v->release, sizeof(out->release));
}

static int base_equal(const struct venv_pep440 *a, const struct venv_pep440 *b)
{
	struct venv_pep440 x = { 0 }, y = { 0 };

	base_of(&x, a);
	base_of(&y, b);
	return venv_pep440_cmp(&x, &y) == 0;
}

static int equal_to(const struct venv_pep440 *v, const char *spec)
{
	struct venv_pep440 sv = { 0 }, pub = *v;
	size_t n = strlen(spec);

	if (n >= 2 && !strcmp(spec + n - 2, ".*")) {
		char tmp[VENV_VERSION_MAX_LEN];

		snprintf(tmp, sizeof(tmp), "%.*s", (int)(n - 2), spec);
		return prefix_match(v, tmp);
	}
	if (venv_pep440_parse(&sv, spec) < 0) {
		venv_error_clear();
		return 0;
	}
	if (!sv.local[0])
		pub.local[0] = '\0';
	return venv_pep440_cmp(&pub, &sv) == 0;
}

int venv_spec_contains(const struct venv_spec *spec, const struct venv_pep440 *v)
{
	struct venv_pep440 sv = { 0 }, pub = *v;
	struct vbuf text = VBUF_INIT(VENV_VERSION_MAX_LEN * 2);
	int r = 0;

	pub.local[0] = '\0';
	switch (spec->op) {
	case VENV_SPEC_ARBITRARY:
		if (venv_pep440_str(&text, v) == 0)
			r = !strcasecmp(text.buf, spec->version);
		vbuf_release(&text);
		return r;
	case VENV_SPEC_EQ:
		return equal_to(v, spec->version);
	case VENV_SPEC_NE:
		return !equal_to(v, spec->version);
	case VENV_SPEC_COMPATIBLE: {
		/* >=V and ==P.* where P is V without its last release item. */
		struct split *s = malloc(sizeof(*s));
		size_t n = 0, i;

		if (!s)
			return 0;
		version_split(s, spec->version);
		while (n < s->n) {
			const char *it = s->item[n];

			if (!strncmp(it, "dev", 3) || it[0] == 'a' || it[0] == 'b' ||
			    !strncmp(it, "rc", 2) || !strncmp(it, "post", 4))
				break;
			n++;
		}
		r = n >= 1;
		if (r && vbuf_addf(&text, "%.*s!", (int)s->len[0], s->item[0]) < 0)
			r = 0;
		for (i = 1; r && i + 1 < n; i++)
			if (vbuf_addf(&text, "%s%.*s", i > 1 ? "." : "", (int)s->len[i],
				      s->item[i]) < 0)
				r = 0;
		free(s);
		if (r && venv_pep440_parse(&sv, spec->version) == 0)
			r = venv_pep440_cmp(&pub, &sv) >= 0 && prefix_match(v, text.buf);
		else
			r = 0;
		venv_error_clear();
		vbuf_release(&text);
		return r;
	}
	default:
		break;
	}
	if (venv_pep440_parse(&sv, spec->version) < 0) {
		venv_error_clear();
		return 0;
	}
	switch (spec->op) {
	case VENV_SPEC_LE:
		return venv_pep440_cmp(&pub, &sv) <= 0;
	case VENV_SPEC_GE:
		return venv_pep440_cmp(&pub, &sv) >= 0;
	case VENV_SPEC_LT:
		if (venv_pep440_cmp(v, &sv) >= 0)
			return 0;
		if (!venv_pep440_is_prerelease(&sv) && venv_pep440_is_prerelease(v) &&
		    base_equal(v, &sv))
			return 0;
		return 1;
	case VENV_SPEC_GT:
		if (venv_pep440_cmp(v, &sv) <= 0)
			return 0;
		if (!sv.has_post && v->has_post && base_equal(v, &sv))
			return 0;
		if (v->local[0] && base_equal(v, &sv))
			return 0;
		return 1;
	default:
		return 0;
	}
}

int venv_specset_contains(const struct venv_specset *set, const struct venv_pep440 *v)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		if (!venv_spec_contains(&set->v[i], v))
			return 0;
	return 1;
}

int venv_name_canonicalize(struct vbuf *out, const char *name)
{
	int error = 0;

	vbuf_reset(out);
	while (*name && !error) {
		if (is_sep(*name)) {
			while (is_sep(*name))
				name++;
			error = vbuf_addch(out, '-');
		} else {
			error = vbuf_addch(out, lower((unsigned char)*name++));
		}
	}
	return error;
}
