#include "compat.h"
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include "array.h"
#include "error.h"
#include "proc.h"

extern char **environ;

static int env_grow(struct venv_env *env)
{
	/* Room for one more and the terminating NULL. */
	return VENV_ARRAY_GROW(env->vars, env->alloc, env->nr + 2, 64);
}

int venv_env_inherit(struct venv_env *env)
{
	char **e;
	int error;

	/* clearenv() leaves environ NULL; an empty block must still be terminated. */
	for (e = environ; e && *e; e++) {
		if ((error = env_grow(env)) < 0)
			return error;
		if (!(env->vars[env->nr] = strdup(*e)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		env->nr++;
		env->vars[env->nr] = NULL;
	}
	if ((error = env_grow(env)) < 0)
		return error;
	env->vars[env->nr] = NULL;
	return 0;
}

static int name_matches(const char *var, const char *name, size_t n)
{
	return !strncmp(var, name, n) && var[n] == '=';
}

/* Drop the variables named key (prefix: whose "NAME=value" starts with key). */
static void env_remove(struct venv_env *env, const char *key, int prefix)
{
	size_t i, j, n = strlen(key);

	for (i = 0, j = 0; i < env->nr; i++) {
		if (prefix ? !strncmp(env->vars[i], key, n) : name_matches(env->vars[i], key, n)) {
			free(env->vars[i]);
			continue;
		}
		env->vars[j++] = env->vars[i];
	}
	env->nr = j;
	if (env->vars)
		env->vars[j] = NULL;
}

void venv_env_unset(struct venv_env *env, const char *name)
{
	env_remove(env, name, 0);
}

void venv_env_unset_prefix(struct venv_env *env, const char *prefix)
{
	env_remove(env, prefix, 1);
}

int venv_env_set(struct venv_env *env, const char *name, const char *value)
{
	struct vbuf var = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	venv_env_unset(env, name);
	if ((error = vbuf_addf(&var, "%s=%s", name, value)) < 0 ||
	    (error = env_grow(env)) < 0) {
		vbuf_release(&var);
		return error;
	}
	env->vars[env->nr++] = vbuf_detach(&var, NULL);
	env->vars[env->nr] = NULL;
	return 0;
}

void venv_env_release(struct venv_env *env)
{
	size_t i;

	for (i = 0; i < env->nr; i++)
		free(env->vars[i]);
	free(env->vars);
	env->vars = NULL;
	env->nr = env->alloc = 0;
}

int venv_proc_run(const struct venv_proc *p, int *status)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 };
	int error = 0, wstatus, have_fa = 0;
	pid_t pid;
	static char *const empty_env[] = { NULL };
	char *const *envp = p->env ? p->env->vars : environ;

	/* A venv_env that was never filled means an empty environment, not NULL. */
	if (!envp)
		envp = empty_env;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	have_fa = 1;
	if (p->flags & VENV_PROC_CAPTURE) {
		if (pipe(pipefd) < 0) {
			error = venv_error_set_errno(VENV_EIO, "cannot create a pipe");
			goto done;
		}
		fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		if (p->flags & VENV_PROC_MERGE_STDERR)
			posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
		posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	} else if (p->flags & VENV_PROC_STDOUT_TO_STDERR) {
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	}
	if (p->flags & VENV_PROC_QUIET)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (p->cwd) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
		posix_spawn_file_actions_addchdir_np(&fa, p->cwd);
#else
		error = venv_error_set(VENV_ERROR, "changing directory for a child is not supported here");
		goto done;
#endif
	}
	{
		int rc = posix_spawn(&pid, p->argv[0], &fa, NULL, (char *const *)p->argv, envp);

		if (rc != 0) {
			errno = rc;
			error = venv_error_set_errno(venv_error_from_errno(rc), "cannot run '%s'",
						     p->argv[0]);
			goto done;
		}
	}
	if (pipefd[1] >= 0) {
		char chunk[8192];

		close(pipefd[1]);
		pipefd[1] = -1;
		for (;;) {
			ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (p->on_output)
				p->on_output(p->on_output_payload, chunk, (size_t)n);
			/*
			 * Keep what fits (always a prefix of the output), then keep
			 * draining so that the child never blocks on a full pipe.
			 * Out of memory ends the capture (a gap would make it no
			 * longer a prefix): the child is still drained and reaped,
			 * then the error is returned.
			 */
			if (p->output && !error && p->output->len < p->output->max) {
				size_t room = p->output->max - p->output->len;

				error = vbuf_add(p->output, chunk, (size_t)n < room ? (size_t)n : room);
			}
		}
	}
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			error = venv_error_set_errno(VENV_ECHILD, "cannot wait for '%s'", p->argv[0]);
			goto done;
		}
	}
	if (WIFEXITED(wstatus))
		*status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		*status = 128 + WTERMSIG(wstatus);
	else
		*status = 255;
done:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	return error;
}
