/*
 * Linked into every unit test program: before main() runs, give the program
 * a HOME, XDG_CACHE_HOME and VENV_CACHE_DIR of its own in a fresh temporary
 * directory, so that a test never reads or writes the user's ~/.cache/venv
 * (tests/run.sh does the same for the whole suite and sets VENV_TEST_HOME,
 * in which case this does nothing). PYENV_ROOT is pinned first, so that
 * tests still find pyenv's interpreters under the real home. The directory
 * is removed when the program that made it exits (not Check's forked
 * children, which exit too).
 */
#include "compat.h"
#include <ftw.h>

static char isolate_dir[PATH_MAX];
static pid_t isolate_pid;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0) {
		/* Best effort: a test that made a read-only tree cleans it itself. */
	}
	return 0;
}

static void isolate_cleanup(void)
{
	if (isolate_dir[0] && getpid() == isolate_pid)
		nftw(isolate_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

__attribute__((constructor)) static void isolate(void)
{
	const char *home = getenv("HOME"), *tmp = getenv("TMPDIR");
	char path[PATH_MAX];

	if (getenv("VENV_TEST_HOME"))
		return;
	if (!getenv("PYENV_ROOT") && home && *home &&
	    snprintf(path, sizeof(path), "%s/.pyenv", home) < (int)sizeof(path))
		setenv("PYENV_ROOT", path, 1);
	if (snprintf(isolate_dir, sizeof(isolate_dir), "%s/venv-unit.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(isolate_dir) ||
	    !mkdtemp(isolate_dir)) {
		fprintf(stderr, "unit test: cannot make a private HOME: %s\n", strerror(errno));
		exit(2);
	}
	isolate_pid = getpid();
	atexit(isolate_cleanup);
	setenv("HOME", isolate_dir, 1);
	setenv("VENV_TEST_HOME", isolate_dir, 1);
	if (snprintf(path, sizeof(path), "%s/.cache", isolate_dir) < (int)sizeof(path) &&
	    mkdir(path, 0700) == 0)
		setenv("XDG_CACHE_HOME", path, 1);
	if (snprintf(path, sizeof(path), "%s/.cache/venv", isolate_dir) < (int)sizeof(path))
		setenv("VENV_CACHE_DIR", path, 1);
}
