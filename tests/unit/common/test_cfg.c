#include "compat.h"
#include <dirent.h>
#include <sys/wait.h>
#include <check.h>
#include "cfg.h"
#include "error.h"
#include "path.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("cfg")

/*
 * Unit tests for common/cfg.c: the pyvenv.cfg model (security.md CFG-01,
 * CFG-02, CFG-04, CFG-05, CFG-06 and F6). What CPython's readers make of a
 * line, and what Python's repr() writes, is checked against a real
 * python3 from PATH at run time; without one those comparisons are skipped
 * and only the fixed expectations run.
 */

/*
 * Run python3 (found on PATH) with the Python lambda `func` over the
 * NUL-separated UTF-8 `inputs`; the results, encoded as UTF-8, come back
 * NUL-separated in `out`. Returns -1 (and the caller skips) when no
 * python3 can be run.
 */
static int py_map(const char *func, const struct vbuf *inputs, struct vbuf *out)
{
	return unit_py_map(tmp_root, "sys, unicodedata", "strict", func, inputs, out);
}

static void parse_str(struct venv_cfg *cfg, const char *text)
{
	ck_assert_int_eq(venv_cfg_parse(cfg, text, strlen(text)), 0);
}

static void assert_line(const struct venv_cfg *cfg, size_t i, const char *key,
			const char *value, const char *raw, unsigned lineno, unsigned flags)
{
	const struct venv_cfg_line *l;

	ck_assert_msg(i < cfg->nr, "expected a line %zu, saw only %zu lines", i, cfg->nr);
	l = &cfg->lines[i];
	if (key)
		ck_assert_pstr_eq(l->key, key);
	else
		ck_assert_msg(l->key == NULL, "line %zu: expected no key, saw '%s'", i, l->key);
	ck_assert_pstr_eq(l->value, value);
	ck_assert_str_eq(l->raw, raw);
	ck_assert_uint_eq(l->lineno, lineno);
	ck_assert_msg(l->flags == flags, "line %zu ('%s'): expected flags %u, saw %u", i, raw,
		      flags, l->flags);
}

static void assert_format(const struct venv_cfg *cfg, const char *want)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG);

	ck_assert_int_eq(venv_cfg_format(cfg, &out), 0);
	ck_assert_str_eq(out.buf, want);
	vbuf_release(&out);
}

/*
 * Compare render() of each of the n strings of corpus with what the Python
 * function func (see py_map) makes of it; without a python3, nothing.
 */
static void match_python(const char *const *corpus, size_t n, const char *func,
			 void (*render)(struct vbuf *out, const char *in), const char *what)
{
	struct vbuf in = VBUF_INIT(VBUF_MAX_CFG), want = VBUF_INIT(VBUF_MAX_CFG);
	const char *w;
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(vbuf_add(&in, corpus[i], strlen(corpus[i]) + 1), 0);
	if (py_map(func, &in, &want) < 0)
		goto done;
	for (i = 0, w = want.buf; i < n; i++, w += strlen(w) + 1) {
		struct vbuf got = VBUF_INIT(VBUF_MAX_CFG);

		ck_assert_msg(w < want.buf + want.len, "python returned too few results");
		render(&got, corpus[i]);
		ck_assert_msg(!strcmp(got.buf, w), "%s '%s': expected '%s' (Python), saw '%s'",
			      what, corpus[i], w, got.buf);
		vbuf_release(&got);
	}
done:
	vbuf_release(&in);
	vbuf_release(&want);
}

/* ---- parse ---- */

START_TEST(test_cfg__parse_canonical)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	static const char text[] =
		"home = /usr/bin\n"
		"include-system-site-packages = false\n"
		"version = 3.12.1\n"
		"executable = /usr/bin/python3.12\n"
		"command = /usr/bin/python3.12 -m venv /tmp/v\n";

	parse_str(&cfg, text);
	ck_assert_uint_eq(cfg.nr, 5);
	ck_assert_uint_eq(cfg.flags, 0);
	assert_line(&cfg, 0, "home", "/usr/bin", "home = /usr/bin", 1, VENV_CFG_LINE_STRICT_OK);
	assert_line(&cfg, 1, "include-system-site-packages", "false",
		    "include-system-site-packages = false", 2, VENV_CFG_LINE_STRICT_OK);
	assert_line(&cfg, 4, "command", "/usr/bin/python3.12 -m venv /tmp/v",
		    "command = /usr/bin/python3.12 -m venv /tmp/v", 5, VENV_CFG_LINE_STRICT_OK);
	assert_format(&cfg, text);
	venv_cfg_release(&cfg);
	ck_assert_uint_eq(cfg.nr, 0);
	ck_assert_ptr_null(cfg.lines);
}
END_TEST

START_TEST(test_cfg__parse_empty_inputs)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	ck_assert_int_eq(venv_cfg_parse(&cfg, "", 0), 0);
	ck_assert_uint_eq(cfg.nr, 0);
	ck_assert_uint_eq(cfg.flags, 0);
	assert_format(&cfg, "");
	venv_cfg_release(&cfg);

	parse_str(&cfg, "\n");
	ck_assert_uint_eq(cfg.nr, 1);
	assert_line(&cfg, 0, NULL, NULL, "", 1, VENV_CFG_LINE_NOEQ);
	assert_format(&cfg, "\n");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_bom)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	/* A BOM breaks the first key for every CPython reader: model that, don't repair it. */
	parse_str(&cfg, "\xef\xbb\xbfhome = /usr/bin\nversion = 3.12.1\n");
	ck_assert_msg(cfg.flags & VENV_CFG_BOM, "expected the BOM flag, saw flags %u", cfg.flags);
	ck_assert_uint_eq(cfg.nr, 2);
	ck_assert_str_eq(cfg.lines[0].key, "\xef\xbb\xbfhome");
	ck_assert_ptr_null(venv_cfg_get_first(&cfg, "home"));
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "version"), "3.12.1");
	/* Rewriting never carries the BOM forward. */
	assert_format(&cfg, "home = /usr/bin\nversion = 3.12.1\n");
	venv_cfg_release(&cfg);

	/* A BOM-like sequence later in the file is not a BOM. */
	parse_str(&cfg, "a = 1\n\xef\xbb\xbf" "b = 2\n");
	ck_assert_msg(!(cfg.flags & VENV_CFG_BOM), "expected no BOM flag, saw flags %u", cfg.flags);
	assert_format(&cfg, "a = 1\n\xef\xbb\xbf" "b = 2\n");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_crlf)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, "home = /usr/bin\r\nversion = 3.11.2\r\n");
	ck_assert_msg(cfg.flags & VENV_CFG_CRLF, "expected the CRLF flag, saw flags %u", cfg.flags);
	assert_line(&cfg, 0, "home", "/usr/bin", "home = /usr/bin", 1, VENV_CFG_LINE_STRICT_OK);
	assert_line(&cfg, 1, "version", "3.11.2", "version = 3.11.2", 2, VENV_CFG_LINE_STRICT_OK);
	assert_format(&cfg, "home = /usr/bin\nversion = 3.11.2\n");
	venv_cfg_release(&cfg);

	/* One CRLF line among LF lines is enough for the flag. */
	parse_str(&cfg, "a = 1\nb = 2\r\nc = 3\n");
	ck_assert_msg(cfg.flags & VENV_CFG_CRLF, "expected the CRLF flag for a mixed file");
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "b"), "2");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_no_final_eol)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, "home = /usr/bin\nversion = 3.12.1");
	ck_assert_uint_eq(cfg.flags, VENV_CFG_NO_FINAL_EOL);
	ck_assert_uint_eq(cfg.nr, 2);
	assert_line(&cfg, 1, "version", "3.12.1", "version = 3.12.1", 2, VENV_CFG_LINE_STRICT_OK);
	assert_format(&cfg, "home = /usr/bin\nversion = 3.12.1\n");
	venv_cfg_release(&cfg);

	parse_str(&cfg, "home = /x\r");
	ck_assert_msg((cfg.flags & VENV_CFG_NO_FINAL_EOL) && (cfg.flags & VENV_CFG_CRLF),
		      "expected NO_FINAL_EOL and CRLF for a file ending in a lone CR, saw %u",
		      cfg.flags);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "home"), "/x");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_nul)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	static const char text[] = "home = /a\0b\nversion = 3.12.1\n";

	ck_assert_int_eq(venv_cfg_parse(&cfg, text, sizeof(text) - 1), 0);
	ck_assert_msg(cfg.flags & VENV_CFG_HAS_NUL, "expected the NUL flag, saw flags %u", cfg.flags);
	ck_assert_uint_eq(cfg.nr, 2);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "version"), "3.12.1");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_not_utf8)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, "home = /opt/caf\xe9\nversion = 3.12.1\n");
	ck_assert_uint_eq(cfg.flags, VENV_CFG_NOT_UTF8);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "home"), "/opt/caf\xe9");
	venv_cfg_release(&cfg);

	/* Overlong and surrogate forms count as invalid too. */
	parse_str(&cfg, "x = \xc0\xaf\n");
	ck_assert_uint_eq(cfg.flags, VENV_CFG_NOT_UTF8);
	venv_cfg_release(&cfg);
	parse_str(&cfg, "x = \xed\xa0\x80\n");
	ck_assert_uint_eq(cfg.flags, VENV_CFG_NOT_UTF8);
	venv_cfg_release(&cfg);

	parse_str(&cfg, "x = caf\xc3\xa9 \xf0\x9f\x98\x80\n");
	ck_assert_uint_eq(cfg.flags, 0);
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_lines_without_equals)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	static const char text[] = "# a comment\n[section]\nhome = /usr/bin\n   \njust words\n";

	parse_str(&cfg, text);
	ck_assert_uint_eq(cfg.nr, 5);
	assert_line(&cfg, 0, NULL, NULL, "# a comment", 1, VENV_CFG_LINE_NOEQ);
	assert_line(&cfg, 1, NULL, NULL, "[section]", 2, VENV_CFG_LINE_NOEQ);
	assert_line(&cfg, 3, NULL, NULL, "   ", 4, VENV_CFG_LINE_NOEQ);
	assert_line(&cfg, 4, NULL, NULL, "just words", 5, VENV_CFG_LINE_NOEQ);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "home"), "/usr/bin");
	/* A commented-out "key = value" is still a key for site.py: no comment syntax. */
	venv_cfg_release(&cfg);
	parse_str(&cfg, "#home = /evil\n");
	ck_assert_str_eq(cfg.lines[0].key, "#home");
	ck_assert_ptr_null(venv_cfg_get_first(&cfg, "home"));
	venv_cfg_release(&cfg);
	/* Round trip keeps every line. */
	parse_str(&cfg, text);
	assert_format(&cfg, text);
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__parse_keys_and_values)
{
	static const struct {
		const char *line, *key, *value;
		unsigned flags;
	} cases[] = {
		{ "home = /usr/bin", "home", "/usr/bin", VENV_CFG_LINE_STRICT_OK },
		{ "HOME = /usr/bin", "home", "/usr/bin", 0 },
		{ "Include-System-Site-Packages = TRUE", "include-system-site-packages", "TRUE", 0 },
		{ "home=/usr/bin", "home", "/usr/bin", 0 },
		{ "home =/usr/bin", "home", "/usr/bin", 0 },
		{ "home= /usr/bin", "home", "/usr/bin", 0 },
		{ "home  =  /usr/bin", "home", "/usr/bin", 0 },
		{ " home = /usr/bin", "home", "/usr/bin", 0 },
		{ "\thome\t=\t/usr/bin\t ", "home", "/usr/bin", 0 },
		{ "home = /usr/bin  ", "home", "/usr/bin", VENV_CFG_LINE_STRICT_OK },
		{ "home = /a b/c d", "home", "/a b/c d", VENV_CFG_LINE_STRICT_OK },
		{ "a = b = c", "a", "b = c", VENV_CFG_LINE_STRICT_OK },
		{ "prompt = 'x=y'", "prompt", "'x=y'", VENV_CFG_LINE_STRICT_OK },
		{ "=", "", "", 0 },
		{ "= value", "", "value", 0 },
		{ "key =", "key", "", 0 },
		{ "home = \x0b/x\x0c", "home", "/x", VENV_CFG_LINE_STRICT_OK },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		struct venv_cfg cfg = VENV_CFG_INIT;

		parse_str(&cfg, cases[i].line);
		ck_assert_uint_eq(cfg.nr, 1);
		ck_assert_msg(cfg.lines[0].key && !strcmp(cfg.lines[0].key, cases[i].key),
			      "'%s': expected key '%s', saw '%s'", cases[i].line, cases[i].key,
			      cfg.lines[0].key ? cfg.lines[0].key : "(null)");
		ck_assert_msg(!strcmp(cfg.lines[0].value, cases[i].value),
			      "'%s': expected value '%s', saw '%s'", cases[i].line, cases[i].value,
			      cfg.lines[0].value);
		ck_assert_msg(cfg.lines[0].flags == cases[i].flags,
			      "'%s': expected flags %u, saw %u", cases[i].line, cases[i].flags,
			      cfg.lines[0].flags);
		ck_assert_str_eq(cfg.lines[0].raw, cases[i].line);
		venv_cfg_release(&cfg);
	}
}
END_TEST

/* Lines for the comparison with what site.py makes of them. */
static const char *const line_corpus[] = {
	"home = /usr/bin",
	"HOME=/usr/bin",
	"  Home  =  /opt/py 3/bin  ",
	"home = /usr/bin\xc2\xa0",
	"home = \xc2\xa0/usr/bin",
	"\xc2\xa0home = /x",
	"home = /x\xe2\x80\x83",
	"home = /x\xe3\x80\x80",
	"home = /x\xe2\x80\xaf",
	"home = /x\xe1\x9a\x80",
	"home = /x\xe2\x81\x9f",
	"home = /x\xe2\x80\x8b",
	"home = /x\xef\xbb\xbf",
	"home = /x\xe2\x80\xae",
	"\x1chome\x1d = \x1e/x\x1f",
	"home = /x\xc2\x85",
	"home = /x\xe2\x80\xa8",
	"home = /x\xe2\x80\xa9",
	"\x0bhome = /x\x0c",
	"include-system-site-pac\xe2\x84\xaa" "ages = true",
	"VERSION = 3.12.1",
	"k = v = w",
	"=",
	"no equals here",
	"home = caf\xc3\xa9/\xf0\x9f\x98\x80",
};

/* A line as the Python function of test_cfg__parse_matches_site_py writes it. */
static void render_line(struct vbuf *out, const char *line)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, line);
	ck_assert_uint_eq(cfg.nr, 1);
	if (cfg.lines[0].key)
		ck_assert_int_eq(vbuf_addf(out, "%s\n%s", cfg.lines[0].key, cfg.lines[0].value), 0);
	else
		ck_assert_int_eq(vbuf_adds(out, "-"), 0);
	venv_cfg_release(&cfg);
}

START_TEST(test_cfg__parse_matches_site_py)
{
	/* site.py's venv(): partition at "=", key strip().lower(), value strip(). */
	match_python(line_corpus, VENV_ARRAY_SIZE(line_corpus),
		     "lambda s: (lambda k, e, v: k.strip().lower() + '\\n' + v.strip() if e "
		     "else '-')(*s.partition('='))", render_line, "line");
}
END_TEST

/*
 * Lone CR line ends: site.py reads the file in text mode (LF, CR LF and CR
 * end a line), getpath splits at LF only. A file made by replacing every LF
 * with CR was read as one line with `home` = the rest of the file, and a
 * rewrite kept only that line: executable and command were lost.
 */
START_TEST(test_cfg__parse_lone_cr)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	const struct venv_cfg *start;
	static const char text[] =
		"home = /usr/bin\r"
		"include-system-site-packages = false\r"
		"version = 3.12.1\r"
		"executable = /usr/bin/python3.12\r"
		"command = /usr/bin/python3.12 -m venv /tmp/v\r";

	parse_str(&cfg, text);
	ck_assert_msg(cfg.flags & VENV_CFG_LONE_CR, "expected the LONE_CR flag, saw flags %u",
		      cfg.flags);
	ck_assert_uint_eq(cfg.lone_cr_line, 1);
	/* site.py's lines. */
	ck_assert_uint_eq(cfg.nr, 5);
	assert_line(&cfg, 0, "home", "/usr/bin", "home = /usr/bin", 1, VENV_CFG_LINE_STRICT_OK);
	assert_line(&cfg, 1, "include-system-site-packages", "false",
		    "include-system-site-packages = false", 2, VENV_CFG_LINE_STRICT_OK);
	assert_line(&cfg, 4, "command", "/usr/bin/python3.12 -m venv /tmp/v",
		    "command = /usr/bin/python3.12 -m venv /tmp/v", 5, VENV_CFG_LINE_STRICT_OK);
	/* Start-up's: one line, whose `home` is the rest of the file. */
	start = venv_cfg_startup(&cfg);
	ck_assert_ptr_nonnull(cfg.startup);
	ck_assert_ptr_eq(start, cfg.startup);
	ck_assert_uint_eq(start->nr, 1);
	ck_assert_str_eq(venv_cfg_get_first(start, "home"),
			 "/usr/bin\rinclude-system-site-packages = false\rversion = 3.12.1\r"
			 "executable = /usr/bin/python3.12\r"
			 "command = /usr/bin/python3.12 -m venv /tmp/v");
	ck_assert_ptr_null(venv_cfg_get_first(start, "executable"));
	/* A rewrite keeps every line site.py reads, with LF line ends. */
	ck_assert_int_eq(venv_cfg_set(&cfg, "home", "/opt/bin"), 0);
	assert_format(&cfg, "home = /opt/bin\ninclude-system-site-packages = false\n"
		      "version = 3.12.1\nexecutable = /usr/bin/python3.12\n"
		      "command = /usr/bin/python3.12 -m venv /tmp/v\n");
	venv_cfg_release(&cfg);
	ck_assert_ptr_null(cfg.startup);
	ck_assert_uint_eq(cfg.flags, 0);
	ck_assert_uint_eq(cfg.lone_cr_line, 0);

	/* Without a lone CR there is one view. */
	parse_str(&cfg, "home = /a\r\nversion = 3.12.1\r\n");
	ck_assert_msg(!(cfg.flags & VENV_CFG_LONE_CR), "expected no LONE_CR for CR LF, saw %u",
		      cfg.flags);
	ck_assert_ptr_null(cfg.startup);
	ck_assert_ptr_eq(venv_cfg_startup(&cfg), &cfg);
	venv_cfg_release(&cfg);

	/* One lone CR in a file of LF line ends: the line it ends is named. */
	parse_str(&cfg, "home = /a\nversion = 3.12.1\rprompt = 'x'\nb = 2\n");
	ck_assert_uint_eq(cfg.lone_cr_line, 2);
	ck_assert_uint_eq(cfg.nr, 4);
	ck_assert_uint_eq(venv_cfg_startup(&cfg)->nr, 3);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "prompt"), "'x'");
	ck_assert_str_eq(venv_cfg_get_first(venv_cfg_startup(&cfg), "version"),
			 "3.12.1\rprompt = 'x'");
	assert_format(&cfg, "home = /a\nversion = 3.12.1\nprompt = 'x'\nb = 2\n");
	venv_cfg_release(&cfg);
}
END_TEST

/* Whole files for the comparison with how site.py and getpath split them. */
static const char *const split_corpus[] = {
	"home = /a\rinclude-system-site-packages = false\rversion = 3.12.1\r",
	"home = /a\rinclude-system-site-packages = false\rversion = 3.12.1",
	"home = /a\r\nb = 1\rc = 2\n",
	"a = 1\r\r\nb = 2",
	"a = 1\r\rb = 2\r",
	"\r\r\r",
	"\r",
	"\r\n",
	"home = /a\n\rversion = 1\n",
	"k = v\r\n\r\nx = y\r",
	"a = b\rc",
	"\rhome = /x",
	"x = 1\rhome = /a\nhome = /b\n",
	"home = /a\r\r\n",
	"home = /a \r version = 2 \r\n",
	"home = /a\n",
	"",
};

/* Our split, written as the Python function below writes its own. */
static void render_split(struct vbuf *out, const char *text)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	const struct venv_cfg *start;
	const char *home;
	size_t i;

	parse_str(&cfg, text);
	for (i = 0; i < cfg.nr; i++) {
		const struct venv_cfg_line *l = &cfg.lines[i];

		if (l->key)
			ck_assert_int_eq(vbuf_addf(out, "%s=%s\n", l->key, l->value), 0);
		else
			ck_assert_int_eq(vbuf_adds(out, "-\n"), 0);
	}
	start = venv_cfg_startup(&cfg);
	home = venv_cfg_get_first(start, "home");
	ck_assert_int_eq(vbuf_addf(out, "|%zu|%s|%d", start->nr, home ? home : "-",
				   !!(cfg.flags & VENV_CFG_LONE_CR)), 0);
	venv_cfg_release(&cfg);
}

START_TEST(test_cfg__split_matches_site_py_and_getpath)
{
	/*
	 * site.py: open() in text mode (io.TextIOWrapper, universal newlines),
	 * each line partitioned at "=". Then "|", getpath's line count and
	 * `home`: getpath_readlines() splits at LF and drops the CRs ending
	 * each line, a last part without LF kept if not empty, and getpath.py
	 * takes the first `home`. Then "|" and the flag: a CR neither before an
	 * LF nor at the end.
	 */
	match_python(split_corpus, VENV_ARRAY_SIZE(split_corpus),
		     "lambda s: ''.join("
		     "(lambda k, e, v: k.strip().lower() + '=' + v.strip() + '\\n' if e else '-\\n')"
		     "(*l.partition('=')) for l in __import__('io').TextIOWrapper("
		     "__import__('io').BytesIO(s.encode()), encoding='utf-8')) + "
		     "(lambda g: '|%d|%s|%d' % (len(g), next((v.strip() for k, e, v in "
		     "(x.partition('=') for x in g) if e and k.strip().lower() == 'home'), '-'), "
		     "__import__('re').search('\\r(?!\\n|\\\\Z)', s) is not None))("
		     "(lambda p: [x.rstrip('\\r\\n') for x in p[:-1]] + ([p[-1]] if p[-1] else []))"
		     "(s.split('\\n')))", render_split, "file");
}
END_TEST

START_TEST(test_cfg__parse_too_many_lines)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf text = VBUF_INIT(VBUF_MAX_CFG);
	int i;

	for (i = 0; i < 200000; i++)
		ck_assert_int_eq(vbuf_adds(&text, "x\n"), 0);
	ck_assert_int_eq(venv_cfg_parse(&cfg, text.buf, text.len), VENV_ETOOBIG);
	venv_cfg_release(&cfg);
	vbuf_release(&text);
}
END_TEST

START_TEST(test_cfg__read_file)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	char dir[PATH_MAX], f[PATH_MAX + 32], link[PATH_MAX + 32];
	int dfd;

	PATHF(dir, "%s/read", tmp_root);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	PATHF(f, "%s/pyvenv.cfg", dir);
	unit_put_file(f, "home = /usr/bin\n", 16);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(venv_cfg_read(&cfg, dfd, "pyvenv.cfg"), 0);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "home"), "/usr/bin");
	venv_cfg_release(&cfg);

	/* CFG-05: a link or a FIFO is refused, never followed or waited on. */
	PATHF(link, "%s/link.cfg", dir);
	ck_assert_int_eq(symlink("pyvenv.cfg", link), 0);
	ck_assert_int_eq(venv_cfg_read(&cfg, dfd, "link.cfg"), VENV_EUNSAFE);
	venv_cfg_release(&cfg);
	PATHF(link, "%s/fifo.cfg", dir);
	ck_assert_int_eq(mkfifo(link, 0644), 0);
	ck_assert_int_eq(venv_cfg_read(&cfg, dfd, "fifo.cfg"), VENV_EUNSAFE);
	venv_cfg_release(&cfg);
	ck_assert_int_eq(venv_cfg_read(&cfg, dfd, "missing.cfg"), VENV_ENOTFOUND);
	venv_cfg_release(&cfg);
	close(dfd);
}
END_TEST

/* ---- lookups ---- */

START_TEST(test_cfg__get_first_last_count)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	/* F6: getpath takes the first home, site.py the last. */
	parse_str(&cfg, "home = /first\nversion = 3.12.1\nHOME=/second\nnoeq\n home = /third \n");
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "home"), "/first");
	ck_assert_str_eq(venv_cfg_get_last(&cfg, "home"), "/third");
	ck_assert_uint_eq(venv_cfg_count(&cfg, "home"), 3);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "version"), "3.12.1");
	ck_assert_str_eq(venv_cfg_get_last(&cfg, "version"), "3.12.1");
	ck_assert_uint_eq(venv_cfg_count(&cfg, "version"), 1);
	ck_assert_ptr_null(venv_cfg_get_first(&cfg, "prompt"));
	ck_assert_ptr_null(venv_cfg_get_last(&cfg, "prompt"));
	ck_assert_uint_eq(venv_cfg_count(&cfg, "prompt"), 0);
	/* NOEQ lines never match anything. */
	ck_assert_ptr_null(venv_cfg_get_first(&cfg, "noeq"));
	ck_assert_uint_eq(venv_cfg_count(&cfg, ""), 0);
	venv_cfg_release(&cfg);

	/* On an empty model. */
	ck_assert_ptr_null(venv_cfg_get_first(&cfg, "home"));
	ck_assert_ptr_null(venv_cfg_get_last(&cfg, "home"));
	ck_assert_uint_eq(venv_cfg_count(&cfg, "home"), 0);
}
END_TEST

/* ---- set ---- */

START_TEST(test_cfg__set_replaces_first_in_place)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, "# keep me\nHome=/old\nversion = 3.11.1\nhome = /dup\nx\nhome=/dup2\n");
	ck_assert_int_eq(venv_cfg_set(&cfg, "home", "/new"), 0);
	ck_assert_uint_eq(venv_cfg_count(&cfg, "home"), 1);
	ck_assert_str_eq(venv_cfg_get_first(&cfg, "home"), "/new");
	ck_assert_uint_eq(cfg.nr, 4);
	ck_assert_str_eq(cfg.lines[1].key, "home");
	ck_assert_str_eq(cfg.lines[1].raw, "home = /new");
	ck_assert_msg(cfg.lines[1].flags == VENV_CFG_LINE_STRICT_OK,
		      "expected the rewritten line in strict form, saw flags %u", cfg.lines[1].flags);
	assert_format(&cfg, "# keep me\nhome = /new\nversion = 3.11.1\nx\n");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__set_appends_missing)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, "home = /usr/bin\n");
	ck_assert_int_eq(venv_cfg_set(&cfg, "prompt", "'my env'"), 0);
	ck_assert_uint_eq(cfg.nr, 2);
	assert_line(&cfg, 1, "prompt", "'my env'", "prompt = 'my env'", 2, VENV_CFG_LINE_STRICT_OK);
	assert_format(&cfg, "home = /usr/bin\nprompt = 'my env'\n");
	venv_cfg_release(&cfg);

	/* Into an empty model, several keys keep their order. */
	ck_assert_int_eq(venv_cfg_set(&cfg, "home", "/a"), 0);
	ck_assert_int_eq(venv_cfg_set(&cfg, "version", "3.13.0"), 0);
	ck_assert_int_eq(venv_cfg_set(&cfg, "home", "/b"), 0);
	assert_format(&cfg, "home = /b\nversion = 3.13.0\n");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__set_null_removes)
{
	struct venv_cfg cfg = VENV_CFG_INIT;

	parse_str(&cfg, "home = /a\nversion = 3.12.1\nhome = /b\nHOME = /c\n");
	ck_assert_int_eq(venv_cfg_set(&cfg, "home", NULL), 0);
	ck_assert_uint_eq(venv_cfg_count(&cfg, "home"), 0);
	ck_assert_uint_eq(cfg.nr, 1);
	assert_format(&cfg, "version = 3.12.1\n");
	/* Removing a missing key is a no-op. */
	ck_assert_int_eq(venv_cfg_set(&cfg, "prompt", NULL), 0);
	assert_format(&cfg, "version = 3.12.1\n");
	ck_assert_int_eq(venv_cfg_set(&cfg, "version", NULL), 0);
	ck_assert_uint_eq(cfg.nr, 0);
	assert_format(&cfg, "");
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__set_too_long_leaves_model)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	char *big = malloc(VBUF_MAX_LINE + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, 'v', VBUF_MAX_LINE);
	big[VBUF_MAX_LINE] = '\0';
	parse_str(&cfg, "home = /a\nversion = 3.12.1\n");
	ck_assert_int_eq(venv_cfg_set(&cfg, "home", big), VENV_ETOOBIG);
	ck_assert_int_eq(venv_cfg_set(&cfg, "prompt", big), VENV_ETOOBIG);
	assert_format(&cfg, "home = /a\nversion = 3.12.1\n");
	free(big);
	venv_cfg_release(&cfg);
}
END_TEST

/* ---- format ---- */

START_TEST(test_cfg__format_round_trip)
{
	static const char *const texts[] = {
		"home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n",
		"home=/x\n  spaced   =   value  \n\n# comment\n[s]\n",
		"prompt = 'caf\xc3\xa9 \xf0\x9f\x98\x80'\n",
		"a = 1\nA = 2\na = 3\n",
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(texts); i++) {
		struct venv_cfg cfg = VENV_CFG_INIT, again = VENV_CFG_INIT;
		struct vbuf out = VBUF_INIT(VBUF_MAX_CFG);
		size_t k;

		parse_str(&cfg, texts[i]);
		ck_assert_int_eq(venv_cfg_format(&cfg, &out), 0);
		ck_assert_str_eq(out.buf, texts[i]);
		/* And parsing the output gives the same model. */
		parse_str(&again, out.buf);
		ck_assert_uint_eq(again.nr, cfg.nr);
		for (k = 0; k < cfg.nr; k++) {
			ck_assert_pstr_eq(again.lines[k].key, cfg.lines[k].key);
			ck_assert_pstr_eq(again.lines[k].value, cfg.lines[k].value);
			ck_assert_uint_eq(again.lines[k].flags, cfg.lines[k].flags);
		}
		vbuf_release(&out);
		venv_cfg_release(&cfg);
		venv_cfg_release(&again);
	}
}
END_TEST

START_TEST(test_cfg__format_appends)
{
	struct venv_cfg cfg = VENV_CFG_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG);

	parse_str(&cfg, "a = 1\n");
	ck_assert_int_eq(vbuf_adds(&out, "# header\n"), 0);
	ck_assert_int_eq(venv_cfg_format(&cfg, &out), 0);
	ck_assert_str_eq(out.buf, "# header\na = 1\n");
	vbuf_release(&out);

	/* A cap too small for the file is reported, not overrun. */
	vbuf_init(&out, 3);
	ck_assert_int_eq(venv_cfg_format(&cfg, &out), VENV_ETOOBIG);
	vbuf_release(&out);
	venv_cfg_release(&cfg);
}
END_TEST

START_TEST(test_cfg__prompt_round_trip)
{
	/*
	 * CFG-01/CFG-06: a hostile prompt written through repr() and set()
	 * stays one line, leaves exactly one home, and parses back to the
	 * same repr text.
	 */
	static const char *const prompts[] = {
		"x\"\nhome = /attacker\nprompt = \"z",
		"a\rhome = /attacker",
		"a\xe2\x80\xa8home = /attacker",
		"a\xc2\x85home = /attacker",
		"a\x0bhome = /attacker",
		"a\x1chome = /attacker",
		"it's",
		"\\'",
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(prompts); i++) {
		struct venv_cfg cfg = VENV_CFG_INIT, again = VENV_CFG_INIT;
		struct vbuf repr = VBUF_INIT(VBUF_MAX_LINE), out = VBUF_INIT(VBUF_MAX_CFG);

		parse_str(&cfg, "home = /usr/bin\n");
		ck_assert_int_eq(venv_py_repr(&repr, prompts[i]), 0);
		ck_assert_msg(venv_cfg_value_ok(repr.buf), "expected the repr of prompt %zu to be "
			      "storable, saw '%s' refused", i, repr.buf);
		ck_assert_int_eq(venv_cfg_set(&cfg, "prompt", repr.buf), 0);
		ck_assert_int_eq(venv_cfg_format(&cfg, &out), 0);
		parse_str(&again, out.buf);
		ck_assert_uint_eq(again.nr, 2);
		ck_assert_uint_eq(venv_cfg_count(&again, "home"), 1);
		ck_assert_str_eq(venv_cfg_get_first(&again, "home"), "/usr/bin");
		ck_assert_str_eq(venv_cfg_get_first(&again, "prompt"), repr.buf);
		venv_cfg_release(&cfg);
		venv_cfg_release(&again);
		vbuf_release(&repr);
		vbuf_release(&out);
	}
}
END_TEST

/* ---- repr ---- */

START_TEST(test_cfg__py_repr_fixed_cases)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "''" },
		{ "abc", "'abc'" },
		{ "a'b", "\"a'b\"" },
		{ "a\"b", "'a\"b'" },
		{ "a'b\"c", "'a\\'b\"c'" },
		{ "back\\slash", "'back\\\\slash'" },
		{ "t\tn\nr\r", "'t\\tn\\nr\\r'" },
		{ "\x01\x1f\x7f", "'\\x01\\x1f\\x7f'" },
		{ "\xc2\x85", "'\\x85'" },
		{ "\xc2\xa0", "'\\xa0'" },
		{ "caf\xc3\xa9", "'caf\xc3\xa9'" },
		{ "\xe2\x80\x8b", "'\\u200b'" },
		{ "\xe2\x80\xae", "'\\u202e'" },
		{ "\xe2\x80\xa8", "'\\u2028'" },
		{ "\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'" },
		{ "\xf3\xa0\x80\x81", "'\\U000e0001'" },
	};
	struct vbuf out = VBUF_INIT(VBUF_MAX_LINE);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		vbuf_reset(&out);
		ck_assert_int_eq(venv_py_repr(&out, cases[i].in), 0);
		ck_assert_msg(!strcmp(out.buf, cases[i].want), "repr('%s'): expected %s, saw %s",
			      cases[i].in, cases[i].want, out.buf);
	}
	/* It appends. */
	ck_assert_int_eq(vbuf_sets(&out, "prompt = "), 0);
	ck_assert_int_eq(venv_py_repr(&out, "v"), 0);
	ck_assert_str_eq(out.buf, "prompt = 'v'");
	vbuf_release(&out);
}
END_TEST

static const char *const repr_corpus[] = {
	"",
	"plain",
	"with space",
	"'",
	"\"",
	"'\"",
	"\"'",
	"it's",
	"say \"hi\"",
	"both ' and \"",
	"\\",
	"\\'",
	"\\\"",
	"trailing\\",
	"tab\there",
	"nl\nx",
	"cr\rx",
	"\x01\x02\x1b[31m\x1f\x7f",
	"\xc2\x80\xc2\x85\xc2\x9f",
	"\xc2\xa0nbsp",
	"\xc2\xa1\xc2\xbf\xc3\xbf",
	"\xc2\xad",
	"caf\xc3\xa9",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	"\xd1\x80\xd1\x82",
	"\xf0\x9f\x98\x80",
	"\xf0\x9f\x9a\x92\xe2\x99\x9e\xe4\xb8\xad\xe7\x89\x87",
	"'\";&&$e|'",
	"'\";&&e-$ \xc3\xa8\xd1\x80\xd1\x82\xf0\x9f\x9a\x92\xe2\x99\x9e\xe4\xb8\xad\xe7\x89\x87-j",
	"$(touch X)",
	"`touch X`",
	"%n%F{red}",
	"\\x41\\u0041",
	"\xe2\x80\x8b",
	"\xe2\x80\x8c\xe2\x80\x8d",
	"\xe2\x80\xae",
	"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	"\xe2\x81\xa6\xe2\x81\xa9",
	"\xe2\x80\xa8",
	"\xe2\x80\xa9",
	"\xe2\x80\x80\xe2\x80\x8a\xe2\x80\xaf\xe2\x81\x9f",
	"\xe3\x80\x80",
	"\xe1\x9a\x80",
	"\xe2\x81\xa0\xe2\x81\xa4",
	"\xef\xbb\xbf",
	"\xef\xbf\xb9\xef\xbf\xbb",
	"\xef\xbf\xbd",
	"\xd8\x80\xd8\x85\xd8\x9c",
	"\xdb\x9d\xdc\x8f",
	"\xe1\xa0\x8e",
	"\xee\x80\x80",
	"\xef\xa3\xbf",
	"\xf3\xb0\x80\x80",
	"\xf4\x8f\xbf\xbd",
	"\xf3\xa0\x80\x81\xf3\xa0\x80\xa0\xf3\xa0\x81\xbf",
	"\xf0\x9d\x85\xb3",
	"x\xcc\x81",
	"\xe2\x80\x8e\xe2\x80\x8f",
	"\xc7\x85\xe1\xbe\x88",
	"\xe2\x84\xaa",
	"mix 'q' \\ \t \xc2\xa0 \xe2\x80\xae \xf0\x9f\x98\x80 \"",
};

START_TEST(test_cfg__py_repr_matches_python)
{
	struct vbuf corpus = VBUF_INIT(VBUF_MAX_CFG), want = VBUF_INIT(VBUF_MAX_CFG);
	struct vbuf got = VBUF_INIT(VBUF_MAX_LINE);
	const char *w;
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(repr_corpus); i++)
		ck_assert_int_eq(vbuf_add(&corpus, repr_corpus[i], strlen(repr_corpus[i]) + 1), 0);
	if (py_map("repr", &corpus, &want) < 0)
		goto done;
	for (i = 0, w = want.buf; i < VENV_ARRAY_SIZE(repr_corpus); i++, w += strlen(w) + 1) {
		ck_assert_msg(w < want.buf + want.len, "python returned too few results");
		vbuf_reset(&got);
		ck_assert_int_eq(venv_py_repr(&got, repr_corpus[i]), 0);
		ck_assert_msg(!strcmp(got.buf, w), "corpus entry %zu: expected %s (Python), saw %s",
			      i, w, got.buf);
	}
done:
	vbuf_release(&corpus);
	vbuf_release(&want);
	vbuf_release(&got);
}
END_TEST

START_TEST(test_cfg__py_repr_single_code_points_match_python)
{
	/*
	 * Every code point of the ranges where printability is decided by
	 * our table (Latin-1, general punctuation, the BMP specials, tags),
	 * each as a one-character string, against Python. The ranges hold no
	 * code point left unassigned between Unicode 12 (Python 3.8) and 15.
	 */
	static const unsigned long ranges[][2] = {
		{ 0x01, 0x17f }, { 0x2000, 0x206f }, { 0x3000, 0x3003 }, { 0xfe00, 0xfe0f },
		{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffd }, { 0xe000, 0xe003 }, { 0xf8ff, 0xf8ff },
		{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f }, { 0xf0000, 0xf0002 },
		{ 0x1d173, 0x1d17a }, { 0x1f600, 0x1f64f },
	};
	struct vbuf corpus = VBUF_INIT(VBUF_MAX_CFG), want = VBUF_INIT(VBUF_MAX_CFG);
	struct vbuf got = VBUF_INIT(VBUF_MAX_LINE);
	const char *in, *w;
	size_t r;

	for (r = 0; r < VENV_ARRAY_SIZE(ranges); r++) {
		unsigned long cp;

		for (cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
			char u[5];
			size_t n;

			if (cp == 0x2065)
				continue; /* unassigned */
			if (cp < 0x80) {
				u[0] = (char)cp;
				n = 1;
			} else if (cp < 0x800) {
				u[0] = (char)(0xc0 | (cp >> 6));
				u[1] = (char)(0x80 | (cp & 0x3f));
				n = 2;
			} else if (cp < 0x10000) {
				u[0] = (char)(0xe0 | (cp >> 12));
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f));
				n = 3;
			} else {
				u[0] = (char)(0xf0 | (cp >> 18));
				u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[3] = (char)(0x80 | (cp & 0x3f));
				n = 4;
			}
			u[n] = '\0';
			ck_assert_int_eq(vbuf_add(&corpus, u, n + 1), 0);
		}
	}
	if (py_map("repr", &corpus, &want) < 0)
		goto done;
	for (in = corpus.buf, w = want.buf; in < corpus.buf + corpus.len;
	     in += strlen(in) + 1, w += strlen(w) + 1) {
		unsigned long cp;

		ck_assert_msg(w < want.buf + want.len, "python returned too few results");
		venv_utf8_decode(in, &cp);
		vbuf_reset(&got);
		ck_assert_int_eq(venv_py_repr(&got, in), 0);
		ck_assert_msg(!strcmp(got.buf, w), "repr of U+%04lX: expected %s (Python), saw %s",
			      cp, w, got.buf);
	}
done:
	vbuf_release(&corpus);
	vbuf_release(&want);
	vbuf_release(&got);
}
END_TEST

/* ---- value_ok ---- */

START_TEST(test_cfg__value_ok)
{
	static const struct {
		const char *v;
		int want;
		const char *what;
	} cases[] = {
		{ "", 1, "empty" },
		{ "/usr/bin", 1, "plain path" },
		{ "/a b/c", 1, "inner space" },
		{ "'quoted' \"both\" \\", 1, "quotes and backslash" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", 1, "non-ASCII" },
		{ "a\xc2\xa0z", 1, "inner U+00A0" },
		{ "a\xe2\x80\x8bz", 1, "inner U+200B (not white space to Python)" },
		{ "a\xe2\x80\xaez", 1, "inner U+202E" },
		{ "\xe2\x80\x8b", 1, "U+200B alone" },
		{ " x", 0, "leading space" },
		{ "x ", 0, "trailing space" },
		{ "\tx", 0, "leading tab" },
		{ "a\nb", 0, "LF" },
		{ "a\rb", 0, "CR" },
		{ "a\x0b" "b", 0, "VT" },
		{ "a\x0c" "b", 0, "FF" },
		{ "a\x1c" "b", 0, "FS" },
		{ "a\x1d" "b", 0, "GS" },
		{ "a\x1e" "b", 0, "RS" },
		{ "a\x1f" "b", 0, "US" },
		{ "a\x01" "b", 0, "SOH" },
		{ "a\x1b[31m", 0, "ESC" },
		{ "a\x7f" "b", 0, "DEL" },
		{ "a\xc2\x85" "b", 0, "NEL" },
		{ "a\xc2\x80" "b", 0, "C1 U+0080" },
		{ "a\xc2\x9f" "b", 0, "C1 U+009F" },
		{ "a\xe2\x80\xa8" "b", 0, "LS" },
		{ "a\xe2\x80\xa9" "b", 0, "PS" },
		{ "a\xff", 0, "invalid byte" },
		{ "a\xc0\xaf", 0, "overlong" },
		{ "a\xed\xa0\x80", 0, "surrogate" },
		{ "a\xe2\x82", 0, "truncated" },
		{ "\xc2\xa0x", 0, "leading U+00A0 (str.strip() drops it)" },
		{ "x\xc2\xa0", 0, "trailing U+00A0" },
		{ "x\xe3\x80\x80", 0, "trailing U+3000" },
		{ "\xe2\x80\x83x", 0, "leading U+2003" },
		{ "x\xe1\x9a\x80", 0, "trailing U+1680" },
		{ "x\xe2\x80\xaf", 0, "trailing U+202F" },
		{ "x\xe2\x81\x9f", 0, "trailing U+205F" },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		int got = venv_cfg_value_ok(cases[i].v);

		ck_assert_msg(got == cases[i].want, "value_ok(%s): expected %d, saw %d",
			      cases[i].what, cases[i].want, got);
	}
}
END_TEST

START_TEST(test_cfg__value_ok_matches_python_readers)
{
	/*
	 * The promise: an accepted value comes back unchanged from "k = v"
	 * through str.splitlines() (the strictest line splitter), partition
	 * and strip(), and contains no control character. Checked against
	 * Python for the repr corpus and for each value wrapped in spaces.
	 */
	struct vbuf corpus = VBUF_INIT(VBUF_MAX_CFG), want = VBUF_INIT(VBUF_MAX_CFG);
	const char *in, *w;
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(repr_corpus); i++) {
		ck_assert_int_eq(vbuf_add(&corpus, repr_corpus[i], strlen(repr_corpus[i]) + 1), 0);
		ck_assert_int_eq(vbuf_addf(&corpus, "x%sx", repr_corpus[i]), 0);
		ck_assert_int_eq(vbuf_addch(&corpus, '\0'), 0);
		ck_assert_int_eq(vbuf_addf(&corpus, "%sx", repr_corpus[i]), 0);
		ck_assert_int_eq(vbuf_addch(&corpus, '\0'), 0);
		ck_assert_int_eq(vbuf_addf(&corpus, "x%s", repr_corpus[i]), 0);
		ck_assert_int_eq(vbuf_addch(&corpus, '\0'), 0);
	}
	if (py_map("lambda v: str(int(not any(unicodedata.category(c) == 'Cc' for c in v) and "
		   "len(('k = ' + v + '\\n').splitlines()) == 1 and "
		   "('k = ' + v + '\\n').splitlines()[0].partition('=')[2].strip() == v))",
		   &corpus, &want) < 0)
		goto done;
	for (in = corpus.buf, w = want.buf; in < corpus.buf + corpus.len;
	     in += strlen(in) + 1, w += strlen(w) + 1) {
		int got = venv_cfg_value_ok(in);

		ck_assert_msg(w < want.buf + want.len, "python returned too few results");
		ck_assert_msg(got == atoi(w), "value_ok('%s'): expected %s (Python), saw %d", in, w, got);
	}
done:
	vbuf_release(&corpus);
	vbuf_release(&want);
}
END_TEST

static Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cfg__parse_canonical);
	tcase_add_test(tc, test_cfg__parse_empty_inputs);
	tcase_add_test(tc, test_cfg__parse_bom);
	tcase_add_test(tc, test_cfg__parse_crlf);
	tcase_add_test(tc, test_cfg__parse_no_final_eol);
	tcase_add_test(tc, test_cfg__parse_nul);
	tcase_add_test(tc, test_cfg__parse_not_utf8);
	tcase_add_test(tc, test_cfg__parse_lines_without_equals);
	tcase_add_test(tc, test_cfg__parse_keys_and_values);
	tcase_add_test(tc, test_cfg__parse_matches_site_py);
	tcase_add_test(tc, test_cfg__parse_lone_cr);
	tcase_add_test(tc, test_cfg__split_matches_site_py_and_getpath);
	tcase_add_test(tc, test_cfg__parse_too_many_lines);
	tcase_add_test(tc, test_cfg__read_file);
	tcase_add_test(tc, test_cfg__get_first_last_count);
	tcase_add_test(tc, test_cfg__set_replaces_first_in_place);
	tcase_add_test(tc, test_cfg__set_appends_missing);
	tcase_add_test(tc, test_cfg__set_null_removes);
	tcase_add_test(tc, test_cfg__set_too_long_leaves_model);
	tcase_add_test(tc, test_cfg__format_round_trip);
	tcase_add_test(tc, test_cfg__format_appends);
	tcase_add_test(tc, test_cfg__prompt_round_trip);
	tcase_add_test(tc, test_cfg__py_repr_fixed_cases);
	tcase_add_test(tc, test_cfg__py_repr_matches_python);
	tcase_add_test(tc, test_cfg__py_repr_single_code_points_match_python);
	tcase_add_test(tc, test_cfg__value_ok);
	tcase_add_test(tc, test_cfg__value_ok_matches_python_readers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_forked(cfg_suite());
}
