#ifndef VENV_REPAIR_SCAN_H
#define VENV_REPAIR_SCAN_H

#include "model.h"
#include "plan.h"
#include "txn.h"

/*
 * What --upgrade needs to know of an environment, taken from the
 * environment model check judges (common/model.h): repair has no reader of
 * its own.
 */
struct venv_scan {
	char *old_location;  /* where the environment was before a move or copy, or NULL */
	char *first_name;    /* bin/<first_name> is the interpreter the others lead to */
	char *base_python;   /* the interpreter it runs (link target or `home`), or NULL */
	int symlinks;        /* 1: interpreters are links; 0: copies */
	int minor;           /* 3.<minor> from pyvenv.cfg, or -1 */
	int base_ok;         /* bin/<first_name> runs something */
	int pypy;            /* a PyPy environment (the model's lib_stem: lib/pypyX.Y) */
	/*
	 * 3.<minor> whose packages are left while the interpreter runs another
	 * version (venv_fix_left_minor: check's VNV114, or a mixed VNV106), or
	 * -1. After
	 * `venv create --upgrade` over an older environment, pyvenv.cfg names
	 * the new version already: this is the only trace of the old one.
	 */
	int orphan_minor;
	int orphan_code;     /* the code of that finding (VNV114, or VNV106: mixed) */
};

void venv_scan_release(struct venv_scan *s);

/* Fill s from the model env of e. */
int venv_scan_from_model(struct venv_scan *s, const struct venv_model *env);

#endif
