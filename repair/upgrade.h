#ifndef VENV_REPAIR_UPGRADE_H
#define VENV_REPAIR_UPGRADE_H

#include "repair.h"
#include "dist.h"
#include "scan.h"
#include "txn.h"
#include "move.h"

/*
 * --upgrade: the creator's upgrade path (struct venv_builder with
 * upgrade = 1) run against a new base interpreter, inside the upgrade
 * transaction of txn.h; when the minor version changes, the distributions
 * of the old site-packages are moved, or installed again (move.h).
 */
struct venv_upgrade {
	char *python;             /* the new base interpreter */
	struct venv_pyinfo info;
	int info_loaded;
	int old_minor;            /* -1 when unknown */
	int minor_change;
	int orphaned;             /* the old version is s->orphan_minor's (VNV114), not pyvenv.cfg's */
	int reported;             /* venv_upgrade_report() added it to the report */
	char *old_version;
	char *old_lib, *new_lib;  /* "lib/python3.11", "lib/python3.12" (relative; PyPy's
				     "lib/pypy3.9", "lib/pypy3.10") */
	struct venv_dists dists;  /* the distributions of the old site-packages */
	struct venv_move mv;      /* what happens to each (move.h) */
	char *old_python;         /* the old base, when it still exists */
	char *env_python;         /* what console scripts run: <env>/bin/<name of python> */
	const struct venv_plan *early;  /* the caller's fixes of bin/ files to make inside the
					   upgrade's transaction (venv_upgrade_write_bin), or NULL */
	int early_done;           /* venv_upgrade_run made them */
};

/*
 * The old version's directory of lib/ into out: "lib/python3.<minor>", or
 * "lib/pypy3.<minor>" when s is a PyPy environment (the model's lib_stem).
 */
int venv_upgrade_lib_dir(struct vbuf *out, const struct venv_scan *s, int minor);

/*
 * Find the interpreter and read what the upgrade needs; changes nothing.
 * seen (may be NULL): distributions check read with VENV_DISTS_ALL |
 * VENV_DISTS_PARTIAL from the absolute path seen_site, in this process and
 * under the lock this repair holds. When that is the old site-packages and
 * nothing in it was unreadable, they are taken (seen is left empty)
 * instead of read again.
 */
int venv_upgrade_prepare(struct venv_upgrade *u, struct venv_envdir *e,
			 const struct venv_scan *s, const char *python,
			 struct venv_dists *seen, const char *seen_site);

/* Describe the upgrade as plan entries (for --dry-run). */
int venv_upgrade_describe(struct venv_upgrade *u, struct venv_envdir *e,
			  const struct venv_scan *s, struct venv_plan *out);

/* Run it; what changed is added to done. */
int venv_upgrade_run(struct venv_upgrade *u, struct venv_envdir *e, const struct venv_scan *s,
		     const struct venv_repair_opts *o, struct venv_plan *done);

/*
 * Add to report's reinstalled, dists and unowned (across minor versions);
 * once for each upgrade, which may follow another (a second old version).
 */
int venv_upgrade_report(struct venv_upgrade *u, struct venv_repair_report *r);

void venv_upgrade_release(struct venv_upgrade *u);

#endif
