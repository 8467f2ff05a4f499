#include "compat.h"
#include <dirent.h>
#include <check.h>
#include "error.h"
#include "proc.h"
#include "vbuf.h"
#include "../unit.h"

UNIT_TMPDIR("proc")

/*
 * Unit tests for common/proc.c: environment blocks and running a child
 * with /bin/sh, the way the library runs interpreters and pip.
 */

extern char **environ;

/*
 * Run `/bin/sh -c script [args...]` with the given flags, environment and
 * directory; the captured output goes to `out` (may be NULL).
 */
static int run_sh(const char *script, const char *const *args, unsigned flags,
		  const struct venv_env *env, const char *cwd, struct vbuf *out, int *status)
{
	const char *argv[16];
	struct venv_proc p;
	size_t n = 0;

	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n++] = "sh";
	while (args && *args && n < VENV_ARRAY_SIZE(argv) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	memset(&p, 0, sizeof(p));
	p.argv = argv;
	p.env = env;
	p.cwd = cwd;
	p.flags = flags;
	p.output = out;
	*status = -1;
	return venv_proc_run(&p, status);
}

/* Capture the stdout of a script; asserts it ran. */
static void capture(const char *script, const struct venv_env *env, struct vbuf *out,
		    int *status)
{
	vbuf_reset(out);
	ck_assert_msg(run_sh(script, NULL, VENV_PROC_CAPTURE, env, NULL, out, status) == 0,
		      "could not run '%s': %s", script, venv_error_last());
}

static size_t count_named(const struct venv_env *env, const char *name)
{
	size_t i, n = 0, l = strlen(name);

	for (i = 0; i < env->nr; i++)
		if (!strncmp(env->vars[i], name, l) && env->vars[i][l] == '=')
			n++;
	ck_assert_ptr_null(env->vars[env->nr]);
	return n;
}

/* ---- running ---- */

START_TEST(test_proc__capture_stdout_and_status)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	capture("echo hello; printf 'a\\0b'", NULL, &out, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_uint_eq(out.len, 9);
	ck_assert_mem_eq(out.buf, "hello\na\0b", 9);
	capture("exit 7", NULL, &out, &status);
	ck_assert_int_eq(status, 7);
	ck_assert_uint_eq(out.len, 0);
	capture("exit 255", NULL, &out, &status);
	ck_assert_int_eq(status, 255);
	capture("echo partial; exit 3", NULL, &out, &status);
	ck_assert_int_eq(status, 3);
	ck_assert_str_eq(out.buf, "partial\n");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__arguments_passed_verbatim)
{
	static const char *const args[] = { "a b", "c'd", "$HOME", "", "*", "e\nf", NULL };
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	ck_assert_int_eq(run_sh("for a; do printf '[%s]' \"$a\"; done", args, VENV_PROC_CAPTURE,
				NULL, NULL, &out, &status), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out.buf, "[a b][c'd][$HOME][][*][e\nf]");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__stderr_separate_or_merged)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	/* Without MERGE, stderr is not captured (QUIET keeps it off the test log). */
	ck_assert_int_eq(run_sh("echo out; echo err >&2; echo out2", NULL,
				VENV_PROC_CAPTURE | VENV_PROC_QUIET, NULL, NULL, &out, &status), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out.buf, "out\nout2\n");
	vbuf_reset(&out);
	ck_assert_int_eq(run_sh("echo out; echo err >&2; echo out2", NULL,
				VENV_PROC_CAPTURE | VENV_PROC_MERGE_STDERR, NULL, NULL, &out,
				&status), 0);
	ck_assert_str_eq(out.buf, "out\nerr\nout2\n");
	vbuf_release(&out);
}
END_TEST

/* Run with our fd 2 sent to a file; returns what the child wrote there. */
static char *stderr_of(const char *script, unsigned flags, int *status)
{
	char path[PATH_MAX];
	struct vbuf got = VBUF_INIT(VBUF_MAX_PROBE);
	char chunk[4096];
	ssize_t n;
	int fd, saved;

	PATHF(path, "%s/stderr-XXXXXX", tmp_root);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	ck_assert_int_eq(run_sh(script, NULL, flags, NULL, NULL, NULL, status), 0);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(vbuf_add(&got, chunk, (size_t)n), 0);
	close(fd);
	unlink(path);
	return vbuf_detach(&got, NULL);
}

START_TEST(test_proc__stdout_to_stderr_and_quiet)
{
	int status;
	char *s;

	s = stderr_of("echo shown; echo also >&2", VENV_PROC_STDOUT_TO_STDERR, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(s, "shown\nalso\n");
	free(s);
	s = stderr_of("echo hidden >&2; exit 4", VENV_PROC_QUIET, &status);
	ck_assert_int_eq(status, 4);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_proc__signal_death)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	capture("kill -TERM $$", NULL, &out, &status);
	ck_assert_int_eq(status, 128 + 15);
	capture("kill -KILL $$", NULL, &out, &status);
	ck_assert_int_eq(status, 128 + 9);
	capture("echo before; kill -SEGV $$", NULL, &out, &status);
	ck_assert_int_eq(status, 128 + 11);
	ck_assert_str_eq(out.buf, "before\n");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__stdin_is_dev_null)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	/* A child that reads stdin must see EOF at once, never our terminal or pipe. */
	alarm(20);
	capture("cat; echo done", NULL, &out, &status);
	alarm(0);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out.buf, "done\n");
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__output_past_cap_is_drained)
{
	struct vbuf out = VBUF_INIT(1000);
	int status;

	/* Far more than a pipe holds: the child must not block once we stop keeping it. */
	alarm(30);
	capture("i=0; while [ $i -lt 3000 ]; do echo 0123456789012345678901234567890123456789; "
		"i=$((i+1)); done; exit 5", NULL, &out, &status);
	alarm(0);
	ck_assert_int_eq(status, 5);
	ck_assert_msg(out.len <= 1000, "expected at most 1000 bytes kept, saw %zu", out.len);
	ck_assert_msg(!strncmp(out.buf, "0123456789", out.len < 10 ? out.len : 10),
		      "expected the kept bytes to be the start of the output, saw '%.20s'", out.buf);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__capture_without_buffer)
{
	int status;

	alarm(30);
	ck_assert_int_eq(run_sh("head -c 300000 /dev/zero", NULL, VENV_PROC_CAPTURE, NULL, NULL,
				NULL, &status), 0);
	alarm(0);
	ck_assert_int_eq(status, 0);
}
END_TEST

START_TEST(test_proc__cwd)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	char dir[PATH_MAX], *real;
	int status;

	PATHF(dir, "%s/cwd dir", tmp_root);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	real = realpath(dir, NULL);
	ck_assert_ptr_nonnull(real);
	ck_assert_int_eq(run_sh("pwd -P", NULL, VENV_PROC_CAPTURE, NULL, dir, &out, &status), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_msg(!strncmp(out.buf, real, strlen(real)) && out.buf[strlen(real)] == '\n',
		      "expected the child in '%s', saw '%s'", real, out.buf);
	/* Our own directory is unchanged. */
	{
		char *here = getcwd(NULL, 0);

		ck_assert_ptr_nonnull(here);
		ck_assert_msg(strcmp(here, real), "expected the parent's cwd unchanged");
		free(here);
	}
	free(real);
	vbuf_reset(&out);
	PATHF(dir, "%s/no-such-dir", tmp_root);
	ck_assert_msg(run_sh("echo ran", NULL, VENV_PROC_CAPTURE, NULL, dir, &out, &status) < 0 ||
		      status != 0,
		      "expected a missing working directory to fail, saw status %d", status);
	ck_assert_msg(strstr(out.buf, "ran") == NULL, "expected nothing to run, saw '%s'", out.buf);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__cannot_start)
{
	static const char *argv_missing[] = { "/nonexistent/venv/prog", NULL };
	struct venv_proc p;
	char path[PATH_MAX];
	int status = -1, fd;

	memset(&p, 0, sizeof(p));
	p.argv = argv_missing;
	ck_assert_int_eq(venv_proc_run(&p, &status), VENV_ENOTFOUND);
	ck_assert_msg(strstr(venv_error_last(), "'/nonexistent/venv/prog'") != NULL,
		      "expected the message to name the program, saw '%s'", venv_error_last());
	/* A file without execute permission. */
	PATHF(path, "%s/not-exec", tmp_root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "#!/bin/sh\necho x\n", 17), 17);
	close(fd);
	if (geteuid() != 0) {
		const char *argv_noexec[] = { path, NULL };

		p.argv = argv_noexec;
		ck_assert_msg(venv_proc_run(&p, &status) < 0, "expected a non-executable file to fail");
	}
	/* No PATH search: a bare name is a relative path. */
	{
		static const char *argv_bare[] = { "venv-no-such-program-anywhere", NULL };

		p.argv = argv_bare;
		ck_assert_msg(venv_proc_run(&p, &status) < 0, "expected a bare missing name to fail");
	}
}
END_TEST

/* ---- environment ---- */

START_TEST(test_proc__env_inherit_and_set)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	ck_assert_int_eq(setenv("VENV_T_INHERITED", "from parent", 1), 0);
	ck_assert_int_eq(venv_env_inherit(&env), 0);
	ck_assert_uint_eq(count_named(&env, "VENV_T_INHERITED"), 1);
	ck_assert_int_eq(venv_env_set(&env, "VENV_T_NEW", "a b=c $x"), 0);
	ck_assert_int_eq(venv_env_set(&env, "VENV_T_INHERITED", "replaced"), 0);
	ck_assert_int_eq(venv_env_set(&env, "VENV_T_INHERITED", "replaced twice"), 0);
	ck_assert_uint_eq(count_named(&env, "VENV_T_INHERITED"), 1);
	capture("printf '%s|%s' \"$VENV_T_NEW\" \"$VENV_T_INHERITED\"", &env, &out, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out.buf, "a b=c $x|replaced twice");
	/* The parent's own environment is untouched. */
	ck_assert_str_eq(getenv("VENV_T_INHERITED"), "from parent");
	ck_assert_ptr_null(getenv("VENV_T_NEW"));
	/* NULL env means inherit ours as it is. */
	capture("printf '%s' \"$VENV_T_INHERITED\"", NULL, &out, &status);
	ck_assert_str_eq(out.buf, "from parent");
	venv_env_release(&env);
	ck_assert_ptr_null(env.vars);
	ck_assert_uint_eq(env.nr, 0);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__env_unset)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	ck_assert_int_eq(setenv("VENV_T_GONE", "1", 1), 0);
	ck_assert_int_eq(setenv("VENV_T_GONE_NOT", "2", 1), 0);
	ck_assert_int_eq(setenv("XVENV_T_GONE", "3", 1), 0);
	ck_assert_int_eq(venv_env_inherit(&env), 0);
	venv_env_unset(&env, "VENV_T_GONE");
	ck_assert_uint_eq(count_named(&env, "VENV_T_GONE"), 0);
	/* Only that exact name: longer names and other names sharing a part stay. */
	ck_assert_uint_eq(count_named(&env, "VENV_T_GONE_NOT"), 1);
	ck_assert_uint_eq(count_named(&env, "XVENV_T_GONE"), 1);
	capture("printf '%s|%s|%s' \"${VENV_T_GONE-unset}\" \"$VENV_T_GONE_NOT\" \"$XVENV_T_GONE\"",
		&env, &out, &status);
	ck_assert_str_eq(out.buf, "unset|2|3");
	/* Unsetting what is not there is harmless. */
	venv_env_unset(&env, "VENV_T_NEVER_SET");
	venv_env_unset(&env, "VENV_T_GONE");
	venv_env_release(&env);
	/* Also on an empty block. */
	venv_env_unset(&env, "X");
	venv_env_unset_prefix(&env, "X");
	ck_assert_uint_eq(env.nr, 0);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__env_unset_prefix)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	ck_assert_int_eq(setenv("PIP_INDEX_URL", "http://x", 1), 0);
	ck_assert_int_eq(setenv("PIP_REQUIRE_VIRTUALENV", "1", 1), 0);
	ck_assert_int_eq(setenv("PIPX_HOME", "/p", 1), 0);
	ck_assert_int_eq(setenv("XPIP_KEEP", "k", 1), 0);
	ck_assert_int_eq(venv_env_inherit(&env), 0);
	venv_env_unset_prefix(&env, "PIP_");
	ck_assert_uint_eq(count_named(&env, "PIP_INDEX_URL"), 0);
	ck_assert_uint_eq(count_named(&env, "PIP_REQUIRE_VIRTUALENV"), 0);
	ck_assert_uint_eq(count_named(&env, "PIPX_HOME"), 1);
	ck_assert_uint_eq(count_named(&env, "XPIP_KEEP"), 1);
	capture("env | grep -c '^PIP_' || true; printf '%s|%s' \"$PIPX_HOME\" \"$XPIP_KEEP\"",
		&env, &out, &status);
	ck_assert_str_eq(out.buf, "0\n/p|k");
	venv_env_release(&env);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__env_from_scratch)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	/* Without inherit, the child sees only what was set. */
	ck_assert_int_eq(setenv("VENV_T_PARENT_ONLY", "p", 1), 0);
	ck_assert_int_eq(venv_env_set(&env, "ONLY", "1"), 0);
	ck_assert_uint_eq(env.nr, 1);
	capture("printf '%s|%s' \"$ONLY\" \"${VENV_T_PARENT_ONLY-unset}\"", &env, &out, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out.buf, "1|unset");
	/* Many variables: the block grows past its first allocation. */
	{
		int i;
		char name[32];

		for (i = 0; i < 300; i++) {
			ck_assert_int_ge(snprintf(name, sizeof(name), "V%d", i), 0);
			ck_assert_int_eq(venv_env_set(&env, name, name), 0);
		}
		ck_assert_uint_eq(env.nr, 301);
		capture("printf '%s|%s' \"$V0\" \"$V299\"", &env, &out, &status);
		ck_assert_str_eq(out.buf, "V0|V299");
	}
	venv_env_release(&env);
	vbuf_release(&out);
}
END_TEST

START_TEST(test_proc__env_inherit_empty_environment)
{
	struct venv_env env = VENV_ENV_INIT;
	struct vbuf out = VBUF_INIT(VBUF_MAX_PROBE);
	int status;

	/* This test runs in its own process: emptying our environment is safe. */
	ck_assert_int_eq(clearenv(), 0);
	ck_assert_int_eq(venv_env_inherit(&env), 0);
	ck_assert_uint_eq(env.nr, 0);
	ck_assert_ptr_nonnull(env.vars);
	ck_assert_ptr_null(env.vars[0]);
	capture("printf '%s' \"${HOME-none}\"", &env, &out, &status);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out.buf, "none");
	ck_assert_int_eq(venv_env_set(&env, "A", "b"), 0);
	ck_assert_uint_eq(count_named(&env, "A"), 1);
	venv_env_release(&env);
	vbuf_release(&out);
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_proc__capture_stdout_and_status);
	tcase_add_test(tc, test_proc__arguments_passed_verbatim);
	tcase_add_test(tc, test_proc__stderr_separate_or_merged);
	tcase_add_test(tc, test_proc__stdout_to_stderr_and_quiet);
	tcase_add_test(tc, test_proc__signal_death);
	tcase_add_test(tc, test_proc__stdin_is_dev_null);
	tcase_add_test(tc, test_proc__output_past_cap_is_drained);
	tcase_add_test(tc, test_proc__capture_without_buffer);
	tcase_add_test(tc, test_proc__cwd);
	tcase_add_test(tc, test_proc__cannot_start);
	tcase_add_test(tc, test_proc__env_inherit_and_set);
	tcase_add_test(tc, test_proc__env_unset);
	tcase_add_test(tc, test_proc__env_unset_prefix);
	tcase_add_test(tc, test_proc__env_from_scratch);
	tcase_add_test(tc, test_proc__env_inherit_empty_environment);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* Tests change the environment and file descriptors: one process each. */
	return unit_run_forked(proc_suite());
}
