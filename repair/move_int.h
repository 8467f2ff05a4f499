#ifndef VENV_REPAIR_MOVE_INT_H
#define VENV_REPAIR_MOVE_INT_H

#include "venv.h"
#include "dist.h"
#include "record.h"

struct venv_envdir;
struct stat;

/*
 * What move.c (deciding) and move_apply.c (moving) share; not part of the
 * library's interface.
 */

/* A RECORD path of the old site-packages and the distribution it belongs to. */
struct owned_path {
	char *path;   /* relative to site-packages */
	size_t dist;
};

/* VENV_ENOMEM with its message. */
int venv_move__oom(void);
/* Append a copy of s to the growable array *v. */
int venv_move__push_str(char ***v, size_t *n, size_t *alloc, const char *s);
void venv_move__free_strs(char **v, size_t n);
/* Is `rel` itself in the sorted v, or anything below it ("rel/...")? */
int venv_move__has_exact(const struct owned_path *v, size_t n, const char *rel);
int venv_move__has_below(const struct owned_path *v, size_t n, const char *rel);
/* "pkg/__pycache__/mod.cpython-311.pyc" (or .opt-1.pyc) of Python 3.<minor>. */
int venv_move__is_old_bytecode(const char *path, int minor);
/* Read RECORD of distribution d (in the site-packages directory sfd) and its line end. */
int venv_move__read_rows(int sfd, const struct venv_dist *d, struct venv_record_row **rows,
			 size_t *nrows, const char **eol);
/*
 * lstat of an environment-relative path, never through a link on the way:
 * 0 there (st filled), 1 not there (or a link or file on the way), or an
 * error when it cannot be told (VENV_EUNSAFE: a link refused by openat2).
 */
int venv_move__exists_rel(struct venv_envdir *e, const char *rel, struct stat *st);
/* The names in the environment-relative directory rel (no link followed). */
int venv_move__list_dir(struct venv_envdir *e, const char *rel, char ***names, size_t *n);
/* A RECORD path inside site-packages without "./", or NULL for one outside it. */
const char *venv_move__site_path(const char *p);

#endif
