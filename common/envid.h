#ifndef VENV_ENVID_H
#define VENV_ENVID_H

#include <stddef.h>

/*
 * Is this directory a virtual environment? The one answer every command
 * that changes an environment (repair, restore, create --clear) or looks
 * for one (check -r) relies on, so that none of them turns a home
 * directory or /usr into an environment.
 *
 * A directory is an environment when it holds a regular pyvenv.cfg, or
 * our own .venv-incomplete marker (a creation that did not finish), or
 * unmistakable evidence of one without pyvenv.cfg: an activation script in
 * bin/ whose VIRTUAL_ENV is this directory or an absolute path it was
 * created at (moved or copied since), together with a directory
 * lib/pythonX.Y/site-packages. Nothing is followed out of the directory
 * and nothing is written.
 */

enum venv_envid_kind {
	VENV_ENVID_NONE = 0,    /* not an environment */
	VENV_ENVID_CFG,         /* pyvenv.cfg */
	VENV_ENVID_INCOMPLETE,  /* only our marker of an unfinished creation */
	VENV_ENVID_EVIDENCE     /* an activation script and site-packages, no pyvenv.cfg */
};

#define VENV_ENVID_SHOWN 5      /* entries named in messages */

struct venv_envid {
	enum venv_envid_kind kind;
	size_t nentries;        /* top-level entries */
	size_t nforeign;        /* of those, names no creator of environments makes */
	char foreign[256];      /* the first VENV_ENVID_SHOWN of them, "'a', 'b'" */
	char entries[256];      /* the first VENV_ENVID_SHOWN entries, "'a', 'b'" */
	const char *cfg_not_regular; /* "a directory", "a named pipe (FIFO)"...; else NULL */
};

/* The name creation marks an unfinished environment with. */
#define VENV_INCOMPLETE_MARKER ".venv-incomplete"

/*
 * 1 when creators of environments (CPython's venv, virtualenv, uv, this
 * tool) make a top-level entry of that name: bin, lib, lib64, include,
 * share, pyvenv.cfg, .gitignore and the creators' markers. These are what
 * `create --clear` may delete without --force.
 */
int venv_envid_creator_name(const char *name);

/* Look at the open directory dirfd. Returns 0 or a negative VENV_E* code. */
int venv_envid_probe(struct venv_envid *out, int dirfd);

enum venv_envid_flags {
	/*
	 * Also accept a directory that has no mark of an environment but
	 * holds nothing a creator does not make (repair --force). A
	 * directory with any other entry is never accepted.
	 */
	VENV_ENVID_FORCE = 1 << 0
};

/*
 * The decision: 0 when the open directory dirfd (shown as `shown` in
 * messages) may be treated as an environment, else VENV_EUNSAFE with a
 * message that says why not. out may be NULL.
 */
int venv_envid_require(struct venv_envid *out, int dirfd, const char *shown, unsigned flags);

#endif
