#ifndef VENV_REPAIR_MOVE_H
#define VENV_REPAIR_MOVE_H

#include "venv.h"
#include "dist.h"
#include "plan.h"
#include "txn.h"

/*
 * --upgrade across minor versions without reinstalling what need not be:
 * the distributions of the old site-packages that are pure Python are
 * moved into the new one (whole directories renamed where they belong to
 * them alone), their RECORD loses the old version's bytecode rows and
 * their console scripts are written again for the new interpreter; those
 * with compiled parts, or that cannot run on the new version, are
 * installed again from a local wheel, else with pip; every file no
 * distribution owns is moved too, never deleted.
 *
 * Every rename is journaled before it is made (venv_upgrade_journal_moves),
 * so the upgrade's roll-back moves everything back.
 */

enum venv_move_how {
	VENV_MOVE_MOVE,   /* its files are moved */
	VENV_MOVE_WHEEL,  /* installed again from a local wheel */
	VENV_MOVE_PIP,    /* installed again with pip */
	VENV_MOVE_DROP,   /* not kept: `why` says why */
	VENV_MOVE_NEWER   /* the new site-packages has its own, which is kept: `why` names it */
};

struct venv_move_dist {
	enum venv_move_how how;
	char *why;        /* why it is not moved, or NULL */
	char *wheel;      /* VENV_MOVE_WHEEL: the wheel file */
	char *wversion;   /* and its version */
	char *req;        /* VENV_MOVE_PIP: what pip is given ("-e" form: editable) */
	int editable;
	int failed;       /* pip could not install it */
};

/* An entry no distribution owns, moved: paths relative to the environment. */
struct venv_move_entry {
	char *from, *to;
	int renamed;      /* `to` is not `from`'s name: the new site-packages had one */
};

/* A requirement whose PEP 508 marker changes value with the new version. */
struct venv_move_marker {
	size_t dist;      /* whose requirement (index in ds) */
	char *req;        /* as METADATA writes it */
	char *name;       /* the requirement's name */
	int now;          /* the marker's value under the new version */
	int present;      /* a distribution of that name is kept */
	char *wheel;      /* needed now, not present: a local wheel that gives it, or NULL */
};

struct owned_path;

struct venv_move {
	const struct venv_dists *ds;
	struct venv_move_dist *v;    /* one per ds->v[i] */
	struct venv_move_entry *unowned;
	size_t nunowned, aunowned;
	char *old_site, *new_site;   /* relative: "lib/python3.11/site-packages" */
	char *old_lib, *new_lib;     /* relative: "lib/python3.11" */
	int old_minor, new_minor;
	struct venv_move_marker *markers;
	size_t nmarkers;
	int need_pip;                /* something goes to pip and no pip is moved */
	int code;                    /* the diagnostic code the changes are listed under */
	int dry;                     /* planning only: create nothing */
	/* private */
	struct owned_path *held, *owned;
	size_t nheld, nowned;
	char **pairs;                /* renames, from/to, relative to the environment */
	size_t npairs, apairs;
	char **stale;                /* old bytecode of moved distributions (env-relative) */
	size_t nstale, astale;
};

/*
 * Decide for each distribution of ds (read from <env>/<old_lib>/site-packages)
 * what happens to it on the way to the interpreter `to`. One the new
 * site-packages already has (by name) is not moved: the new one is kept
 * and the old copy is reported (VENV_MOVE_NEWER). Changes nothing. The
 * changes are listed under code (VNV106, or VNV114 when only an orphaned
 * site-packages tells the old version).
 */
int venv_move_prepare(struct venv_move *m, const struct venv_dists *ds, struct venv_envdir *e,
		      const char *old_lib, const char *new_lib, int old_minor,
		      const char *old_version, const struct venv_pyinfo *to, int code);

/* The report line of marker change i. */
int venv_move_describe_marker(const struct venv_move *m, size_t i, struct vbuf *out);

/*
 * Work out which entries are renamed where (pairs, unowned). With dry, for
 * a dry run: nothing is created; otherwise the directories that hold what
 * stays and what goes are made in the new site-packages. venv_move_run
 * does this itself.
 */
int venv_move_plan(struct venv_move *m, struct venv_envdir *e, int dry);

/*
 * Inside the upgrade transaction, after the new site-packages exists: move
 * what is moved, rewrite RECORDs, write console scripts for `python` (the
 * environment's interpreter path), install the local wheels. What changed
 * is added to done. The pip step is the caller's (venv_move_pip_args).
 */
int venv_move_run(struct venv_move *m, struct venv_envdir *e, const char *python,
		  const struct venv_pyinfo *to, struct venv_plan *done);

/*
 * Before the commit: give the upgrade's journal the old version's bytecode
 * of what was moved, which the commit removes (venv_upgrade_journal_stale):
 * a __pycache__ that holds nothing else whole, else file by file.
 */
int venv_move_stale(struct venv_move *m, struct venv_envdir *e);

/* How many distributions go each way. */
size_t venv_move_count(const struct venv_move *m, enum venv_move_how how);

/* The report line of distribution i: "name 1.0: moved" and the like. */
int venv_move_describe(const struct venv_move *m, size_t i, struct vbuf *out);

void venv_move_release(struct venv_move *m);

/* *out (freed first) = the formatted string. */
int venv_move_strf(char **out, const char *fmt, ...) VENV_PRINTF(2, 3);

#endif
