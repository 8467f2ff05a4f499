#include "compat.h"
#include <dirent.h>
#include <sys/wait.h>
#include <check.h>
#include "dist.h"
#include "error.h"
#include "path.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("path")

/*
 * Unit tests for common/path.c. The lexical helpers promise Python's
 * posixpath semantics, so the expected values below were taken from
 * CPython's posixpath, and when a python3 is on PATH a generated corpus is
 * also checked against it at run time.
 */

/*
 * Run python3 (found on PATH) on the NUL-separated `inputs`, applying the
 * Python lambda `func` to each (decoded as UTF-8 with surrogateescape),
 * and collect the NUL-separated results in `out`. Returns 0, or -1 when no
 * python3 could be run (the caller skips).
 */
static int py_map(const char *func, const struct vbuf *inputs, struct vbuf *out)
{
	return unit_py_map(tmp_root, "os, sys, posixpath", "surrogateescape", func, inputs, out);
}

/* ---- normalize ---- */

static const struct {
	const char *in, *want;
} normpath_cases[] = {
	{ "", "." },
	{ ".", "." },
	{ "./", "." },
	{ "..", ".." },
	{ "../", ".." },
	{ "/", "/" },
	{ "//", "//" },
	{ "///", "/" },
	{ "////", "/" },
	{ "/a", "/a" },
	{ "//a", "//a" },
	{ "///a", "/a" },
	{ "////a//b", "/a/b" },
	{ "//a//b", "//a/b" },
	{ "///a/../b", "/b" },
	{ "a", "a" },
	{ "a/", "a" },
	{ "a//", "a" },
	{ "a/b", "a/b" },
	{ "a//b", "a/b" },
	{ "a/./b", "a/b" },
	{ "a/b/.", "a/b" },
	{ "./a", "a" },
	{ "././a/./", "a" },
	{ "a/b/../c", "a/c" },
	{ "a/b/../../c", "c" },
	{ "a/../..", ".." },
	{ "a/../../b", "../b" },
	{ "../a", "../a" },
	{ "../../a/..", "../.." },
	{ "./..", ".." },
	{ "../..", "../.." },
	{ "x/..", "." },
	{ "x/../", "." },
	{ "/x/../", "/" },
	{ "/..", "/" },
	{ "/../a", "/a" },
	{ "/../../a/b", "/a/b" },
	{ "//..", "//" },
	{ "//../a", "//a" },
	{ "///../a", "/a" },
	{ "/a/./b/.", "/a/b" },
	{ "/a/b/c/../../..", "/" },
	{ "/a/b/c/../../../..", "/" },
	{ "a/b/c/../../../..", ".." },
	{ "a/b/../../../c/d", "../c/d" },
	{ "...", "..." },
	{ ".../..", "." },
	{ "a/.../b", "a/.../b" },
	{ ".a/..b/../", ".a" },
	{ "/./", "/" },
	{ "/a/b//../c", "/a/c" },
	{ "//a/../..", "//" },
	{ "a/./../.", "." },
	{ "a/b/c/", "a/b/c" },
	{ "/usr/lib/python3.12/../../bin/python", "/usr/bin/python" },
	{ "..a/..", "." },
	{ "a/..b", "a/..b" },
	{ "/a/b/../../../../c/./d/", "/c/d" },
	{ "/a b/c\td/\xc3\xa9", "/a b/c\td/\xc3\xa9" },
};

START_TEST(test_path__normalize_like_posixpath)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(normpath_cases); i++) {
		ck_assert_int_eq(venv_path_normalize(&out, normpath_cases[i].in), 0);
		ck_assert_msg(!strcmp(out.buf, normpath_cases[i].want),
			      "normalize('%s'): expected '%s', saw '%s'",
			      normpath_cases[i].in, normpath_cases[i].want, out.buf);
	}
	vbuf_release(&out);
}
END_TEST

START_TEST(test_path__normalize_is_idempotent)
{
	struct vbuf a = VBUF_INIT(VBUF_MAX_PATH), b = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(normpath_cases); i++) {
		ck_assert_int_eq(venv_path_normalize(&a, normpath_cases[i].in), 0);
		ck_assert_int_eq(venv_path_normalize(&b, a.buf), 0);
		ck_assert_msg(!strcmp(a.buf, b.buf), "normalize twice('%s'): expected '%s', saw '%s'",
			      normpath_cases[i].in, a.buf, b.buf);
	}
	vbuf_release(&a);
	vbuf_release(&b);
}
END_TEST

START_TEST(test_path__normalize_replaces_output)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);

	ck_assert_int_eq(vbuf_adds(&out, "old contents"), 0);
	ck_assert_int_eq(venv_path_normalize(&out, "a/../b"), 0);
	ck_assert_str_eq(out.buf, "b");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_path__normalize_too_long)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	size_t n = VBUF_MAX_PATH + 10;
	char *big = malloc(n + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', n);
	big[0] = '/';
	big[n] = '\0';
	ck_assert_int_eq(venv_path_normalize(&out, big), VENV_ETOOBIG);
	free(big);
	vbuf_release(&out);
}
END_TEST

/* A deterministic corpus of awkward paths for the comparison with Python. */
static void build_path_corpus(struct vbuf *corpus, int count)
{
	static const char *const parts[] = { "a", "b", "..", ".", "", "...", "a b", "\xc3\xa9", "..x" };
	static const char *const leads[] = { "", "/", "//", "///" };
	unsigned long seed = 42;
	int i, k;

	for (i = 0; i < count; i++) {
		int nparts;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		ck_assert_int_eq(vbuf_adds(corpus, leads[(seed >> 60) % 4]), 0);
		nparts = (int)((seed >> 33) % 7);
		for (k = 0; k < nparts; k++) {
			if (k)
				ck_assert_int_eq(vbuf_addch(corpus, '/'), 0);
			ck_assert_int_eq(vbuf_adds(corpus, parts[(seed >> (k * 4 + 5)) %
							  VENV_ARRAY_SIZE(parts)]), 0);
		}
		if ((seed >> 45) % 5 == 0)
			ck_assert_int_eq(vbuf_addch(corpus, '/'), 0);
		ck_assert_int_eq(vbuf_addch(corpus, '\0'), 0);
	}
}

typedef int (*path_fn)(struct vbuf *out, const char *path);

static void compare_with_python(const char *func, path_fn fn, const struct vbuf *corpus)
{
	struct vbuf want = VBUF_INIT(VBUF_MAX_RECORD), got = VBUF_INIT(VBUF_MAX_PATH);
	const char *in, *w;
	int checked = 0;

	if (py_map(func, corpus, &want) < 0) {
		vbuf_release(&want);
		return;
	}
	for (in = corpus->buf, w = want.buf; in < corpus->buf + corpus->len;
	     in += strlen(in) + 1, w += strlen(w) + 1) {
		ck_assert_msg(w < want.buf + want.len, "python returned too few results");
		ck_assert_int_eq(fn(&got, in), 0);
		ck_assert_msg(!strcmp(got.buf, w), "%s('%s'): expected '%s' (Python), saw '%s'",
			      func, in, w, got.buf);
		checked++;
	}
	ck_assert_int_gt(checked, 0);
	vbuf_release(&want);
	vbuf_release(&got);
}

START_TEST(test_path__normalize_matches_python)
{
	struct vbuf corpus = VBUF_INIT(VBUF_MAX_RECORD);

	build_path_corpus(&corpus, 3000);
	compare_with_python("posixpath.normpath", venv_path_normalize, &corpus);
	vbuf_release(&corpus);
}
END_TEST

START_TEST(test_path__dirname_basename_match_python)
{
	struct vbuf corpus = VBUF_INIT(VBUF_MAX_RECORD);

	build_path_corpus(&corpus, 2000);
	compare_with_python("posixpath.dirname", venv_path_dirname, &corpus);
	compare_with_python("posixpath.basename", venv_path_basename, &corpus);
	vbuf_release(&corpus);
}
END_TEST

/* ---- abspath ---- */

START_TEST(test_path__abspath)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char dir[PATH_MAX], *cwd;

	unit_dir(dir, sizeof(dir), tmp_root, "abspath");
	ck_assert_int_eq(chdir(dir), 0);
	cwd = getcwd(NULL, 0);
	ck_assert_ptr_nonnull(cwd);

	ck_assert_int_eq(venv_path_abspath(&out, "."), 0);
	ck_assert_str_eq(out.buf, cwd);
	ck_assert_int_eq(venv_path_abspath(&out, "x/../y/./z/"), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/y/z", cwd), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_path_abspath(&out, ".."), 0);
	ck_assert_int_eq(venv_path_dirname(&want, cwd), 0);
	ck_assert_str_eq(out.buf, want.buf);
	/* Absolute input is only normalised; the cwd plays no part. */
	ck_assert_int_eq(venv_path_abspath(&out, "/a/../b//c/"), 0);
	ck_assert_str_eq(out.buf, "/b/c");
	ck_assert_int_eq(venv_path_abspath(&out, "//srv/x"), 0);
	ck_assert_str_eq(out.buf, "//srv/x");
	/* Nothing is resolved on disk: a missing name is fine. */
	ck_assert_int_eq(venv_path_abspath(&out, "does-not-exist"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/does-not-exist", cwd), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_path_abspath(&out, ""), VENV_EINVAL);
	free(cwd);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

/* ---- join ---- */

START_TEST(test_path__join)
{
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
		{ "a", "b", "a/b" },
		{ "a/", "b", "a/b" },
		{ "/", "x", "/x" },
		{ "", "b", "b" },
		{ "a", "", "a" },
		{ "a//", "b", "a//b" },
		{ "/v/env", "bin/python", "/v/env/bin/python" },
		{ "a b", "c d", "a b/c d" },
		{ "a", "../b", "a/../b" },
	};
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(venv_path_join(&out, cases[i].a, cases[i].b), 0);
		ck_assert_msg(!strcmp(out.buf, cases[i].want), "join('%s', '%s'): expected '%s', saw '%s'",
			      cases[i].a, cases[i].b, cases[i].want, out.buf);
	}
	/* The output may be one of the inputs' own buffer contents. */
	ck_assert_int_eq(vbuf_sets(&out, "base"), 0);
	ck_assert_int_eq(venv_path_join(&out, out.buf, "leaf"), 0);
	ck_assert_str_eq(out.buf, "base/leaf");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_path__join_too_long)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	char *big = malloc(VBUF_MAX_PATH);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', VBUF_MAX_PATH - 1);
	big[VBUF_MAX_PATH - 1] = '\0';
	ck_assert_int_eq(venv_path_join(&out, big, "bb"), VENV_ETOOBIG);
	free(big);
	vbuf_release(&out);
}
END_TEST

/* ---- basename / dirname ---- */

START_TEST(test_path__basename_dirname_like_posixpath)
{
	static const struct {
		const char *in, *dir, *base;
	} cases[] = {
		{ "", "", "" },
		{ "a", "", "a" },
		{ "/", "/", "" },
		{ "//", "//", "" },
		{ "///", "///", "" },
		{ "/a", "/", "a" },
		{ "//a", "//", "a" },
		{ "///a", "///", "a" },
		{ "a/", "a", "" },
		{ "a/b", "a", "b" },
		{ "a//b", "a", "b" },
		{ "/a/b/", "/a/b", "" },
		{ "/a//", "/a", "" },
		{ "a//b/", "a//b", "" },
		{ "/usr/bin/python3", "/usr/bin", "python3" },
		{ "//a/b", "//a", "b" },
		{ "./a", ".", "a" },
		{ "../a", "..", "a" },
		{ "a/..", "a", ".." },
		{ "a b/c d", "a b", "c d" },
	};
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(venv_path_dirname(&out, cases[i].in), 0);
		ck_assert_msg(!strcmp(out.buf, cases[i].dir), "dirname('%s'): expected '%s', saw '%s'",
			      cases[i].in, cases[i].dir, out.buf);
		ck_assert_int_eq(venv_path_basename(&out, cases[i].in), 0);
		ck_assert_msg(!strcmp(out.buf, cases[i].base),
			      "basename('%s'): expected '%s', saw '%s'",
			      cases[i].in, cases[i].base, out.buf);
	}
	/* dirname of its own buffer (pyinfo walks upwards this way). */
	ck_assert_int_eq(vbuf_sets(&out, "/a/b/c"), 0);
	ck_assert_int_eq(venv_path_dirname(&out, out.buf), 0);
	ck_assert_str_eq(out.buf, "/a/b");
	ck_assert_int_eq(venv_path_dirname(&out, out.buf), 0);
	ck_assert_str_eq(out.buf, "/a");
	ck_assert_int_eq(venv_path_dirname(&out, out.buf), 0);
	ck_assert_str_eq(out.buf, "/");
	ck_assert_int_eq(venv_path_dirname(&out, out.buf), 0);
	ck_assert_str_eq(out.buf, "/");
	vbuf_release(&out);
}
END_TEST

/* ---- relative ---- */

START_TEST(test_path__relative_like_relpath)
{
	static const struct {
		const char *path, *start, *want;
	} cases[] = {
		{ "/a/b", "/a/b", "." },
		{ "/a/b/c", "/a", "b/c" },
		{ "/a", "/a/b/c", "../.." },
		{ "/a/b", "/a/c", "../b" },
		{ "/", "/a", ".." },
		{ "/a", "/", "a" },
		{ "/", "/", "." },
		{ "/ab", "/a", "../ab" },
		{ "/a/b", "/ab", "../a/b" },
		{ "//a", "/a", "." },
		{ "/a/b/c/d", "/a/x/y", "../../b/c/d" },
		{ "/usr/bin/python3", "/tmp/v/bin", "../../../usr/bin/python3" },
		{ "/a//b/", "/a/b", "." },
		{ "/x y/z", "/x y", "z" },
		{ "/v/lib-evil/x", "/v/lib", "../lib-evil/x" },
	};
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(venv_path_relative(&out, cases[i].path, cases[i].start), 0);
		ck_assert_msg(!strcmp(out.buf, cases[i].want),
			      "relative('%s', '%s'): expected '%s', saw '%s'",
			      cases[i].path, cases[i].start, cases[i].want, out.buf);
	}
	ck_assert_int_eq(venv_path_relative(&out, "a/b", "/a"), VENV_EINVAL);
	ck_assert_int_eq(venv_path_relative(&out, "/a/b", "a"), VENV_EINVAL);
	vbuf_release(&out);
}
END_TEST

static int relpath_pair(struct vbuf *out, const char *pair)
{
	/* "path\nstart", as the Python side splits it. */
	const char *nl = strchr(pair, '\n');
	struct vbuf p = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(vbuf_add(&p, pair, (size_t)(nl - pair)), 0);
	error = venv_path_relative(out, p.buf, nl + 1);
	vbuf_release(&p);
	return error;
}

START_TEST(test_path__relative_matches_python)
{
	static const char *const parts[] = { "a", "b", "c", "ab", "a b" };
	struct vbuf corpus = VBUF_INIT(VBUF_MAX_RECORD), norm = VBUF_INIT(VBUF_MAX_PATH);
	unsigned long seed = 7;
	int i, k, side;

	for (i = 0; i < 1500; i++) {
		for (side = 0; side < 2; side++) {
			struct vbuf raw = VBUF_INIT(VBUF_MAX_PATH);
			int n;

			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			n = (int)((seed >> 33) % 5);
			ck_assert_int_eq(vbuf_addch(&raw, '/'), 0);
			for (k = 0; k < n; k++)
				ck_assert_int_eq(vbuf_addf(&raw, "%s%s", k ? "/" : "",
							   parts[(seed >> (k * 3 + 7)) % 5]), 0);
			/* venv_path_relative() takes normalised paths, as its callers give it. */
			ck_assert_int_eq(venv_path_normalize(&norm, raw.buf), 0);
			ck_assert_int_eq(vbuf_adds(&corpus, norm.buf), 0);
			ck_assert_int_eq(vbuf_addch(&corpus, side ? '\0' : '\n'), 0);
			vbuf_release(&raw);
		}
	}
	compare_with_python("lambda s: os.path.relpath(*s.split('\\n'))", relpath_pair, &corpus);
	vbuf_release(&corpus);
	vbuf_release(&norm);
}
END_TEST

/* ---- is_within ---- */

START_TEST(test_path__is_within_componentwise)
{
	static const struct {
		const char *child, *parent;
		int want;
	} cases[] = {
		{ "/v/lib", "/v/lib", 1 },
		{ "/v/lib/x", "/v/lib", 1 },
		{ "/v/lib/x/y/z", "/v/lib", 1 },
		{ "/v/lib-evil", "/v/lib", 0 },
		{ "/v/lib-evil/x", "/v/lib", 0 },
		{ "/v/libx", "/v/lib/", 0 },
		{ "/v/li", "/v/lib", 0 },
		{ "/v", "/v/lib", 0 },
		{ "/", "/v/lib", 0 },
		{ "/v/lib/", "/v/lib", 1 },
		{ "/v/lib", "/v/lib/", 1 },
		{ "/v//lib/x", "/v/lib", 1 },
		{ "/anything/at/all", "/", 1 },
		{ "/V/lib", "/v/lib", 0 },
		{ "/w/lib", "/v/lib", 0 },
		/* ".." in the child can climb out: never call that "within". */
		{ "/v/lib/../etc", "/v/lib", 0 },
		{ "/v/lib/x/../../lib-evil", "/v/lib", 0 },
		{ "/v/lib/..", "/v/lib", 0 },
		{ "/v/lib/..x", "/v/lib", 1 },
		/* A relative path is never inside an absolute one, nor the reverse. */
		{ "v/lib/x", "/v/lib", 0 },
		{ "/v/lib/x", "v/lib", 0 },
		{ "lib/x", "lib", 1 },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		int got = venv_path_is_within(cases[i].child, cases[i].parent);

		ck_assert_msg(got == cases[i].want, "is_within('%s', '%s'): expected %d, saw %d",
			      cases[i].child, cases[i].parent, cases[i].want, got);
	}
}
END_TEST

/* ---- UTF-8 ---- */

/*
 * A path's file:// URL (SARIF locations, direct_url.json after a move):
 * a space, '%' and UTF-8 are percent-encoded, the rest is kept, and
 * direct_url.json's reader (venv_dist_file_url) gives the same path back.
 */
START_TEST(test_path__file_uri_round_trip)
{
	static const char *const paths[] = {
		"/a b/c%d/\xc3\xa9", "/srv/new proj/.venv", "/x/100%25/%", "/t/~a-b_c.d",
		"/q/a+b&c=d;e?f#g", "/\x01\xff", "/"
	};
	struct vbuf uri = VBUF_INIT(VBUF_MAX_PATH), back = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;

	ck_assert_int_eq(venv_path_file_uri(&uri, "/a b/c%d/\xc3\xa9"), 0);
	ck_assert_str_eq(uri.buf, "file:///a%20b/c%25d/%C3%A9");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		vbuf_reset(&uri);
		ck_assert_int_eq(venv_path_file_uri(&uri, paths[i]), 0);
		ck_assert_msg(!strchr(uri.buf + 7, ' ') && !strchr(uri.buf + 7, '#'),
			      "'%s' left unencoded in %s", paths[i], uri.buf);
		ck_assert_int_eq(venv_dist_file_url(&back, uri.buf), 0);
		ck_assert_str_eq(back.buf, paths[i]);
	}
	vbuf_release(&uri);
	vbuf_release(&back);
}
END_TEST

START_TEST(test_path__utf8_valid)
{
	static const struct {
		const char *s;
		size_t len;
		int want;
		const char *what;
	} cases[] = {
		{ "", 0, 1, "empty" },
		{ "plain ascii", 11, 1, "ascii" },
		{ "a\0b", 3, 1, "embedded NUL counts as ASCII" },
		{ "\xc2\x80", 2, 1, "U+0080, smallest 2-byte" },
		{ "\xdf\xbf", 2, 1, "U+07FF" },
		{ "\xe0\xa0\x80", 3, 1, "U+0800, smallest 3-byte" },
		{ "\xed\x9f\xbf", 3, 1, "U+D7FF, just below the surrogates" },
		{ "\xee\x80\x80", 3, 1, "U+E000, just above the surrogates" },
		{ "\xef\xbf\xbf", 3, 1, "U+FFFF" },
		{ "\xf0\x90\x80\x80", 4, 1, "U+10000, smallest 4-byte" },
		{ "\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF, the largest code point" },
		{ "\xf0\x9f\x98\x80", 4, 1, "emoji" },
		{ "caf\xc3\xa9 \xe2\x80\xae", 9, 1, "mixed" },
		{ "\xc0\x80", 2, 0, "overlong NUL" },
		{ "\xc0\xaf", 2, 0, "overlong '/'" },
		{ "\xc1\xbf", 2, 0, "overlong 2-byte" },
		{ "\xe0\x80\xaf", 3, 0, "overlong 3-byte '/'" },
		{ "\xe0\x9f\xbf", 3, 0, "overlong 3-byte U+07FF" },
		{ "\xf0\x80\x80\xaf", 4, 0, "overlong 4-byte '/'" },
		{ "\xf0\x8f\xbf\xbf", 4, 0, "overlong 4-byte U+FFFF" },
		{ "\xed\xa0\x80", 3, 0, "surrogate U+D800" },
		{ "\xed\xbf\xbf", 3, 0, "surrogate U+DFFF" },
		{ "\xed\xa0\xbd\xed\xb8\x80", 6, 0, "CESU-8 surrogate pair" },
		{ "\xf4\x90\x80\x80", 4, 0, "U+110000, above the range" },
		{ "\xf5\x80\x80\x80", 4, 0, "lead byte F5" },
		{ "\xf7\xbf\xbf\xbf", 4, 0, "lead byte F7" },
		{ "\xf8\x88\x80\x80\x80", 5, 0, "5-byte form" },
		{ "\xfc\x84\x80\x80\x80\x80", 6, 0, "6-byte form" },
		{ "\xfe", 1, 0, "byte FE" },
		{ "\xff", 1, 0, "byte FF" },
		{ "\x80", 1, 0, "lone continuation byte" },
		{ "a\xbf", 2, 0, "continuation after ASCII" },
		{ "\xc3", 1, 0, "truncated 2-byte" },
		{ "\xe2\x82", 2, 0, "truncated 3-byte" },
		{ "\xf0\x9f\x98", 3, 0, "truncated 4-byte" },
		{ "\xe2\x82" "a", 3, 0, "truncated 3-byte followed by ASCII" },
		{ "\xc3\xa9", 1, 0, "length cuts a sequence" },
		{ "\xc3\x28", 2, 0, "bad continuation" },
		{ "\xe2\x28\xa1", 3, 0, "bad first continuation of 3" },
		{ "\xe2\x82\x28", 3, 0, "bad second continuation of 3" },
		{ "\xf0\x28\x8c\xbc", 4, 0, "bad continuation of 4" },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		int got = venv_utf8_valid(cases[i].s, cases[i].len);

		ck_assert_msg(got == cases[i].want, "utf8_valid(%s): expected %d, saw %d",
			      cases[i].what, cases[i].want, got);
	}
}
END_TEST

START_TEST(test_path__utf8_valid_exhaustive_two_and_three_bytes)
{
	/* Cross-check the validator against the definition for every 2- and 3-byte form. */
	unsigned a, b, c;

	for (a = 0x80; a <= 0xff; a++) {
		for (b = 0; b <= 0xff; b++) {
			char s[2] = { (char)a, (char)b };
			int want = a >= 0xc2 && a <= 0xdf && (b & 0xc0) == 0x80;

			ck_assert_msg(venv_utf8_valid(s, 2) == want, "bytes %02x %02x: expected %d",
				      a, b, want);
		}
	}
	for (a = 0xe0; a <= 0xef; a++) {
		for (b = 0x80; b <= 0xbf; b++) {
			for (c = 0x80; c <= 0xbf; c++) {
				char s[3] = { (char)a, (char)b, (char)c };
				unsigned long cp = ((a & 0x0fUL) << 12) | ((b & 0x3fUL) << 6) | (c & 0x3f);
				int want = cp >= 0x800 && !(cp >= 0xd800 && cp <= 0xdfff);

				ck_assert_msg(venv_utf8_valid(s, 3) == want,
					      "bytes %02x %02x %02x (U+%04lX): expected %d", a, b, c,
					      cp, want);
			}
		}
	}
}
END_TEST

START_TEST(test_path__utf8_decode)
{
	static const struct {
		const char *s;
		unsigned long cp;
		size_t len;
	} cases[] = {
		{ "A", 0x41, 1 },
		{ "\xc3\xa9x", 0xe9, 2 },
		{ "\xe2\x80\xae", 0x202e, 3 },
		{ "\xe2\x80\xa8", 0x2028, 3 },
		{ "\xf0\x9f\x98\x80", 0x1f600, 4 },
		{ "\xf4\x8f\xbf\xbf", 0x10ffff, 4 },
	};
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		unsigned long cp = 0;
		size_t n = venv_utf8_decode(cases[i].s, &cp);

		ck_assert_msg(cp == cases[i].cp && n == cases[i].len,
			      "decode case %zu: expected U+%04lX/%zu, saw U+%04lX/%zu", i,
			      cases[i].cp, cases[i].len, cp, n);
	}
}
END_TEST

/* ---- search ---- */

START_TEST(test_path__search_on_path)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d1[PATH_MAX], d2[PATH_MAX], f[PATH_MAX + 32], pathvar[3 * PATH_MAX];

	unit_dir(d1, sizeof(d1), tmp_root, "search1");
	unit_dir(d2, sizeof(d2), tmp_root, "search2");
	PATHF(f, "%s/venv-prog", d2);
	unit_put(f, "#!/bin/sh\n", 0755);
	PATHF(f, "%s/venv-noexec", d1);
	unit_put(f, "data\n", 0644);
	PATHF(f, "%s/venv-noexec", d2);
	unit_put(f, "data\n", 0644);
	PATHF(f, "%s/venv-dir", d1);
	ck_assert_int_eq(mkdir(f, 0755), 0);

	PATHF(pathvar, "/nonexistent-venv-dir:%s:%s", d1, d2);
	ck_assert_int_eq(setenv("PATH", pathvar, 1), 0);

	ck_assert_int_eq(venv_path_search(&out, "venv-prog"), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/venv-prog", d2), 0);
	ck_assert_str_eq(out.buf, want.buf);

	/* Not executable anywhere, or a directory: not found. */
	ck_assert_int_eq(venv_path_search(&out, "venv-noexec"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_path_search(&out, "venv-dir"), VENV_ENOTFOUND);
	ck_assert_int_eq(venv_path_search(&out, "venv-missing"), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "'venv-missing'") != NULL,
		      "expected the message to name the program, saw '%s'", venv_error_last());

	/* The first PATH entry that has it wins. */
	PATHF(f, "%s/venv-prog", d1);
	unit_put(f, "#!/bin/sh\n", 0755);
	ck_assert_int_eq(venv_path_search(&out, "venv-prog"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/venv-prog", d1), 0);
	ck_assert_str_eq(out.buf, want.buf);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

START_TEST(test_path__search_relative_and_empty_entries)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PATH), want = VBUF_INIT(VBUF_MAX_PATH);
	char d[PATH_MAX], f[PATH_MAX + 32], *cwd;

	unit_dir(d, sizeof(d), tmp_root, "searchrel");
	PATHF(f, "%s/sub", d);
	ck_assert_int_eq(mkdir(f, 0755), 0);
	PATHF(f, "%s/sub/venv-sub-prog", d);
	unit_put(f, "#!/bin/sh\n", 0755);
	PATHF(f, "%s/venv-here-prog", d);
	unit_put(f, "#!/bin/sh\n", 0755);
	ck_assert_int_eq(chdir(d), 0);
	cwd = getcwd(NULL, 0);
	ck_assert_ptr_nonnull(cwd);

	/* An empty entry is the current directory; results are always absolute. */
	ck_assert_int_eq(setenv("PATH", "/nonexistent-venv-dir::sub", 1), 0);
	ck_assert_int_eq(venv_path_search(&out, "venv-here-prog"), 0);
	ck_assert_int_eq(vbuf_addf(&want, "%s/venv-here-prog", cwd), 0);
	ck_assert_str_eq(out.buf, want.buf);
	ck_assert_int_eq(venv_path_search(&out, "venv-sub-prog"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/sub/venv-sub-prog", cwd), 0);
	ck_assert_str_eq(out.buf, want.buf);

	ck_assert_int_eq(setenv("PATH", "sub:", 1), 0);
	ck_assert_int_eq(venv_path_search(&out, "venv-here-prog"), 0);
	vbuf_reset(&want);
	ck_assert_int_eq(vbuf_addf(&want, "%s/venv-here-prog", cwd), 0);
	ck_assert_str_eq(out.buf, want.buf);
	free(cwd);
	vbuf_release(&out);
	vbuf_release(&want);
}
END_TEST

static Suite *path_suite(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_path__normalize_like_posixpath);
	tcase_add_test(tc, test_path__normalize_is_idempotent);
	tcase_add_test(tc, test_path__normalize_replaces_output);
	tcase_add_test(tc, test_path__normalize_too_long);
	tcase_add_test(tc, test_path__normalize_matches_python);
	tcase_add_test(tc, test_path__dirname_basename_match_python);
	tcase_add_test(tc, test_path__abspath);
	tcase_add_test(tc, test_path__join);
	tcase_add_test(tc, test_path__join_too_long);
	tcase_add_test(tc, test_path__basename_dirname_like_posixpath);
	tcase_add_test(tc, test_path__relative_like_relpath);
	tcase_add_test(tc, test_path__relative_matches_python);
	tcase_add_test(tc, test_path__is_within_componentwise);
	tcase_add_test(tc, test_path__file_uri_round_trip);
	tcase_add_test(tc, test_path__utf8_valid);
	tcase_add_test(tc, test_path__utf8_valid_exhaustive_two_and_three_bytes);
	tcase_add_test(tc, test_path__utf8_decode);
	tcase_add_test(tc, test_path__search_on_path);
	tcase_add_test(tc, test_path__search_relative_and_empty_entries);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests change PATH and the working directory: keep each in its own process. */
	return unit_run_forked(path_suite());
}
