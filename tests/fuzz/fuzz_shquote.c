/*
 * FUZ-04: the shell quoting functions of common/shquote.c, differentially.
 *
 * The first byte picks the shell (and the locale it runs in), the rest is
 * the value (up to a NUL). When the quoting function accepts the value,
 * the real shell runs a one-line script that prints the quoted word, and
 * must print exactly the value's bytes; when it refuses, the value must
 * hold a line break or, for the shells that read their script as UTF-8
 * text, be invalid UTF-8 (the documented reasons, shquote.h). A shell that
 * is not installed is skipped. Spawning a shell per input is slow, which is
 * why the inputs are short (see FUZZ_OPTS_shquote).
 */
#include "compat.h"
#include "error.h"
#include "fs.h"
#include "fuzz.h"
#include "path.h"
#include "proc.h"
#include "shquote.h"

#define VALUE_MAX 160

struct shell {
	const char *name;
	enum venv_shell family;
	const char *pre, *post;   /* the script: pre WORD post */
	const char *flags;        /* one option that skips the user's configuration, or NULL */
};

static const struct shell shells[] = {
	{ "sh", VENV_SHELL_POSIX, "printf %s ", "\n", NULL },
	{ "bash", VENV_SHELL_POSIX, "printf %s ", "\n", "--norc" },
	{ "zsh", VENV_SHELL_POSIX, "printf %s ", "\n", "-f" },
	{ "dash", VENV_SHELL_POSIX, "printf %s ", "\n", NULL },
	{ "ksh", VENV_SHELL_POSIX, "printf %s ", "\n", NULL },
	{ "fish", VENV_SHELL_FISH, "printf %s ", "\n", "--no-config" },
	{ "tcsh", VENV_SHELL_CSH, "printf '%s' ", "\n", "-f" },
	{ "nu", VENV_SHELL_NU, "print -n ", "\n", "--no-config-file" },
	{ "pwsh", VENV_SHELL_PWSH, "[Console]::Out.Write(", ")\n", "-NoProfile" },
};
#define NSHELLS (sizeof(shells) / sizeof(shells[0]))

static char tmpdir[PATH_MAX];
static char paths[NSHELLS][PATH_MAX];  /* "" not looked up yet, "-" not installed */

static void cleanup(void)
{
	if (tmpdir[0])
		venv_fs_remove_tree(tmpdir);
}

static const char *find_program(size_t i)
{
	const char *path = getenv("PATH"), *p, *end;

	if (paths[i][0])
		return paths[i][0] == '-' ? NULL : paths[i];
	snprintf(paths[i], sizeof(paths[i]), "-");
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		char cand[PATH_MAX];

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p || snprintf(cand, sizeof(cand), "%.*s/%s", (int)(end - p), p,
					 shells[i].name) >= (int)sizeof(cand))
			continue;
		if (access(cand, X_OK) == 0) {
			snprintf(paths[i], sizeof(paths[i]), "%s", cand);
			break;
		}
	}
	return paths[i][0] == '-' ? NULL : paths[i];
}

static int setup(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0])
		return 0;
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/venv-fuzz-shquote-XXXXXX",
		     base && *base ? base : "/tmp") >= (int)sizeof(tmpdir) || !mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		return -1;
	}
	atexit(cleanup);
	return 0;
}

/* The documented reasons for a refusal. */
static int refusal_justified(const char *value, enum venv_shell family)
{
	const unsigned char *p;
	int text = family == VENV_SHELL_FISH || family == VENV_SHELL_NU ||
		   family == VENV_SHELL_PWSH || family == VENV_SHELL_CSH;

	for (p = (const unsigned char *)value; *p; p++)
		if (*p == '\n' || *p == '\r' || (p[0] == 0xc2 && p[1] == 0x85) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
			return 1;
	return text && !venv_utf8_valid(value, strlen(value));
}

static void report(const char *shell, const char *value, const struct vbuf *word,
		   const struct vbuf *seen, int status)
{
	struct vbuf a = VBUF_INIT(VBUF_MAX_LINE), b = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf c = VBUF_INIT(VBUF_MAX_LINE);

	venv_str_escape(&a, value);
	venv_str_escape(&b, word->buf);
	venv_str_escape(&c, seen->buf ? seen->buf : "");
	fprintf(stderr, "shquote: %s read back '%s' (exit %d) from the word '%s', expected '%s'\n",
		shell, c.buf ? c.buf : "", status, b.buf ? b.buf : "", a.buf ? a.buf : "");
	vbuf_release(&a);
	vbuf_release(&b);
	vbuf_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char value[VALUE_MAX + 1], script[PATH_MAX], home[PATH_MAX];
	struct vbuf word = VBUF_INIT(VBUF_MAX_LINE), text = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf seen = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_env env = VENV_ENV_INIT;
	const struct shell *sh;
	const char *prog, *argv[4];
	struct venv_proc p;
	size_t n, i;
	int status = -1, error, fd;

	if (size < 1 || size > VALUE_MAX + 1)
		return 0;
	i = (size_t)(data[0] & 0x7f) % NSHELLS;
	sh = &shells[i];
	n = size - 1;
	memcpy(value, data + 1, n);
	value[n] = '\0';

	error = venv_shquote(&word, sh->family, value);
	if (error < 0) {
		if (!refusal_justified(value, sh->family)) {
			fprintf(stderr, "shquote: %s refused a value it can carry: %s\n",
				venv_shell_name(sh->family), venv_error_last());
			abort();
		}
		goto done;
	}
	/* Never both: a refusal reason and an accepted word. */
	if (refusal_justified(value, sh->family))
		abort();
	if (!(prog = find_program(i)) || setup() < 0)
		goto done;

	snprintf(script, sizeof(script), "%s/script", tmpdir);
	snprintf(home, sizeof(home), "%s/home", tmpdir);
	mkdir(home, 0700);
	if (vbuf_adds(&text, sh->pre) < 0 || vbuf_add(&text, word.buf, word.len) < 0 ||
	    vbuf_adds(&text, sh->post) < 0)
		goto done;
	fd = open(script, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto done;
	if (write(fd, text.buf, text.len) != (ssize_t)text.len) {
		close(fd);
		goto done;
	}
	close(fd);

	/* A clean environment; bit 7 of the selector picks the locale. */
	if (venv_env_set(&env, "PATH", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin") < 0 ||
	    venv_env_set(&env, "HOME", home) < 0 ||
	    venv_env_set(&env, "XDG_CONFIG_HOME", home) < 0 ||
	    venv_env_set(&env, "XDG_DATA_HOME", home) < 0 ||
	    venv_env_set(&env, "XDG_CACHE_HOME", home) < 0 ||
	    venv_env_set(&env, "TERM", "dumb") < 0 ||
	    venv_env_set(&env, "LC_ALL", (data[0] & 0x80) ? "C" : "C.UTF-8") < 0)
		goto done;
	n = 0;
	argv[n++] = prog;
	if (sh->flags)
		argv[n++] = sh->flags;
	argv[n++] = script;
	argv[n] = NULL;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.env = &env;
	p.cwd = tmpdir;
	p.flags = VENV_PROC_CAPTURE | VENV_PROC_QUIET;
	p.output = &seen;
	if (venv_proc_run(&p, &status) < 0)
		goto done;
	if (status != 0 || seen.len != strlen(value) ||
	    (seen.len && memcmp(seen.buf, value, seen.len))) {
		report(sh->name, value, &word, &seen, status);
		abort();
	}
done:
	venv_env_release(&env);
	vbuf_release(&word);
	vbuf_release(&text);
	vbuf_release(&seen);
	return 0;
}
