#ifndef VENV_RULESET_H
#define VENV_RULESET_H

#include "dist.h"
#include "model.h"
#include "inspect.h"

/*
 * Inside `venv check`: the rules, grouped by subject, each a function over
 * the loaded environment (common/model.c) that adds findings to the report.
 * inspect.c loads the environment, decides whether it is one at all, then
 * runs every rule set of its table in order; a new rule file adds its
 * function to that table (inspect.c, rule_sets[]) and its object to
 * inspect/Makefile.inc.
 */
/*
 * The entries below the active site-packages, in the order the one walk of
 * the environment met them (rules_tree.c: a directory just before what it
 * holds), kept for a rule that can judge them only once every RECORD was
 * read (rules_audit.c: files no RECORD lists), so that site-packages is
 * not walked a second time. Filled only when that rule is asked for.
 */
struct venv_site_entry {
	size_t name;             /* offset in names: the path below site-packages */
	int isdir;
	/* What the walk's lstat() said: the RECORD rules need no second one. */
	mode_t mode;
	nlink_t nlink;
	off_t size;
};

struct venv_site_list {
	struct vbuf names;       /* NUL-terminated paths, one after the other */
	struct venv_site_entry *v;
	size_t n, alloc;
	int limited;             /* the walk stopped at a limit before listing it all */
	size_t *index, index_cap; /* hash of the names (entry + 1; 0 free), made on first find */
};

#define VENV_SITE_LIST_INIT { VBUF_INIT(VBUF_MAX_REPORT), NULL, 0, 0, 0, NULL, 0 }

void venv_site_list_release(struct venv_site_list *l);

/*
 * The entry the walk listed as `name` (below site-packages), or NULL: not
 * listed (not walked, below a link, gone or new), or out of memory for the
 * index. A caller that gets NULL looks at the file itself.
 */
const struct venv_site_entry *venv_site_list_find(struct venv_site_list *l, const char *name);

struct venv_audit_early;

struct venv_check_ctx {
	struct venv_report *r;
	const struct venv_check_options *opts;
	struct venv_model *env;
	struct venv_site_list site;
	struct venv_audit_early *early;   /* audit.h: files hashed while the rules run, or NULL */
	/* The active site-packages' distributions (venv_check_dists): early's when there is one. */
	struct venv_dists dists;
	int dists_state;                  /* 0 not read yet, 1 read, -1 none (or reported unreadable) */
	unsigned dists_flags;             /* what they were read with (venv_dists_read) */
	struct venv_dists_prefetch *prefetch; /* rules_dists.c: dists being read, or NULL */
};

/*
 * Add a finding for the environment-relative rel (an absolute path for a
 * file outside; NULL for the environment itself). data (may be NULL) is
 * copied. The finding has the registry's severity.
 */
int venv_check_add(struct venv_check_ctx *c, int code, const char *rel, unsigned line,
		   const char *fix, const struct venv_finding_data *data, const char *fmt, ...)
	VENV_PRINTF(7, 8);

/* As venv_check_add() with this finding's severity decided by the rule. */
int venv_check_add_sev(struct venv_check_ctx *c, enum venv_severity severity, int code,
		       const char *rel, unsigned line, const char *fix,
		       const struct venv_finding_data *data, const char *fmt, ...)
	VENV_PRINTF(8, 9);

/*
 * 1 when one of the codes (a list ended by 0) is asked for (see
 * venv_check_options.selected): the work that only they need is worth doing.
 */
int venv_check_wants_any(const struct venv_check_ctx *c, const int *codes);

/* Report a venv_fs_read_capped() failure (VENV_RD_*) of a file the check needed. */
int venv_check_report_read(struct venv_check_ctx *c, int rc, int err, const char *rel);

/*
 * The distributions of the active site-packages (common/dist.c), read once
 * per check for every rule that uses them: the installed-distribution
 * rules (rules_dists.c) and the walk (rules_tree.c: which .pth is an
 * editable install's). The early reader's (audit.h) when it runs, else
 * read the first time a rule asks, with what the rules asked for need and
 * `need` (0, or VENV_DISTS_EDITABLES: which files editable installs own).
 * 1 with *out set (valid until the check ends); 0 when there are none (no
 * active site-packages, or they could not be read: then reported once, as
 * VNV003); < 0 out of memory.
 */
int venv_check_dists(struct venv_check_ctx *c, unsigned need, const struct venv_dists **out);

/*
 * Start reading what venv_check_dists() will give on a thread of its own,
 * when the rules will ask for it and the early reader does not read it:
 * the rules that run before rules_dists.c (the walk above all) and that
 * read go on side by side. < 0 only for out of memory; without a thread,
 * nothing is started and the read is made when asked. The first
 * venv_check_dists() waits for it; venv_check_dists_prefetch_join() with
 * discard set waits for it and drops what it read (the check ends).
 */
struct venv_dists_prefetch;
int venv_check_dists_prefetch(struct venv_check_ctx *c);
int venv_check_dists_prefetch_join(struct venv_check_ctx *c, int discard);

/* The rule sets. */
int venv_rules_base(struct venv_check_ctx *c);      /* rules_base.c: interpreters, base */
int venv_rules_cfg(struct venv_check_ctx *c);       /* rules_cfg.c: pyvenv.cfg */
int venv_rules_scripts(struct venv_check_ctx *c);   /* rules_scripts.c: activation, console scripts */
/* What VNV415's fix makes of a console script's mode: as chmod a+X (x where r), no o+w. */
unsigned venv_rules_exec_mode(unsigned mode);
int venv_rules_tree(struct venv_check_ctx *c);      /* rules_tree.c: lib/, the walk, .pth */
/*
 * rules_tree.c: where path, under a place the environment moved from (its
 * old directory, or one further up that moved with it), is now: 1 with
 * want and the two prefixes set, or 0. The .pth rules' and
 * direct_url.json's (rules_dists.c) one mapping.
 */
int venv_rules_moved_path(const struct venv_model *e, const char *path, struct vbuf *want,
			  struct vbuf *old_prefix, struct vbuf *new_prefix);
int venv_rules_dists(struct venv_check_ctx *c);     /* rules_dists.c: installed distributions */

#endif
