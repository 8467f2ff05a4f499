#ifndef VENV_REPAIR_SCAN_H
#define VENV_REPAIR_SCAN_H

#include "plan.h"
#include "txn.h"

/*
 * Detection for repair: read an environment (nothing is run, nothing is
 * written) and build the plan of what repair without --upgrade changes.
 *
 * The old location is read the way `venv check` reads it: from the
 * activation scripts with check's reader (common/actscan.h), else from
 * the interpreter of pip's scripts, else from pyvenv.cfg's `command`.
 *
 * NEEDSWORK: `venv check` (inspect/) owns the full model of an
 * environment's health, but its report carries messages, not the values
 * repair needs (the new bytes of each file); this is the part repair
 * needs, behind this one function, so that it can move onto check's
 * model when inspect/ exposes one.
 */

struct venv_scan {
	char *old_location;  /* where the environment was before a move or copy, or NULL */
	int old_exists;      /* ... and something is still there (a copy) */
	char *prompt;        /* what activation scripts show */
	char *first_name;    /* bin/<first_name> is the interpreter the others lead to */
	char *base_python;   /* the interpreter it runs (link target or `home`), or NULL */
	int symlinks;        /* 1: interpreters are links; 0: copies */
	int minor;           /* 3.<minor> from pyvenv.cfg, or -1 */
	int has_cfg;
	int virtualenv;      /* made by virtualenv */
	int base_ok;         /* bin/<first_name> runs something */
	int is_venv;         /* anything says it is an environment */
};

void venv_scan_release(struct venv_scan *s);

/* Scan e and add the fixes and the remaining problems to plan. */
int venv_repair_scan(struct venv_envdir *e, struct venv_plan *plan, struct venv_scan *s);

#endif
