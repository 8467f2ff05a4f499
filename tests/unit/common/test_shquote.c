#include "compat.h"
#include <dirent.h>
#include <check.h>
#include "error.h"
#include "proc.h"
#include "shquote.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("shquote")

/*
 * Unit tests for common/shquote.c. The quoting functions are checked the
 * only way that means anything: their output is handed to the real shell,
 * which prints the word back, and the bytes must equal the value. Each shell
 * reads one script holding every value of a fixed corpus of hostile
 * strings and of a few hundred random ones; it runs in an empty directory
 * that must stay empty, since many values try to create files there.
 * csh and tcsh also read the script as an interactive shell and through
 * -c, where history substitution differs. PowerShell cannot be installed
 * here: its strings are checked against a model of PowerShell's tokenizer
 * (rules of tokenizer.cs, ScanStringLiteral), not against PowerShell.
 *
 * A shell that is not installed is skipped with a note, or fails the test
 * when CI is set.
 */

/* The hostile corpus (security.md section A), as in the CLI tests. */
static const char *const corpus[] = {
	"", "a", "plain-name_1.2", "with space", "\t", "a\tb",
	"\";touch S01;\"", "';touch S02;':", "\"';&&$e|'\"",
	"'\";&&e-$ \xc3\xa8\xd1\x80\xd1\x82\xf0\x9f\x9a\x92\xe2\x99\x9e\xe4\xb8\xad\xe7\x89\x87-j",
	"$(touch S03)", "`touch S04`", "$(touch${IFS}S05)", "(touch S06)", "{touch S07}",
	"\\w \\u \\$ \\[ \\] \\! \\\\", "%F{red}%n%(?.a.b)%% %{x%} %$HOME %",
	"a\\", "\\", "\\\\", "\\'", "\\'$(touch S08)\"\\'", "'\\''", "a\\'b\\\\'c",
	"py!env", "!!", "!$", "!#", "a\\!b", "a\\\\!b", "!", "!x:q", "^a^b", "a!=b", "!(x)",
	"x\xe2\x80\x99; touch S09; \xe2\x80\x99",
	"\xe2\x80\x98\xe2\x80\x9a\xe2\x80\x9b''\xe2\x80\x99", "\xe2\x80\x98", "\xe2\x80\x99'",
	"\xe2\x80\x9c\xe2\x80\x9d\xe2\x80\x9e\"", "$(calc)`n`$x",
	"'#", "'##", "a'###b", "r#'x'#", "#", "'", "''", "'''", "\"", "\"\"",
	";&|<>(){}[]*?~#^=", "  two  spaces  ", "-n", "--", "-e \\n",
	"$HOME${PATH}$$ $?x $x:q ${x:-y} $x", "${", "$", "$'x'", "$\"x\"",
	"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x9a\x92 \xe2\x80\xaeRTL\xe2\x80\xac \xe2\x81\xa6iso\xe2\x81\xa9 "
	"zw\xe2\x80\x8bj\xef\xbb\xbf",
	"\xef\xa3\xbf\xef\x98\x80\xef\xb7\x90\xf4\x8f\xbf\xbf",
	"__VENV_DIR__ __VENV_PROMPT__", "#not a comment", "a # b",
	"$(touch S10)`touch S10`\"$(touch S10)\"'$(touch S10)'",
	"%", "%%", "%n", "%$VIRTUAL_ENV", "~", "~root", "*", "?", "[a]", "{a,b}",
	"\x01\x1b[31m\x7f",
	"=ls", "=", "a=b", "a:=ls", "a:~", "%1", "@", "+x", "-", ",", ".", "..", ":", "=:a", "/=ls",
};

/*
 * Refused by every family (line breaks), or not UTF-8: shells that read
 * bytes must carry those, the others refuse them.
 */
static const char *const refused_by_some[] = {
	"a\nb", "\r", "\xc2\x85", "a\xe2\x80\xa8", "\xe2\x80\xa9",
	"\xff", "a\xc3", "\xe2\x80", "\xc0\xaf", "\xed\xa0\x80", "'\x80'\\\xfe!",
};

/* Random values: an LCG with a fixed seed, over characters that matter. */
static unsigned long rng_state = 20241127UL;

static unsigned rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng_state >> 33);
}

static const char *const alphabet[] = {
	"'", "\"", "\\", "$", "`", "(", ")", "{", "}", "[", "]", "!", "%", "#", "&", "|",
	";", "<", ">", "*", "?", "~", "^", " ", "\t", "=", ":", ",", "-", "@", "+", "/",
	"a", "Z", "0", "x", "r", "n", "q",
	"\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x9a", "\xe2\x80\x9b", "\xe2\x80\x9c",
	"\xe2\x80\x9d", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x9a\x92", "\xe2\x80\xae",
	"\xe2\x80\x8b", "\xef\xbb\xbf",
};

#define NR_RANDOM 300

static void random_value(struct vbuf *out)
{
	unsigned n = rng() % 24, i;

	vbuf_reset(out);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(vbuf_adds(out, alphabet[rng() % VENV_ARRAY_SIZE(alphabet)]), 0);
}

/* All values: the corpus, then the random ones. */
static char **values;
static size_t nr_values;

static void values_setup(void)
{
	struct vbuf v = VBUF_INIT(4096);
	size_t i;

	nr_values = VENV_ARRAY_SIZE(corpus) + VENV_ARRAY_SIZE(refused_by_some) + NR_RANDOM;
	values = calloc(nr_values, sizeof(*values));
	ck_assert_ptr_nonnull(values);
	for (i = 0; i < VENV_ARRAY_SIZE(corpus); i++)
		values[i] = strdup(corpus[i]);
	for (; i < VENV_ARRAY_SIZE(corpus) + VENV_ARRAY_SIZE(refused_by_some); i++)
		values[i] = strdup(refused_by_some[i - VENV_ARRAY_SIZE(corpus)]);
	for (; i < nr_values; i++) {
		random_value(&v);
		values[i] = strdup(v.buf);
	}
	for (i = 0; i < nr_values; i++)
		ck_assert_ptr_nonnull(values[i]);
	vbuf_release(&v);
}

static void values_teardown(void)
{
	size_t i;

	for (i = 0; i < nr_values; i++)
		free(values[i]);
	free(values);
}

static void setup(void)
{
	tmp_setup();
	values_setup();
}

static void teardown(void)
{
	values_teardown();
	tmp_teardown();
}

/* Find a program on PATH; 0 when it is not there. */
static int find_program(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *end;

	if (!path)
		return 0;
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;
		if (snprintf(out, size, "%.*s/%s", (int)(end - p), p, name) < (int)size &&
		    access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Whether a missing shell fails the test (in CI) or skips that shell. */
static int need_shell(const char *name, char *path, size_t size)
{
	if (find_program(name, path, size))
		return 1;
	ck_assert_msg(!getenv("CI"), "expected the shell '%s' to be installed in CI", name);
	fprintf(stderr, "note: %s is not installed, skipped\n", name);
	return 0;
}

/* Does this shell family carry this value, or refuse it? */
static int quotable(enum venv_shell shell, const char *value)
{
	struct vbuf q = VBUF_INIT(VBUF_MAX_SCRIPT);
	int error = venv_shquote(&q, shell, value);

	vbuf_release(&q);
	return error == 0;
}

/*
 * Write the script: one line per value the family accepts, printing the
 * value and a newline to $O (appended) or to stdout for nu. Values with a
 * line break are never quotable, so a newline separates values safely.
 * csh has no printf of its own: there each line prints several values, each
 * its own quoted word (a word that ran into the next, or ended the line,
 * shows as values that do not read back), so that csh starts one printf per
 * line and not per value, which cost most of this test.
 */
static void write_script(const char *file, enum venv_shell shell, int assign)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_SCRIPT);
	size_t i, line = 0, words = 0;
	int fd;

	for (i = 0; i < nr_values; i++) {
		if (!quotable(shell, values[i]))
			continue;
		if (shell == VENV_SHELL_CSH && !assign) {
			/* Lines well under csh's limits: 8 words, about 400 bytes. */
			if (!words) {
				line = text.len;
				ck_assert_int_eq(vbuf_adds(&text, "printf '%s\\n'"), 0);
			}
			ck_assert_int_eq(vbuf_adds(&text, " "), 0);
			ck_assert_int_eq(venv_shquote(&text, shell, values[i]), 0);
			if (++words == 8 || text.len - line > 400) {
				ck_assert_int_eq(vbuf_adds(&text, " >>\"$O\"\n"), 0);
				words = 0;
			}
			continue;
		}
		if (assign) {
			/* sh: the value of an assignment, as in VIRTUAL_ENV=... */
			ck_assert_int_eq(vbuf_adds(&text, "X="), 0);
			ck_assert_int_eq(venv_shquote(&text, shell, values[i]), 0);
			ck_assert_int_eq(vbuf_adds(&text, "; printf '%s\\n' \"$X\" >>\"$O\"\n"), 0);
			continue;
		}
		/* An argument, as in setenv or set -gx, or an expression for nu. */
		ck_assert_int_eq(vbuf_adds(&text, shell == VENV_SHELL_NU ? "print " :
					   "printf '%s\\n' "), 0);
		ck_assert_int_eq(venv_shquote(&text, shell, values[i]), 0);
		ck_assert_int_eq(vbuf_adds(&text, shell == VENV_SHELL_NU ? "\n" :
					   shell == VENV_SHELL_FISH ? " >>$O\n" : " >>\"$O\"\n"), 0);
	}
	if (words)
		ck_assert_int_eq(vbuf_adds(&text, " >>\"$O\"\n"), 0);
	if (shell != VENV_SHELL_NU)
		ck_assert_int_eq(vbuf_adds(&text, "exit 0\n"), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "cannot create '%s'", file);
	ck_assert_int_eq(write(fd, text.buf, text.len), (ssize_t)text.len);
	close(fd);
	vbuf_release(&text);
}

static void read_file(const char *file, struct vbuf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	vbuf_reset(out);
	if (fd < 0)
		return;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(vbuf_add(out, chunk, (size_t)n), 0);
	close(fd);
}

/* Show a value with its bytes escaped, for failure messages. */
static const char *show(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/*
 * Compare what the shell printed (one value per line) with the values the
 * family accepts, in order, byte for byte.
 */
static void compare_output(const char *what, enum venv_shell shell, const struct vbuf *got)
{
	size_t i, pos = 0, checked = 0;
	char a[2048], b[2048];

	for (i = 0; i < nr_values; i++) {
		const char *nl;
		size_t len = strlen(values[i]);

		if (!quotable(shell, values[i]))
			continue;
		nl = pos < got->len ? memchr(got->buf + pos, '\n', got->len - pos) : NULL;
		ck_assert_msg(nl, "%s: expected value %zu '%s', saw the output end", what, i,
			      show(values[i], len, a, sizeof(a)));
		ck_assert_msg((size_t)(nl - (got->buf + pos)) == len &&
			      !memcmp(got->buf + pos, values[i], len),
			      "%s: expected value %zu to read back as '%s', saw '%s'", what, i,
			      show(values[i], len, a, sizeof(a)),
			      show(got->buf + pos, (size_t)(nl - (got->buf + pos)), b, sizeof(b)));
		pos = (size_t)(nl - got->buf) + 1;
		checked++;
	}
	ck_assert_msg(pos == got->len, "%s: expected the output to end after %zu values, "
		      "saw more: '%s'", what, checked,
		      show(got->buf + pos, got->len - pos, a, sizeof(a)));
	ck_assert_msg(checked > nr_values / 2, "%s: expected most values to be accepted, "
		      "only %zu of %zu were", what, checked, nr_values);
}

/* The sentinel directory must still be empty. */
static void assert_empty(const char *what, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."),
			      "%s: a value ran a command: '%s' appeared", what, de->d_name);
	closedir(d);
}

/*
 * Run one shell on the script: argv holds the script's path where "SCRIPT"
 * stands. Output comes from $O, or stdout when `capture`; `assign` puts
 * the values in assignments instead of arguments.
 */
static void run_one(const char *what, enum venv_shell shell, const char *const *argv_in,
		    int capture, int assign)
{
	char script[PATH_MAX], out[PATH_MAX], sent[PATH_MAX], home[PATH_MAX];
	const char *argv[12];
	char *expanded[12] = { NULL };
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf got = VBUF_INIT(VBUF_MAX_SCRIPT);
	struct venv_proc p;
	int status = -1, i;

	PATHF(script, "%s/script", tmp_root);
	PATHF(out, "%s/out", tmp_root);
	PATHF(sent, "%s/sentinel", tmp_root);
	PATHF(home, "%s/home", tmp_root);
	rm_rf_at(AT_FDCWD, sent);
	unlink(out);
	ck_assert_int_eq(mkdir(sent, 0755), 0);
	if (mkdir(home, 0755) < 0)
		ck_assert_int_eq(errno, EEXIST);
	write_script(script, shell, assign);
	for (i = 0; argv_in[i] && i < 11; i++) {
		const char *at = strstr(argv_in[i], "SCRIPT");

		argv[i] = argv_in[i];
		if (at) {
			size_t n = strlen(argv_in[i]) + strlen(script) + 1;

			expanded[i] = malloc(n);
			ck_assert_ptr_nonnull(expanded[i]);
			snprintf(expanded[i], n, "%.*s%s%s", (int)(at - argv_in[i]), argv_in[i],
				 script, at + 6);
			argv[i] = expanded[i];
		}
	}
	argv[i] = NULL;
	ck_assert_int_eq(venv_env_set(&env, "PATH", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"), 0);
	ck_assert_int_eq(venv_env_set(&env, "HOME", home), 0);
	ck_assert_int_eq(venv_env_set(&env, "LANG", "C.UTF-8"), 0);
	ck_assert_int_eq(venv_env_set(&env, "LC_ALL", "C.UTF-8"), 0);
	ck_assert_int_eq(venv_env_set(&env, "TERM", "dumb"), 0);
	ck_assert_int_eq(venv_env_set(&env, "O", out), 0);
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.env = &env;
	p.cwd = sent;
	p.flags = capture ? VENV_PROC_CAPTURE : VENV_PROC_QUIET;
	p.output = &got;
	ck_assert_msg(venv_proc_run(&p, &status) == 0, "%s: cannot run '%s': %s", what, argv[0],
		      venv_error_last());
	if (!capture)
		read_file(out, &got);
	/* The values first: a value that broke the script shows up there. */
	compare_output(what, shell, &got);
	ck_assert_msg(status == 0, "%s: expected exit status 0, saw %d", what, status);
	assert_empty(what, sent);
	for (i = 0; i < 12; i++)
		free(expanded[i]);
	venv_env_release(&env);
	vbuf_release(&got);
}

/* sh quoting, as an argument and as an assignment's value. */
static void posix_both(const char *what, const char *const *argv)
{
	char label[64];

	snprintf(label, sizeof(label), "%s argument", what);
	run_one(label, VENV_SHELL_POSIX, argv, 0, 0);
	snprintf(label, sizeof(label), "%s assignment", what);
	run_one(label, VENV_SHELL_POSIX, argv, 0, 1);
}

START_TEST(test_shquote__posix_in_bash_dash_zsh_ksh)
{
	char sh[PATH_MAX];

	if (need_shell("bash", sh, sizeof(sh))) {
		const char *a[] = { sh, "--norc", "--noprofile", "SCRIPT", NULL };
		const char *b[] = { sh, "--posix", "SCRIPT", NULL };

		posix_both("bash", a);
		posix_both("bash --posix", b);
	}
	if (need_shell("dash", sh, sizeof(sh))) {
		const char *a[] = { sh, "SCRIPT", NULL };

		posix_both("dash", a);
	}
	if (need_shell("zsh", sh, sizeof(sh))) {
		const char *a[] = { sh, "-f", "SCRIPT", NULL };
		const char *b[] = { sh, "-f", "-o", "ksh_arrays", "-o", "rc_quotes",
				    "-o", "magic_equal_subst", "SCRIPT", NULL };

		posix_both("zsh", a);
		posix_both("zsh with rc_quotes", b);
	}
	if (need_shell("ksh", sh, sizeof(sh))) {
		const char *a[] = { sh, "SCRIPT", NULL };

		posix_both("ksh", a);
	}
}
END_TEST

START_TEST(test_shquote__fish_in_fish)
{
	char sh[PATH_MAX];

	if (need_shell("fish", sh, sizeof(sh))) {
		const char *a[] = { sh, "--no-config", "SCRIPT", NULL };

		run_one("fish", VENV_SHELL_FISH, a, 0, 0);
	}
}
END_TEST

static void csh_family(const char *name)
{
	char sh[PATH_MAX], shell[PATH_MAX], what[64];

	if (!need_shell(name, sh, sizeof(sh)))
		return;
	ck_assert(find_program("sh", shell, sizeof(shell)));
	{
		const char *a[] = { sh, "-f", "SCRIPT", NULL };
		const char *b[] = { sh, "-f", "-c", "source SCRIPT", NULL };
		/* Interactive: history substitution is on for sourced lines. */
		const char *c[] = { shell, "-c", "exec \"$0\" -f -i <\"$1\" >/dev/null 2>&1", sh,
				    "SCRIPT", NULL };

		snprintf(what, sizeof(what), "%s script", name);
		run_one(what, VENV_SHELL_CSH, a, 0, 0);
		snprintf(what, sizeof(what), "%s -c source", name);
		run_one(what, VENV_SHELL_CSH, b, 0, 0);
		snprintf(what, sizeof(what), "%s interactive", name);
		run_one(what, VENV_SHELL_CSH, c, 0, 0);
	}
}

START_TEST(test_shquote__csh_in_tcsh_and_csh)
{
	csh_family("tcsh");
	csh_family("csh");
}
END_TEST

START_TEST(test_shquote__nu_in_nu)
{
	char sh[PATH_MAX];

	if (need_shell("nu", sh, sizeof(sh))) {
		const char *a[] = { sh, "--no-config-file", "SCRIPT", NULL };

		run_one("nu", VENV_SHELL_NU, a, 1, 0);
	}
}
END_TEST

/*
 * PowerShell's single-quoted string, as its tokenizer reads one: the five
 * quote characters open and close it, and two of them in a row stand for
 * the second one. Returns the bytes consumed (0 if `s` is not a complete
 * string) and the decoded value in `out`.
 */
static int pwsh_quote_char(const unsigned char *p)
{
	if (p[0] == '\'')
		return 1;
	if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x98 && p[2] <= 0x9b)
		return 3;
	return 0;
}

static size_t pwsh_read_string(const char *s, struct vbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	int q = pwsh_quote_char(p);

	vbuf_reset(out);
	if (!q)
		return 0;
	p += q;
	while (*p) {
		if ((q = pwsh_quote_char(p))) {
			int q2 = pwsh_quote_char(p + q);

			if (!q2)
				return (size_t)((const char *)(p + q) - s);
			ck_assert_int_eq(vbuf_add(out, p + q, (size_t)q2), 0);
			p += q + q2;
		} else {
			ck_assert_int_eq(vbuf_addch(out, *p), 0);
			p++;
		}
	}
	return 0;
}

START_TEST(test_shquote__pwsh_against_tokenizer_model)
{
	struct vbuf q = VBUF_INIT(VBUF_MAX_SCRIPT), dec = VBUF_INIT(VBUF_MAX_SCRIPT);
	char a[2048], b[2048];
	size_t i;

	for (i = 0; i < nr_values; i++) {
		size_t used;

		vbuf_reset(&q);
		if (venv_shquote_pwsh(&q, values[i]) < 0)
			continue;
		used = pwsh_read_string(q.buf, &dec);
		ck_assert_msg(used == q.len, "expected '%s' to be one whole string, it ends "
			      "after %zu of %zu bytes", show(q.buf, q.len, a, sizeof(a)), used, q.len);
		ck_assert_msg(dec.len == strlen(values[i]) && !memcmp(dec.buf, values[i], dec.len),
			      "expected '%s' to read back as '%s', saw '%s'",
			      show(q.buf, q.len, a, sizeof(a)),
			      show(values[i], strlen(values[i]), b, sizeof(b)),
			      show(dec.buf, dec.len, b, sizeof(b)));
	}
	vbuf_release(&q);
	vbuf_release(&dec);
}
END_TEST

START_TEST(test_shquote__pwsh_doubles_every_quote)
{
	struct vbuf q = VBUF_INIT(4096);

	ck_assert_int_eq(venv_shquote_pwsh(&q, "x\xe2\x80\x99; calc; \xe2\x80\x99"), 0);
	ck_assert_str_eq(q.buf, "'x\xe2\x80\x99\xe2\x80\x99; calc; \xe2\x80\x99\xe2\x80\x99'");
	vbuf_reset(&q);
	ck_assert_int_eq(venv_shquote_pwsh(&q, "'\xe2\x80\x98\xe2\x80\x9a\xe2\x80\x9b"), 0);
	ck_assert_str_eq(q.buf, "'''\xe2\x80\x98\xe2\x80\x98\xe2\x80\x9a\xe2\x80\x9a"
			 "\xe2\x80\x9b\xe2\x80\x9b'");
	vbuf_release(&q);
}
END_TEST

START_TEST(test_shquote__known_forms)
{
	static const struct {
		enum venv_shell shell;
		const char *in, *out;
	} cases[] = {
		{ VENV_SHELL_POSIX, "/tmp/env", "/tmp/env" },
		{ VENV_SHELL_POSIX, "", "''" },
		{ VENV_SHELL_POSIX, "it's", "'it'\"'\"'s'" },
		{ VENV_SHELL_POSIX, "=ls", "'=ls'" },
		{ VENV_SHELL_POSIX, "a:=b", "'a:=b'" },
		{ VENV_SHELL_FISH, "a\\", "'a\\\\'" },
		{ VENV_SHELL_FISH, "\\'$(x)\"\\'", "'\\\\\\'$(x)\"\\\\\\''" },
		{ VENV_SHELL_CSH, "py!env", "'py\\!env'" },
		{ VENV_SHELL_CSH, "it's", "'it'\\''s'" },
		{ VENV_SHELL_NU, "a", "r#'a'#" },
		{ VENV_SHELL_NU, "'##", "r###''##'###" },
		{ VENV_SHELL_PWSH, "it's", "'it''s'" },
		{ VENV_SHELL_RAW, "a b", "a b" },
	};
	struct vbuf q = VBUF_INIT(4096);
	size_t i;

	for (i = 0; i < VENV_ARRAY_SIZE(cases); i++) {
		vbuf_reset(&q);
		ck_assert_int_eq(venv_shquote(&q, cases[i].shell, cases[i].in), 0);
		ck_assert_msg(!strcmp(q.buf, cases[i].out), "%s: expected %s to quote as %s, saw %s",
			      venv_shell_name(cases[i].shell), cases[i].in, cases[i].out, q.buf);
	}
	vbuf_release(&q);
}
END_TEST

START_TEST(test_shquote__line_breaks_refused_everywhere)
{
	static const char *const bad[] = {
		"a\nb", "a\rb", "\n", "a\xc2\x85", "\xe2\x80\xa8", "x\xe2\x80\xa9y",
	};
	struct vbuf q = VBUF_INIT(4096);
	size_t i;
	int shell;

	for (i = 0; i < VENV_ARRAY_SIZE(bad); i++) {
		for (shell = 0; shell < VENV_SHELL_COUNT; shell++) {
			vbuf_reset(&q);
			ck_assert_msg(venv_shquote(&q, (enum venv_shell)shell, bad[i]) == VENV_EINVAL,
				      "expected %s to refuse a line break",
				      venv_shell_name((enum venv_shell)shell));
			ck_assert_msg(strstr(venv_error_last(), venv_shell_name((enum venv_shell)shell)),
				      "expected the message to name %s, saw '%s'",
				      venv_shell_name((enum venv_shell)shell), venv_error_last());
		}
		ck_assert_int_eq(venv_shquote_check_all(bad[i], "prompt"), VENV_EINVAL);
		ck_assert_msg(strstr(venv_error_last(), "prompt"),
			      "expected the message to name the prompt, saw '%s'", venv_error_last());
	}
	vbuf_release(&q);
}
END_TEST

START_TEST(test_shquote__invalid_utf8_refused_by_text_shells)
{
	struct vbuf q = VBUF_INIT(4096);

	/* sh reads bytes; nu, PowerShell and csh would change them. */
	ck_assert_int_eq(venv_shquote_posix(&q, "a\xff"), 0);
	ck_assert_str_eq(q.buf, "'a\xff'");
	vbuf_reset(&q);
	ck_assert_int_eq(venv_shquote_nu(&q, "a\xff"), VENV_EINVAL);
	/* tcsh in a UTF-8 locale read this back without its \xfd (fuzz_shquote). */
	ck_assert_int_eq(venv_shquote_csh(&q, "Ha\xfd\xba\xba\xba\xba\xba\xba\""), VENV_EINVAL);
	ck_assert_int_eq(venv_shquote_pwsh(&q, "a\xc3"), VENV_EINVAL);
	ck_assert_int_eq(venv_shquote_check_all("\xe2\x80", "environment path"), VENV_EINVAL);
	ck_assert_msg(strstr(venv_error_last(), "UTF-8"), "expected the message to say UTF-8, "
		      "saw '%s'", venv_error_last());
	vbuf_release(&q);
}
END_TEST

START_TEST(test_shquote__check_all_accepts_the_corpus)
{
	size_t i;

	/* Everything but line breaks and broken UTF-8 can be carried. */
	for (i = 0; i < VENV_ARRAY_SIZE(corpus); i++)
		ck_assert_msg(venv_shquote_check_all(corpus[i], "prompt") == 0,
			      "expected '%s' to be accepted, saw: %s", corpus[i], venv_error_last());
}
END_TEST

START_TEST(test_shquote__shell_for_script)
{
	ck_assert_int_eq(venv_shell_for_script("activate"), VENV_SHELL_POSIX);
	ck_assert_int_eq(venv_shell_for_script("activate.fish"), VENV_SHELL_FISH);
	ck_assert_int_eq(venv_shell_for_script("activate.csh"), VENV_SHELL_CSH);
	ck_assert_int_eq(venv_shell_for_script("activate.nu"), VENV_SHELL_NU);
	ck_assert_int_eq(venv_shell_for_script("Activate.ps1"), VENV_SHELL_PWSH);
	ck_assert_int_eq(venv_shell_for_script("activate.bat"), VENV_SHELL_RAW);
	ck_assert_int_eq(venv_shell_for_script("activate_this.py"), VENV_SHELL_RAW);
	ck_assert_str_eq(venv_shell_name(VENV_SHELL_PWSH), "powershell");
}
END_TEST

static Suite *shquote_suite(void)
{
	Suite *s = suite_create("shquote");
	TCase *tc = tcase_create("core");
	TCase *shells = tcase_create("shells");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_shquote__known_forms);
	tcase_add_test(tc, test_shquote__line_breaks_refused_everywhere);
	tcase_add_test(tc, test_shquote__invalid_utf8_refused_by_text_shells);
	tcase_add_test(tc, test_shquote__check_all_accepts_the_corpus);
	tcase_add_test(tc, test_shquote__shell_for_script);
	tcase_add_test(tc, test_shquote__pwsh_doubles_every_quote);
	tcase_add_test(tc, test_shquote__pwsh_against_tokenizer_model);
	suite_add_tcase(s, tc);

	/* Real shells: a few seconds in all, more under valgrind or sanitizers. */
	tcase_set_timeout(shells, 120);
	tcase_add_checked_fixture(shells, setup, teardown);
	tcase_add_test(shells, test_shquote__posix_in_bash_dash_zsh_ksh);
	tcase_add_test(shells, test_shquote__fish_in_fish);
	tcase_add_test(shells, test_shquote__csh_in_tcsh_and_csh);
	tcase_add_test(shells, test_shquote__nu_in_nu);
	suite_add_tcase(s, shells);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shquote_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
