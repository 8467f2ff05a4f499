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
		{ "[[console_scripts]]", "1:S:[console_scripts]\n" },
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
		/* A "\r" ends nothing, and only trailing ones are stripped. */
		{ "\rx = m:f", "1:E:\rx|m:f\n" },
		{ "a\rb = m:f\r\r", "1:E:a\rb|m:f\n" },
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
			lines += text[i] == '\n';
		venv_ep_tok_init(&tok, text, n, flags);
		while (venv_ep_tok_next(&tok, &l)) {
			const char *eq = memchr(l.line, '=', l.len);

			seen++;
			OK(l.lineno > last && l.lineno <= lines);
			last = l.lineno;
			OK(l.len > 0 && l.line >= text && l.line + l.len <= text + n);
			OK(!memchr(l.line, '\n', l.len));
			OK(l.line[0] != ' ' && l.line[0] != '\t' && l.line[0] != '#');
			OK(!(flags & VENV_EP_SEMICOLON) || l.line[0] != ';');
			OK(l.line[l.len - 1] != ' ' && l.line[l.len - 1] != '\t' &&
			   l.line[l.len - 1] != '\r');
			if (l.line[0] == '[' && l.len >= 2 && l.line[l.len - 1] == ']') {
				OK(l.kind == VENV_EP_SECTION);
				OK(l.name == l.line + 1 && l.name_len == l.len - 2);
				continue;
			}
			OK(l.kind == (l.line[0] == '[' || !eq ? VENV_EP_MALFORMED : VENV_EP_ENTRY));
			OK(l.why == (l.kind == VENV_EP_ENTRY ? 0 : l.line[0] == '[' ? VENV_EP_UNCLOSED :
					    VENV_EP_NO_EQUALS));
			OK(!eq == !l.value);
			if (eq) {
				OK(l.name == l.line && l.name + l.name_len <= eq);
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
 * The same text, read by each: importlib.metadata's leniency (check, list,
 * repair see what Python would run) and pip's strictness (create refuses
 * what pip would). Every row is a difference the shared tokenizer must not
 * erase, or a rule they share.
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
		{ T(CS "[\n"), "", EINVAL_ "bad section '['" },
		{ T(CS "[\n[x\n"), "", EINVAL_ "bad section '['" },
		/* A header's name is compared as written, by both. */
		{ T("[ console_scripts ]\nx = m:f\n"), "", "" },
		{ T("[[console_scripts]]\nx = m:f\n"), "", "" },
		{ T(" [console_scripts] \r\nx = m:f\r\n"), "x=m:f,", "x=m:f," },
		/* The strict one caps a header's name at 63 bytes. */
		{ T("[" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "]\n"
		    CS "x = m:f\n"), "x=m:f,", "x=m:f," },
		{ T("[" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "]\n"
		    CS "x = m:f\n"), "x=m:f,", EINVAL_ "bad section '["
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "]'" },
		/* Lines of other groups, and before any, are not looked at by either. */
		{ T("junk\n[other]\n[x\n"), "", EINVAL_ "bad section '[x'" },
		{ T("junk\n[other]\nmore junk\n= =\n" CS "x = m:f\n"), "x=m:f,", "x=m:f," },
		/* A line without "=", an empty name or value: skipped, or refused. */
		{ T(CS "noequals\n"), "", EINVAL_ "bad line 'noequals'" },
		{ T(CS "=\n"), "", EUNSAFE_ "refusing the script name ''" },
		{ T(CS " = m:f\n"), "", EUNSAFE_ "refusing the script name ''" },
		{ T(CS "x =\n"), "", EINVAL_ "'x' names no callable (module:attribute)" },
		/* No callable: a module alone to one, an error to the other. */
		{ T(CS "x = m\n"), "x=m,", EINVAL_ "'x' names no callable (module:attribute)" },
		{ T(CS "x = m [e]\n"), "x=m,", EINVAL_ "'x' names no callable (module:attribute)" },
		/* Extras: dropped by both, but only one asks that they be closed at the end. */
		{ T(CS "x = m:f [e\n"), "x=m:f,", EINVAL_ "bad extras in 'x = m:f [e'" },
		{ T(CS "x = m:f[e] y]\n"), "x=m:f,", "x=m:f," },
		{ T(CS "x = m [a:b]\n"), "x=m [a:b],", EINVAL_ "'x' names no callable "
		  "(module:attribute)" },
		/* What follows the attribute: ignored by one, refused by the other. */
		{ T(CS "x = m:f g\n"), "x=m:f,", EUNSAFE_ "refusing the callable of 'x'" },
		{ T(CS "x = os:system('id')\n"), "x=os:system('id'),",
		  EUNSAFE_ "refusing the callable of 'x'" },
		{ T(CS "x = m : f.g\n"), "x=m:f.g,", "x=m:f.g," },
		/* Names unsafe in bin/: kept by the reader, refused by the installer. */
		{ T(CS "../x = m:f\n"), "../x=m:f,", EUNSAFE_ "refusing the script name '../x'" },
		{ T(CS "python3 = m:f\n"), "python3=m:f,", EUNSAFE_ "refusing the script name "
		  "'python3'" },
		/* Duplicates: both kept, or the later one wins in the first one's place. */
		{ T(CS "x = m:f\ny = m:g\nx = n:h\n"), "x=m:f,y=m:g,x=n:h,", "x=n:h,y=m:g," },
		/* pip's own names: renamed by the installer only (for 3.12 here). */
		{ T(CS "pip = p:m\npip3.11 = p:m\n"), "pip=p:m,pip3.11=p:m,",
		  "pip=p:m,pip3=p:m,pip3.12=p:m," },
		/* CRLF and no final newline, the same to both. */
		{ T(CS "x = m:f\r\n\r\ny = m:g"), "x=m:f,y=m:g,", "x=m:f,y=m:g," },
		/* A NUL in a header: a name that matches nothing, or one cut there. */
		{ T("[console_scripts\0]\nx = m:f\n"), "", "x=m:f," },
		/* A NUL in a name: cut there, or refused. */
		{ T(CS "a\0b = m:f\n"), "a=m:f,", EUNSAFE_ "refusing the script name 'a'" },
		{ T(CS "x = m:f\0g\n"), "x=m:f,", EUNSAFE_ "refusing the callable of 'x'" },
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
