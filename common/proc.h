#ifndef VENV_PROC_H
#define VENV_PROC_H

#include "vbuf.h"

/* A NULL-terminated environment block that can be edited before a spawn. */
struct venv_env {
	char **vars;
	size_t nr, alloc;
};

#define VENV_ENV_INIT { NULL, 0, 0 }

/* Copy the current process environment. */
int venv_env_inherit(struct venv_env *env);
/* Set NAME=value, replacing an existing NAME. */
int venv_env_set(struct venv_env *env, const char *name, const char *value);
/* Remove NAME. */
void venv_env_unset(struct venv_env *env, const char *name);
/* Remove every variable whose name starts with prefix. */
void venv_env_unset_prefix(struct venv_env *env, const char *prefix);
void venv_env_release(struct venv_env *env);

enum venv_proc_flags {
	VENV_PROC_CAPTURE = 1 << 0,        /* stdout into `output` */
	VENV_PROC_MERGE_STDERR = 1 << 1,   /* with CAPTURE: stderr too */
	VENV_PROC_STDOUT_TO_STDERR = 1 << 2, /* show the child's output on our stderr */
	VENV_PROC_QUIET = 1 << 3           /* discard stderr */
};

struct venv_proc {
	const char *const *argv;   /* argv[0] is the path executed, no PATH search */
	const struct venv_env *env; /* NULL: inherit */
	const char *cwd;           /* NULL: ours */
	unsigned flags;
	struct vbuf *output;       /* where CAPTURE goes (capped by its max) */
	/* With CAPTURE, also called with each piece of output as it comes, uncapped. */
	void (*on_output)(void *payload, const char *data, size_t len);
	void *on_output_payload;
};

/*
 * Run a program and wait for it. Returns 0 and stores the exit status
 * (or 128 + signal) in *status, or a negative code when it could not be
 * started. Output beyond the capture buffer's cap is drained and dropped.
 */
int venv_proc_run(const struct venv_proc *p, int *status);

#endif
