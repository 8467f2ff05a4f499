#include "compat.h"
#include <check.h>
#include "array.h"
#include "entrypoints.h"
#include "error.h"
#include "dist.h"
#include "vbuf.h"
#include "wheel.h"
#include "../unit.h"

UNIT_TMPDIR("entrypoints")

/*
 * Unit tests for common/entrypoints.c, the one tokenizer of entry_points.txt:
 * what each line is (header, entry, malformed), its line number and spans,
 * on ordinary and hostile text (NUL bytes, a line of megabytes, CRLF, no
 * final newline, "[" or "=" alone). Then its two readers side by side, the
 * lenient one of common/dist.c and the strict one of create/entry_points.c:
 * each keeps its own rules on the same text (the table in
 * test_entrypoints__readers_differ is the list of their differences).
 */

/* A text that may hold NUL bytes: a literal and its length. */
#define T(s) s, sizeof(s) - 1

/* Every line of text, as "lineno:kind:name|value" (kind S, E, U or N; NUL as \0), one a line. */
static void tokens(struct vbuf *out, const char *text, size_t len, unsigned flags)
{
	struct venv_ep_tok tok;
	struct venv_ep_line l;
	size_t i;

	vbuf_reset(out);
	venv_ep_tok_init(&tok, text, len, flags);
	while (venv_ep_tok_next(&tok, &l)) {
		char kind = l.kind == VENV_EP_SECTION ? 'S' : l.kind == VENV_EP_ENTRY ? 'E' :
			    l.why == VENV_EP_UNCLOSED ? 'U' : l.why == VENV_EP_NO_EQUALS ? 'N' : '?';

		ck_assert_int_eq(vbuf_addf(out, "%zu:%c:", l.lineno, kind), 0);
		for (i = 0; l.name && i < l.name_len; i++)
			ck_assert_int_eq(l.name[i] ? vbuf_addch(out, l.name[i]) :
					 vbuf_adds(out, "\\0"), 0);
		if (l.value) {
			ck_assert_int_eq(vbuf_addch(out, '|'), 0);
			for (i = 0; i < l.value_len; i++)
				ck_assert_int_eq(l.value[i] ? vbuf_addch(out, l.value[i]) :
						 vbuf_adds(out, "\\0"), 0);
		}
		ck_assert_int_eq(vbuf_addch(out, '\n'), 0);
	}
}

START_TEST(test_entrypoints__kinds)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "[console_scripts]", "1:S:console_scripts\n" },
		{ "  [gui_scripts]\t \r", "1:S:gui_scripts\n" },
		/* A header's name is as written: spaces and brackets inside stay. */
		{ "[ console_scripts ]", "1:S: console_scripts \n" },
		/* Every bracket at either end goes (str.strip("[]")), nothing else. */
		{ "[[console_scripts]]", "1:S:console_scripts\n" },
		{ "[]console_scripts[]", "1:S:console_scripts\n" },
		{ "[[]]", "1:S:\n" },
		{ "[]", "1:S:\n" },
		{ "[a=b]", "1:S:a=b\n" },
		{ "[", "1:U:\n" },
		{ "[console_scripts", "1:U:\n" },
		{ "[x = m:f", "1:U:[x|m:f\n" },
		{ "]", "1:N:\n" },
		{ "console_scripts]", "1:N:\n" },
		{ "x = m:f", "1:E:x|m:f\n" },
		{ "x=m:f [a, b]", "1:E:x|m:f [a, b]\n" },
		{ " \tx \t= \t m : f \t", "1:E:x|m : f\n" },
		{ "=", "1:E:|\n" },
		{ "= m:f", "1:E:|m:f\n" },
		{ "x =", "1:E:x|\n" },
		{ "a = b = c", "1:E:a|b = c\n" },
		{ "noequals", "1:N:\n" },
		{ ";x = m:f", "1:E:;x|m:f\n" },
		{ "#x = m:f", "" },
		{ " # [console_scripts]", "" },
		{ "", "" },
		{ " \t\r", "" },
		/* Python's line ends: "\r" alone, "\v", "\f", "\x1c".."\x1e", U+0085, U+2028/9. */
		{ "\rx = m:f", "2:E:x|m:f\n" },
		{ "a\rb = m:f\r\r", "1:N:\n2:E:b|m:f\n" },
		{ "a\r\nb\vc\fd\034e\035f\036g", "1:N:\n2:N:\n3:N:\n4:N:\n5:N:\n6:N:\n7:N:\n" },
		{ "a\302\205b\342\200\250c\342\200\251d", "1:N:\n2:N:\n3:N:\n4:N:\n" },
		/* Python's white space, stripped from lines, names and values: not a line end. */
		{ "\037\302\240x\342\200\203=\343\200\200m:f\341\232\200\342\201\237", "1:E:x|m:f\n" },
		{ "\342\200\212x = m:f\342\200\257", "1:E:x|m:f\n" },
		/* Inside a name, or a near miss of one (U+200B is not white space), it stays. */
		{ "a\302\240b = \342\200\213m", "1:E:a\302\240b|\342\200\213m\n" },
		/* A byte-order mark is not white space: no header behind one. */
		{ "\357\273\277[console_scripts]", "1:N:\n" },
	};
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		tokens(&out, cases[i].text, strlen(cases[i].text), 0);
		ck_assert_msg(!strcmp(out.buf, cases[i].want), "'%s': got '%s', want '%s'",
			      cases[i].text, out.buf, cases[i].want);
	}
	vbuf_release(&out);
}
END_TEST

/* Line numbers count every line, skipped ones too; CRLF and a missing final newline. */
START_TEST(test_entrypoints__lines_and_ends)
{
	static const char text[] = "# c\r\n\r\n[console_scripts]\r\n  \r\nx = m:f\r\n"
				   "; c\r\n[gui_scripts]\ny = n:g";
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_ep_tok tok;
	struct venv_ep_line l;

	tokens(&out, T(text), 0);
	ck_assert_str_eq(out.buf, "3:S:console_scripts\n5:E:x|m:f\n6:N:\n"
			 "7:S:gui_scripts\n8:E:y|n:g\n");
	tokens(&out, T(text), VENV_EP_SEMICOLON);
	ck_assert_str_eq(out.buf, "3:S:console_scripts\n5:E:x|m:f\n7:S:gui_scripts\n8:E:y|n:g\n");
	/* A final newline adds no line; nothing at all is no line. */
	tokens(&out, T("x = m:f\n"), 0);
	ck_assert_str_eq(out.buf, "1:E:x|m:f\n");
	tokens(&out, T("\n\n\nx"), 0);
	ck_assert_str_eq(out.buf, "4:N:\n");
	tokens(&out, "", 0, 0);
	ck_assert_str_eq(out.buf, "");
	venv_ep_tok_init(&tok, NULL, 0, 0);
	ck_assert_int_eq(venv_ep_tok_next(&tok, &l), 0);
	/* At its end it stays at its end. */
	ck_assert_int_eq(venv_ep_tok_next(&tok, &l), 0);
	vbuf_release(&out);
}
END_TEST

/* A NUL byte is a byte of its span: nothing ends at it, nothing is cut. */
START_TEST(test_entrypoints__nul_bytes)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);

	tokens(&out, T("[console\0scripts]\na\0b = m\0:f\n\0\n=\0\n[\0\n"), 0);
	ck_assert_str_eq(out.buf, "1:S:console\\0scripts\n2:E:a\\0b|m\\0:f\n3:N:\n4:E:|\\0\n5:U:\n");
	/* Not stripped as a blank: a NUL at either end of a line stays. */
	tokens(&out, T("\0 x = y \0"), 0);
	ck_assert_str_eq(out.buf, "1:E:\\0 x|y \\0\n");
	vbuf_release(&out);
}
END_TEST

/* A line of 4 MiB, and 100,000 lines: no cap, no copy, spans of the full length. */
START_TEST(test_entrypoints__long_text)
{
	size_t n = (size_t)4 << 20, i, count = 0, bad = 0;
	char *big = malloc(n);
	struct venv_ep_tok tok;
	struct venv_ep_line l;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', n);
	big[n / 2] = '=';
	venv_ep_tok_init(&tok, big, n, 0);
	ck_assert_int_eq(venv_ep_tok_next(&tok, &l), 1);
	ck_assert_int_eq(l.kind, VENV_EP_ENTRY);
	ck_assert_ptr_eq(l.line, big);
	ck_assert_uint_eq(l.len, n);
	ck_assert_uint_eq(l.name_len, n / 2);
	ck_assert_ptr_eq(l.value, big + n / 2 + 1);
	ck_assert_uint_eq(l.value_len, n - n / 2 - 1);
	ck_assert_int_eq(venv_ep_tok_next(&tok, &l), 0);
	/* "[" and a megabyte without "]": one unclosed header. */
	big[0] = '[';
	big[n / 2] = 'a';
	venv_ep_tok_init(&tok, big, n, 0);
	ck_assert_int_eq(venv_ep_tok_next(&tok, &l), 1);
	ck_assert_int_eq(l.kind, VENV_EP_MALFORMED);
	ck_assert_int_eq(l.why, VENV_EP_UNCLOSED);
	ck_assert_ptr_null(l.value);
	for (i = 0; i < n; i += 40)
		big[i] = '\n';
	venv_ep_tok_init(&tok, big, n, 0);
	/* Checked without an assertion a line: Check logs every one it passes. */
	while (venv_ep_tok_next(&tok, &l)) {
		count++;
		bad += l.kind != VENV_EP_MALFORMED || l.lineno != count + 1 ||
		       l.len != (count <= n / 40 ? 39 : n % 40 - 1);
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(count, n / 40 + (n % 40 > 1));
	free(big);
}
END_TEST

/*
 * Random text from the bytes that matter: every line yielded is inside the
 * text, stripped, in order, classified by its own first and last bytes, and
 * what is skipped is only what may be.
 */
/* An assertion that costs nothing when it holds (Check logs every one it passes). */
#define OK(cond) \
	do { \
		if (!(cond)) \
			ck_abort_msg("round %d: %s", round, #cond); \
	} while (0)

START_TEST(test_entrypoints__random_text_invariants)
{
	static const char alphabet[] = "[]=#; \t\r\n\0ax:";
	unsigned long long st = 0x9e3779b97f4a7c15ULL;
	char text[256];
	int round;

	for (round = 0; round < 5000; round++) {
		size_t n, i, lines = 1, last = 0, seen = 0;
		unsigned flags = round & 1 ? VENV_EP_SEMICOLON : 0;
		struct venv_ep_tok tok;
		struct venv_ep_line l;

		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		n = (size_t)(st % sizeof(text));
		for (i = 0; i < n; i++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			text[i] = alphabet[st % (sizeof(alphabet) - 1)];
		}
		for (i = 0; i + 1 < n; i++)
			lines += text[i] == '\n' || text[i] == '\r';   /* "\r\n" is one: a bound */
		venv_ep_tok_init(&tok, text, n, flags);
		while (venv_ep_tok_next(&tok, &l)) {
			const char *eq = memchr(l.line, '=', l.len);

			seen++;
			OK(l.lineno > last && l.lineno <= lines);
			last = l.lineno;
			OK(l.len > 0 && l.line >= text && l.line + l.len <= text + n);
			OK(!memchr(l.line, '\n', l.len) && !memchr(l.line, '\r', l.len));
			OK(l.line[0] != ' ' && l.line[0] != '\t' && l.line[0] != '#');
			OK(!(flags & VENV_EP_SEMICOLON) || l.line[0] != ';');
			OK(l.line[l.len - 1] != ' ' && l.line[l.len - 1] != '\t' &&
			   l.line[l.len - 1] != '\r');
			if (l.line[0] == '[' && l.len >= 2 && l.line[l.len - 1] == ']') {
				OK(l.kind == VENV_EP_SECTION);
				OK(l.name > l.line && l.name + l.name_len <= l.line + l.len);
				OK(!l.name_len || (l.name[0] != '[' && l.name[0] != ']' &&
						   l.name[l.name_len - 1] != '[' && l.name[l.name_len - 1] != ']'));
				continue;
			}
			OK(l.kind == (l.line[0] == '[' || !eq ? VENV_EP_MALFORMED : VENV_EP_ENTRY));
			OK(l.why == (l.kind == VENV_EP_ENTRY ? 0 : l.line[0] == '[' ? VENV_EP_UNCLOSED :
					    VENV_EP_NO_EQUALS));
			OK(!eq == !l.value);
			if (eq) {
				OK(l.name == l.line && l.name + l.name_len <= eq);
				OK(!l.name_len || (l.name[l.name_len - 1] != ' ' && l.name[l.name_len - 1] != '\t'));
				OK(!l.value_len || (l.value[0] != ' ' && l.value[0] != '\t'));
				OK(l.value > eq && l.value + l.value_len == l.line + l.len);
			}
		}
		OK(seen <= lines);
	}
}
END_TEST

#undef OK

/* ---- the two readers ---- */

/* The strict reader's verdict: "E<code>: message", or the entries "name=module:attr,". */
static void strict(struct vbuf *out, const char *text, size_t len)
{
	struct venv_entry_point *eps = NULL;
	size_t n = 0, i;
	int rc = venv_entry_points_parse(text, len, 3, 12, &eps, &n);

	vbuf_reset(out);
	if (rc < 0) {
		ck_assert_msg(!eps && !n, "a refused file returned entries");
		ck_assert_int_eq(vbuf_addf(out, "E%d: %s", rc, venv_error_last()), 0);
		return;
	}
	for (i = 0; i < n; i++)
		ck_assert_int_eq(vbuf_addf(out, "%s=%s:%s,", eps[i].name, eps[i].module,
					   eps[i].attr), 0);
	venv_entry_points_free(eps, n);
}

/*
 * The lenient reader's entries, read by venv_dists_read() from a
 * distribution's entry_points.txt: "name=module[:attr][ gui],".
 */
static void lenient(struct vbuf *out, const char *text, size_t len)
{
	struct venv_dists d = VENV_DISTS_INIT;
	char dir[PATH_MAX], path[PATH_MAX];
	size_t i;

	PATHF(dir, "%s/site", tmp_root);
	rm_rf_at(AT_FDCWD, dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	PATHF(dir, "%s/site/x-1.dist-info", tmp_root);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	PATHF(path, "%s/METADATA", dir);
	unit_put_file(path, "Name: x\nVersion: 1\n", 19);
	PATHF(path, "%s/entry_points.txt", dir);
	unit_put_file(path, text, len);
	PATHF(dir, "%s/site", tmp_root);
	ck_assert_int_eq(venv_dists_read(&d, dir, 0), 0);
	ck_assert_uint_eq(d.nr, 1);
	vbuf_reset(out);
	for (i = 0; i < d.v[0].nentries; i++) {
		const struct venv_dist_entry *e = &d.v[0].entries[i];

		ck_assert_int_eq(vbuf_addf(out, "%s=%s%s%s%s,", e->name, e->module, e->attr ? ":" : "",
					   e->attr ? e->attr : "", e->gui ? " gui" : ""), 0);
	}
	venv_dists_release(&d);
}

#define CS "[console_scripts]\n"
#define MSG "entry_points.txt: "
#define EINVAL_ "E-4: " MSG
#define EUNSAFE_ "E-7: " MSG

/*
 * The same text, read by each: importlib.metadata's reading (check, list,
 * repair see what Python lists) and pip's installer's refusals on top of
 * it (create refuses what pip must). Every row is a difference the strict
 * mode must keep, or a rule they share.
 */
START_TEST(test_entrypoints__readers_differ)
{
	static const struct {
		const char *text;
		size_t len;
		const char *lenient, *strict;
	} cases[] = {
		{ T(CS "x = m:f\n[gui_scripts]\ng = n:h [e]\n"), "x=m:f,g=n:h gui,", "x=m:f,g=n:h," },
		/* ";": a comment only to the strict one. */
		{ T(CS ";x = m:f\n"), ";x=m:f,", "" },
		/* "[" not closed: an entry to importlib.metadata, a bad header to pip. */
		{ T(CS "[x = m:f\n"), "[x=m:f,", EINVAL_ "bad section '[x = m:f'" },
		/* Without "=": importlib.metadata raises (no entry points at all), pip refuses. */
		{ T(CS "[\n"), "", EINVAL_ "bad section '['" },
		{ T(CS "[\n[x\n"), "", EINVAL_ "bad section '['" },
		/* A header's name: brackets at either end go, spaces stay, for both. */
		{ T("[ console_scripts ]\nx = m:f\n"), "", "" },
		{ T("[[console_scripts]]\nx = m:f\n"), "x=m:f,", "x=m:f," },
		{ T(" [console_scripts] \r\nx = m:f\r\n"), "x=m:f,", "x=m:f," },
		/* The strict one caps a header's name at 63 bytes. */
		{ T("[" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "]\n"
		    CS "x = m:f\n"), "x=m:f,", "x=m:f," },
		{ T("[" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "]\n"
		    CS "x = m:f\n"), "x=m:f,", EINVAL_ "bad section '["
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "]'" },
		/* Lines before any header are not looked at by either; in any group, by both. */
		{ T("junk\n[other]\n[x\n"), "", EINVAL_ "bad section '[x'" },
		{ T("junk\n[other]\n= =\n" CS "x = m:f\n"), "x=m:f,", "x=m:f," },
		{ T("[other]\nmore junk\n" CS "x = m:f\n"), "", EINVAL_ "line 2 is not name = value" },
		{ T(CS "noequals\n"), "", EINVAL_ "line 2 is not name = value" },
		/* An empty name or value: listed or skipped by one, refused by the other. */
		{ T(CS "=\n"), "", EUNSAFE_ "refusing the script name ''" },
		{ T(CS " = m:f\n"), "=m:f,", EUNSAFE_ "refusing the script name ''" },
		{ T(CS "x =\n"), "", EINVAL_ "'x' names no callable (module:attribute)" },
		/* No callable: a module alone to one, an error to the other. */
		{ T(CS "x = m\n"), "x=m,", EINVAL_ "'x' names no callable (module:attribute)" },
		{ T(CS "x = m [e]\n"), "x=m,", EINVAL_ "'x' names no callable (module:attribute)" },
		{ T(CS "x = m [a:b]\n"), "x=m,", EINVAL_ "'x' names no callable (module:attribute)" },
		/* Extras: dropped by both; a value EntryPoint.pattern does not match: skipped, or refused. */
		{ T(CS "x = m:f [e\n"), "", EINVAL_ "bad extras in 'x = m:f [e'" },
		{ T(CS "x = m:f[e] y]\n"), "x=m:f,", "x=m:f," },
		{ T(CS "x = m:f g\n"), "", EUNSAFE_ "refusing the callable of 'x'" },
		{ T(CS "x = os:system('id')\n"), "", EUNSAFE_ "refusing the callable of 'x'" },
		{ T(CS "x = m : f.g\n"), "x=m:f.g,", "x=m:f.g," },
		/* Matched by the pattern, but not dotted ASCII identifiers: kept, or refused. */
		{ T(CS "x = .m:f.\n"), "x=.m:f.,", EUNSAFE_ "refusing the callable of 'x'" },
		{ T(CS "x = \303\251t\303\251:f\n"), "x=\303\251t\303\251:f,",
		  EUNSAFE_ "refusing the callable of 'x'" },
		/* Names unsafe in bin/: kept by the reader, refused by the installer, escaped. */
		{ T(CS "../x = m:f\n"), "../x=m:f,", EUNSAFE_ "refusing the script name '../x'" },
		{ T(CS "python3 = m:f\n"), "python3=m:f,", EUNSAFE_ "refusing the script name "
		  "'python3'" },
		{ T(CS "a\033]0;b = m:f\n"), "a\033]0;b=m:f,", EUNSAFE_ "refusing the script name "
		  "'a\\x1b]0;b'" },
		/* Duplicates: both kept, or the later one wins in the first one's place. */
		{ T(CS "x = m:f\ny = m:g\nx = n:h\n"), "x=m:f,y=m:g,x=n:h,", "x=n:h,y=m:g," },
		/* pip's own names: renamed by the installer only (for 3.12 here). */
		{ T(CS "pip = p:m\npip3.11 = p:m\n"), "pip=p:m,pip3.11=p:m,",
		  "pip=p:m,pip3=p:m,pip3.12=p:m," },
		/* CRLF and no final newline, the same to both. */
		{ T(CS "x = m:f\r\n\r\ny = m:g"), "x=m:f,y=m:g,", "x=m:f,y=m:g," },
		/* Not UTF-8: importlib.metadata raises, pip refuses. */
		{ T(CS "x = m:f\n# \377\n"), "", EINVAL_ "not UTF-8" },
		/* A NUL in a header: a name that matches nothing, for both. */
		{ T("[console_scripts\0]\nx = m:f\n"), "", "" },
		/* A NUL in a name: no file has that name; skipped, or refused (cut there). */
		{ T(CS "a\0b = m:f\n"), "", EUNSAFE_ "refusing the script name 'a'" },
		{ T(CS "x = m:f\0g\n"), "", EUNSAFE_ "refusing the callable of 'x'" },
	};
	struct vbuf got = VBUF_INIT(VBUF_MAX_LINE);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		lenient(&got, cases[i].text, cases[i].len);
		ck_assert_msg(!strcmp(got.buf, cases[i].lenient), "row %zu lenient: got '%s', want '%s'",
			      i, got.buf, cases[i].lenient);
		strict(&got, cases[i].text, cases[i].len);
		ck_assert_msg(!strcmp(got.buf, cases[i].strict), "row %zu strict: got '%s', want '%s'",
			      i, got.buf, cases[i].strict);
	}
	vbuf_release(&got);
}
END_TEST

/* The direct reader's entries, without VENV_EP_STRICT: as lenient() writes them, "!" on VENV_EINVAL. */
static int direct_add(void *arg, const struct venv_ep_script *s)
{
	return vbuf_addf(arg, "%.*s=%.*s%s%.*s%s,", (int)s->name_len, s->name, (int)s->v.module_len,
			 s->v.module, s->v.attr ? ":" : "", (int)s->v.attr_len,
			 s->v.attr ? s->v.attr : "", s->gui ? " gui" : "");
}

static void direct(struct vbuf *out, const char *text, size_t len)
{
	int rc;

	vbuf_reset(out);
	rc = venv_ep_read_scripts(text, len, 0, direct_add, out);
	if (rc == VENV_EINVAL) {
		venv_error_clear();
		vbuf_reset(out);
		ck_assert_int_eq(vbuf_adds(out, "!"), 0);
	} else {
		ck_assert_int_eq(rc, 0);
	}
}

/*
 * What importlib.metadata (CPython 3.10, 3.11, 3.12 and 3.13 alike) lists
 * for each text: the expected column was written by running it, with
 *
 *   d = importlib.metadata.Distribution.at(DIR)   # DIR/entry_points.txt = the bytes
 *   try: eps = list(d.entry_points)
 *   except Exception: want = "!"
 *   else: for each ep of console_scripts and gui_scripts whose ep.module
 *         does not raise: want += f"{ep.name}={ep.module}" + (f":{ep.attr}"
 *         if ep.attr else "") + (" gui" if gui_scripts else "") + ","
 *
 * "!" (reading them raises) is "" to check's model, which then has none.
 */
START_TEST(test_entrypoints__importlib_corpus)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
	} cases[] = {
		{ T("[console_scripts]\nx = m:f\n"), "x=m:f," },
		{ T("[[console_scripts]]\nx = m:f\n"), "x=m:f," },
		{ T("[console_scripts]]\nx = m:f\n"), "x=m:f," },
		{ T("[]console_scripts[]\nx = m:f\n"), "x=m:f," },
		{ T("[ console_scripts ]\nx = m:f\n"), "" },
		{ T("\t[console_scripts]\013\nx = m:f"), "x=m:f," },
		{ T("[console_scripts]\r x = m:f\r"), "x=m:f," },
		{ T("[console_scripts]\nx\014= m:f\n"), "!" },
		{ T("[console_scripts]\n\302\240x = m:f\302\240\n"), "x=m:f," },
		{ T("[console_scripts]\nx\342\200\203=\342\200\203m:f\n"), "x=m:f," },
		{ T("[console_scripts]\nx = m:f\342\200\250y = n:g\n"), "x=m:f,y=n:g," },
		{ T("[console_scripts]\nx = m:f\302\205y = n:g\n"), "x=m:f,y=n:g," },
		{ T("[console_scripts]\nx = m:f\034y = n:g\035z = o:h\036w = p:i\n"), "x=m:f,y=n:g,z=o:h,w=p:i," },
		{ T("[console_scripts]\n\037x = m:f\037\n"), "x=m:f," },
		{ T("[console_scripts]\n;x = m:f\n"), ";x=m:f," },
		{ T("[console_scripts]\n  # x = m:f\n#\n"), "" },
		{ T("[console_scripts]\nnoequals\n"), "!" },
		{ T("[other]\nnoequals\n[console_scripts]\nx = m:f\n"), "!" },
		{ T("noequals\n[console_scripts]\nx = m:f\n"), "x=m:f," },
		{ T("[console_scripts]\na = b = c:d\n"), "" },
		{ T("[console_scripts]\nx = m : f [e]\n"), "x=m:f," },
		{ T("[console_scripts]\nx = m:f [e\n"), "" },
		{ T("[console_scripts]\nx = m:f g\n"), "" },
		{ T("[console_scripts]\nx = m\n"), "x=m," },
		{ T("[console_scripts]\nx = m [a:b]\n"), "x=m," },
		{ T("[console_scripts]\nx = m:f[e] y]  \n"), "x=m:f," },
		{ T("[console_scripts]\nx =\n"), "" },
		{ T("[console_scripts]\n= m:f\n"), "=m:f," },
		{ T("[console_scripts]\nx = m:f\ny = m:g\nx = n:h\n"), "x=m:f,y=m:g,x=n:h," },
		{ T("\357\273\277[console_scripts]\nx = m:f\n"), "" },
		{ T("[console_scripts]\nx = m:f\377\n"), "!" },
		{ T("[console_scripts]\n[x = m:f\n"), "[x=m:f," },
		{ T("[console_scripts]\n[\n"), "!" },
		{ T("[console_scripts]\nx = m.n:f.g\n[gui_scripts]\ng = n:h [e]\n"), "x=m.n:f.g,g=n:h gui," },
		{ T("[console_scripts]\nx = m:f\n[console_scripts ]\ny = n:g\n"), "x=m:f," },
		{ T("[CONSOLE_SCRIPTS]\nx = m:f\n"), "" },
		{ T("[console_scripts]\nx = \303\251t\303\251:f\n"), "x=\303\251t\303\251:f," },
		{ T("[console_scripts]\nx = m:f\000\n"), "" },
		{ T("[console_scripts]\nx = m:\t f\t[e]\t\n"), "x=m:f," },
		{ T("[console_scripts]\nx = m:f # comment\n"), "" },
		{ T("[console_scripts]\n\tx\t=\tm:f\t\r\n"), "x=m:f," },
		{ T("[console_scripts]\nx = m:f\r\r\ny = n:g"), "x=m:f,y=n:g," },
		{ T("[console_scripts]\nx==m:f\n"), "" },
		{ T("[console_scripts]\nx = m:f\n[]\ny = n:g\n"), "x=m:f," },
		{ T("[console_scripts]\nmy tool = m:f\n"), "my tool=m:f," },
		{ T("[console_scripts]\nx = m::f\n"), "" },
		{ T("[console_scripts]\nx = .m:f.\n"), "x=.m:f.," },
		{ T("[console_scripts] # c\nx = m:f\n"), "" },
		{ T("[console_scripts]\na\302\240b = m:f\n"), "a\302\240b=m:f," },
		{ T("[console_scripts]\nx = m:\n"), "" },
		{ T("[console_scripts]\nx = :f\n"), "" },
		{ T("[console_scripts]\n../x = m:f\npython3 = m:f\n"), "../x=m:f,python3=m:f," },
		{ T("[console_scripts]\nx = os:system('id')\n"), "" },
		{ T("[gui_scripts]\n[console_scripts]\nx = m:f\n[gui_scripts]\ny = m:f\n"), "x=m:f,y=m:f gui," },
		{ T("[console_scripts]\nx = m:f [ ]\n"), "x=m:f," },
		{ T("[console_scripts]\nx = m:f []\n"), "x=m:f," },
		{ T("[console_scripts]\nx = m:f][\n"), "" },
		{ T("[console_scripts]\n x = m\t:\tf \n"), "x=m:f," },
		{ T("[console_scripts]\nx = m\342\200\203:f\n"), "x=m:f," },
		{ T("[console_scripts]\r\n[gui_scripts\r\nx = m:f\r\n"), "!" },
		{ T("[console_scripts]\nx = m:f\n\n\n  \t\n"), "x=m:f," },
		{ T("[console_scripts]\n#x = m:f\n x = n:g # no\n"), "" },
		{ T(""), "" },
	};
	struct vbuf got = VBUF_INIT(VBUF_MAX_LINE);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		lenient(&got, cases[i].text, cases[i].len);
		ck_assert_msg(!strcmp(got.buf, strcmp(cases[i].want, "!") ? cases[i].want : ""),
			      "row %zu: the model got '%s', importlib.metadata '%s'", i, got.buf,
			      cases[i].want);
		direct(&got, cases[i].text, cases[i].len);
		ck_assert_msg(!strcmp(got.buf, cases[i].want),
			      "row %zu: the reader got '%s', importlib.metadata '%s'", i, got.buf,
			      cases[i].want);
	}
	vbuf_release(&got);
}
END_TEST

/* Caps: the installer refuses more than VENV_WHEEL_MAX_SCRIPTS, the reader keeps 4096. */
START_TEST(test_entrypoints__readers_caps)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PROBE), got = VBUF_INIT(VBUF_MAX_PROBE);
	size_t i, n;

	ck_assert_int_eq(vbuf_adds(&text, CS), 0);
	for (i = 0; i < VENV_WHEEL_MAX_SCRIPTS; i++)
		ck_assert_int_eq(vbuf_addf(&text, "s%zu = m:f\n", i), 0);
	strict(&got, text.buf, text.len);
	ck_assert_ptr_null(strstr(got.buf, "E-"));
	/* The same name again replaces, it does not count. */
	ck_assert_int_eq(vbuf_adds(&text, "s0 = m:g\n"), 0);
	strict(&got, text.buf, text.len);
	ck_assert_ptr_nonnull(strstr(got.buf, "s0=m:g,"));
	ck_assert_int_eq(vbuf_addf(&text, "s%d = m:f\n", VENV_WHEEL_MAX_SCRIPTS), 0);
	strict(&got, text.buf, text.len);
	ck_assert_str_eq(got.buf, "E-6: more than 256 console scripts");
	for (i = VENV_WHEEL_MAX_SCRIPTS + 1; i < 5000; i++)
		ck_assert_int_eq(vbuf_addf(&text, "s%zu = m:f\n", i), 0);
	lenient(&got, text.buf, text.len);
	for (i = n = 0; i < got.len; i++)
		n += got.buf[i] == ',';
	ck_assert_uint_eq(n, 4096);
	vbuf_release(&text);
	vbuf_release(&got);
}
END_TEST

static Suite *entrypoints_suite(void)
{
	Suite *s = suite_create("entrypoints");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_entrypoints__kinds);
	tcase_add_test(tc, test_entrypoints__lines_and_ends);
	tcase_add_test(tc, test_entrypoints__nul_bytes);
	tcase_add_test(tc, test_entrypoints__long_text);
	tcase_add_test(tc, test_entrypoints__random_text_invariants);
	tcase_add_test(tc, test_entrypoints__readers_differ);
	tcase_add_test(tc, test_entrypoints__importlib_corpus);
	tcase_add_test(tc, test_entrypoints__readers_caps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(entrypoints_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
