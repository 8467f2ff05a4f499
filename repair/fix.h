#ifndef VENV_REPAIR_FIX_H
#define VENV_REPAIR_FIX_H

#include "cfg.h"
#include "inspect.h"
#include "model.h"
#include "plan.h"
#include "pyinfo.h"
#include "txn.h"

struct venv_dists;

/*
 * Repair's plan, made from `venv check`'s findings: one table maps each
 * diagnostic code that the registry marks fixable (common/diag.c) to a
 * fixer, and a fixer turns one finding into changes of the plan (the new
 * bytes of a file, a link, a directory, a mode) or declines with the reason,
 * which becomes a remaining problem. A finding whose code has no fixer is a
 * remaining problem as it is. Nothing here decides what is broken: that is
 * check's business (inspect/).
 */

struct venv_fixctx {
	struct venv_envdir *e;
	const struct venv_report *rep;  /* check's findings on the environment */
	struct venv_plan *plan;
	int bfd;                        /* bin/, or -1 */

	/* pyvenv.cfg as it will be written: fixers of its keys edit it. */
	struct venv_cfg cfg;
	int cfg_state;                  /* FIXCFG_* */
	int cfg_code;                   /* the first code that changed it; 0: unchanged */
	char cfg_codes[256];            /* every code that changed it: "VNV203, VNV204" */
	struct vbuf cfg_before, cfg_after;

	/* What the environment model (common/model.h) says of it. */
	const struct venv_model *env;
	const char *interp;             /* the name in bin/ the others lead to, or NULL */
	const char *base_python;        /* where it links to (absolute); NULL for a copy */
	int copies;                     /* the interpreter is a copy */
	int base_ok;                    /* it leads to an executable file */
	char *const *old;               /* where the environment used to be, most likely first */
	size_t nold;

	char *prompt;                   /* what the activation scripts show */
	int minor;                      /* 3.<minor> the environment is for, or -1 */

	/* The base interpreter, learnt (by running it once) only when a fixer needs it. */
	struct venv_pyinfo info;
	int info_state;                 /* 0 not tried, 1 loaded, -1 failed */

	/* The .pth file being rewritten: check lists its findings one after another. */
	char *pth_rel;
	struct vbuf pth_text, pth_before, pth_after;
	int pth_changed;
	int pth_code;                   /* the code its change is listed under (VNV414 over VNV408) */

	struct vbuf why;                /* a declining fixer's reason */
};

enum { FIXCFG_ABSENT, FIXCFG_OK, FIXCFG_UNREADABLE };

/*
 * Returns 0 when the finding is taken care of by the plan, VENV_FIX_DECLINED
 * when it is not (x->why says why and what to do), or a negative error.
 */
#define VENV_FIX_DECLINED 1

typedef int (*venv_fixer_fn)(struct venv_fixctx *x, const struct venv_finding *f,
			     const char *rel);

struct venv_fixer {
	int code;
	venv_fixer_fn fix;
};

extern const struct venv_fixer venv_fixers[];
extern const size_t venv_fixers_count;

/* The fixer of a code, or NULL. */
const struct venv_fixer *venv_fixer_get(int code);

/*
 * Build the plan for check's report rep of the environment e: changes go
 * to plan->fixes, what no fixer takes care of to plan->problems.
 */
int venv_fix_plan(struct venv_envdir *e, const struct venv_model *env,
		  const struct venv_report *rep, struct venv_plan *plan);

/*
 * venv_fix_plan, with VENV_FIX_NO_RECORDS: the RECORD files that list a
 * planned file are left as they are (not read, not planned): for a plan
 * applied after an upgrade moved them (repair.c's early fixes), whose
 * verdict, check's next look, would report a RECORD left behind.
 */
#define VENV_FIX_NO_RECORDS 1u
int venv_fix_plan_flags(struct venv_envdir *e, const struct venv_model *env,
			const struct venv_report *rep, struct venv_plan *plan, unsigned flags);

/*
 * Does a RECORD row of the distributions ds (of site-packages at site_rel,
 * relative to the environment env) name a file plan writes? 1 yes, 0 no.
 */
int venv_fix_records_name(const struct venv_model *env, const struct venv_dists *ds,
			  const char *site_rel, const struct venv_plan *plan);

/* The place of a finding's file in the environment ("bin/pip"), or NULL (outside, none). */
const char *venv_fix_rel(const struct venv_finding *f);

/*
 * The older minor version whose packages a finding leaves behind while the
 * interpreter runs another: VNV114 of lib/python3.<N>/site-packages, or the
 * VNV106 of a mixed environment (bin/python3.<N> beside the version
 * pyvenv.cfg and the interpreter agree on, as `venv create --upgrade` over
 * a 3.<N> environment leaves it). N, or -1 for any other finding.
 * `venv repair --upgrade` moves those packages (repair/upgrade.c).
 */
int venv_fix_left_minor(const struct venv_model *env, const struct venv_finding *f);

/* ---- shared by the fixers (repair/fix.c) ---- */

int venv_fix_decline(struct venv_fixctx *x, const char *fmt, ...) VENV_PRINTF(2, 3);

/* Plan a new content for rel (mode kept from the file there, or `mode`). */
int venv_fix_write(struct venv_fixctx *x, int code, const char *rel, const char *data, size_t len,
		   unsigned mode, const char *summary);

/*
 * venv_fix_write(), and the lines the report shows of the change (before,
 * after: blen and alen bytes, or NULL for none), on the change it planned:
 * none when the file is already what it would become.
 */
int venv_fix_write_shown(struct venv_fixctx *x, int code, const char *rel, const char *data,
			 size_t len, unsigned mode, const char *summary, const char *before,
			 size_t blen, const char *after, size_t alen);

/* Record that x->cfg was changed for code (before/after: lines to show, or NULL). */
int venv_fix_cfg_changed(struct venv_fixctx *x, int code, const char *before, const char *after);

/* Read the regular file rel of the environment (no link followed). */
int venv_fix_read(struct venv_fixctx *x, const char *rel, struct vbuf *out);

/* Load the base interpreter's facts (once); 0, or declined with the reason. */
int venv_fix_base_info(struct venv_fixctx *x);

/* The interpreter scripts of this environment should run: <env>/bin/<name>. */
int venv_fix_env_python(struct venv_fixctx *x, struct vbuf *out, const char *name);

/* Decline with `what` and the `venv repair --upgrade --python` to run instead. */
int venv_fix_decline_upgrade(struct venv_fixctx *x, const char *what);

/*
 * The base interpreter named by pyvenv.cfg's `home` (want, else its
 * `executable`, python3.<minor>, python3, python) of the environment's
 * version: 1 with its path and name, 0 when none, or a negative error.
 */
int venv_fix_base_from_home(struct venv_fixctx *x, const char *want, struct vbuf *path,
			    struct vbuf *name);

/* ---- the fixers of pyvenv.cfg (repair/fix_cfg.c) ---- */

int venv_fix_cfg_format(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_cfg_dup_home(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_cfg_system_site(struct venv_fixctx *x, const struct venv_finding *f,
			     const char *rel);
int venv_fix_cfg_home(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_cfg_version(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_cfg_rewrite(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
/* Plan the one write of pyvenv.cfg the fixers above edited (none when unchanged). */
int venv_fix_cfg_flush(struct venv_fixctx *x);

/* ---- the fixers of the layout: bin/, lib64, directories, modes (repair/fix_layout.c) ---- */

int venv_fix_alias(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_unfinished(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_dangling(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_bad_interp(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_copy_again(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_lib64(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_mkdir(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_remove(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_mode(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);

/* ---- the fixers of scripts, activation, .pth, direct_url.json (repair/fix_scripts.c) ---- */

int venv_fix_shebang(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
/* VNV415: the execute bits back, as chmod a+X (a CHMOD, or the mode of a planned rewrite). */
int venv_fix_exec(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_activation(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
int venv_fix_missing_activation(struct venv_fixctx *x, const struct venv_finding *f,
				const char *rel);
int venv_fix_link_not_followed(struct venv_fixctx *x, const struct venv_finding *f,
			       const char *rel);
int venv_fix_pth(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);
/* Plan the .pth file the findings so far rewrote. */
int venv_fix_pth_flush(struct venv_fixctx *x);
/* VNV416: direct_url.json's url set to the path under the new location. */
int venv_fix_direct_url(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);

/* VNV609 of pip or setuptools: reinstalled from the wheel cache (repair/fix_seed.c). */
int venv_fix_seed(struct venv_fixctx *x, const struct venv_finding *f, const char *rel);

/*
 * After every fixer: the RECORD rows of the files the plan rewrites get
 * their new hash and size (repair/fix_record.c), so that a repaired
 * environment passes check's integrity rules.
 */
int venv_fix_records(struct venv_fixctx *x);

#endif
