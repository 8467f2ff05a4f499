#include "compat.h"
#include "venv.h"
#include "diag.h"
#include "envid.h"
#include "log.h"
#include "path.h"
#include "repair.h"
#include "fix.h"
#include "rules.h"
#include "scan.h"
#include "txn.h"
#include "upgrade.h"

static int dup_into(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
	return (!s || *dst) ? 0 : venv_error_set(VENV_ENOMEM, "out of memory");
}

void venv_repair_report_release(struct venv_repair_report *r)
{
	size_t i;

	free(r->env_dir);
	free(r->old_location);
	free(r->recovered);
	free(r->archive);
	free(r->python);
	free(r->from_version);
	free(r->to_version);
	venv_plan_release(&r->done);
	venv_plan_release(&r->remaining);
	for (i = 0; i < r->nreinstalled; i++)
		free(r->reinstalled[i]);
	free(r->reinstalled);
	for (i = 0; i < r->ndists; i++) {
		free(r->dists[i].name);
		free(r->dists[i].version);
		free(r->dists[i].source);
		free(r->dists[i].why);
	}
	free(r->dists);
	for (i = 0; i < r->nunowned; i++) {
		free(r->unowned[i].from);
		free(r->unowned[i].to);
	}
	free(r->unowned);
	for (i = 0; i < r->nmarkers; i++)
		free(r->markers[i]);
	free(r->markers);
	memset(r, 0, sizeof(*r));
}

/* Move the fixes of src to the end of dst (src is emptied of them). */
static int take_fixes(struct venv_plan *dst, struct venv_plan *src)
{
	size_t i;

	for (i = 0; i < src->nr; i++) {
		if (dst->nr == dst->alloc) {
			size_t n = dst->alloc ? dst->alloc * 2 : 16;
			struct venv_fix *p = realloc(dst->fixes, n * sizeof(*p));

			if (!p)
				return venv_error_set(VENV_ENOMEM, "out of memory");
			dst->fixes = p;
			dst->alloc = n;
		}
		dst->fixes[dst->nr++] = src->fixes[i];
	}
	src->nr = 0;
	return 0;
}

/* A remaining problem's severity: its finding's, as check applies it. */
static enum venv_severity problem_severity(const struct venv_problem *p)
{
	const struct venv_diag *d = venv_diag_get(p->code);

	return p->severity ? p->severity : d ? d->severity : VENV_SEVERITY_ERROR;
}

/*
 * The plan's problems, as check would show them, into dst; *errors counts
 * those at error severity and *unlisted those past check's caps (counted,
 * not listed).
 */
static int take_problems(struct venv_plan *dst, size_t *errors, size_t *unlisted,
			 struct venv_plan *src, int skip_upgrade_fixed)
{
	unsigned per_code[1000] = { 0 };
	size_t i;
	int error = 0;

	for (i = 0; i < src->nprob && !error; i++) {
		int c = src->problems[i].code;
		size_t k;

		/* Below check's default threshold: not shown, as check does not show it. */
		if (!venv_diag_get(c) || problem_severity(&src->problems[i]) < VENV_SEVERITY_WARNING)
			continue;
		/* Problems the planned upgrade takes care of. */
		if (skip_upgrade_fixed && (c == VENV_DIAG_DANGLING_INTERPRETER_LINK ||
					   c == VENV_DIAG_MISSING_PYVENV_CFG ||
					   c == VENV_DIAG_MISSING_PYTHON ||
					   c == VENV_DIAG_BASE_MISSING ||
					   c == VENV_DIAG_BASE_STDLIB_MISSING ||
					   c == VENV_DIAG_BASE_VERSION_MISMATCH ||
					   c == VENV_DIAG_ORPHANED_SITE_PACKAGES))
			continue;
		/*
		 * Shown as check shows findings (the plan came from an uncapped
		 * report), and counted past that: the summary's count is all of them.
		 */
		if (dst->nprob >= VENV_REPORT_MAX_FINDINGS ||
		    (c > 0 && c < 1000 && per_code[c] >= VENV_REPORT_MAX_PER_CODE)) {
			*errors += problem_severity(&src->problems[i]) >= VENV_SEVERITY_ERROR;
			(*unlisted)++;
			continue;
		}
		for (k = 0; k < dst->nprob; k++)
			if (!strcmp(dst->problems[k].message, src->problems[i].message))
				break;
		if (k < dst->nprob)
			continue;
		if (c > 0 && c < 1000)
			per_code[c]++;
		*errors += problem_severity(&src->problems[i]) >= VENV_SEVERITY_ERROR;
		error = venv_plan_problem_copy(dst, &src->problems[i]);
	}
	return error;
}

#define logf_(o, ...) venv_logf((o)->log, (o)->payload, __VA_ARGS__)

void venv_scan_release(struct venv_scan *s)
{
	free(s->old_location);
	free(s->first_name);
	free(s->base_python);
	memset(s, 0, sizeof(*s));
}

int venv_scan_from_model(struct venv_scan *s, const struct venv_model *env)
{
	struct vbuf tmp = VBUF_INIT(VBUF_MAX_PATH);
	const struct venv_model_interp *in = env->main >= 0 ? &env->interps[env->main] : NULL;
	const char *home = venv_model_cfg_get(env, "home");
	int error = 0;

	memset(s, 0, sizeof(*s));
	s->minor = venv_model_minor_of(env->env_ver);
	s->symlinks = !in || in->kind != VENV_IK_COPY;
	s->base_ok = in && in->status == VENV_IS_OK;
	s->pypy = venv_model_is_pypy(env);
	if ((error = dup_into(&s->old_location, env->nold ? env->old[0] : NULL)) < 0 ||
	    (error = dup_into(&s->first_name, in ? in->name : NULL)) < 0 ||
	    (error = dup_into(&s->base_python, in && in->kind == VENV_IK_LINK_EXTERNAL ?
			      in->abs_target : NULL)) < 0)
		goto done;
	/* A copy: the base is `home` joined with the name. */
	if (!s->base_python && in && home && (error = venv_path_join(&tmp, home, in->name)) >= 0)
		error = dup_into(&s->base_python, tmp.buf);
done:
	vbuf_release(&tmp);
	return error;
}

/*
 * The older version whose packages check found left behind (VNV114, or the
 * VNV106 of a mixed environment), into s: the newest not in tried (a mask
 * of minor versions). Returns it, or -1 when there is none.
 */
static int left_minor(struct venv_scan *s, const struct venv_model *env,
		      const struct venv_report *rep, unsigned long long tried)
{
	size_t i;

	s->orphan_minor = -1;
	for (i = 0; i < rep->nr; i++) {
		int n = venv_fix_left_minor(env, &rep->findings[i]);

		if (n >= 0 && !(tried & (1ULL << n)) && n > s->orphan_minor) {
			s->orphan_minor = n;
			s->orphan_code = rep->findings[i].code;
		}
	}
	return s->orphan_minor;
}

/*
 * What plan (the first look) says of the finding f: the problem of the same
 * finding (same code, and its message before any reason), else a fix
 * declined for f's file, whose finding the other fixes changed (a script
 * that ran the old location now runs a path that does not exist): that
 * reason still holds. NULL when neither.
 */
static const struct venv_problem *planned_for(const struct venv_plan *plan,
					      const struct venv_finding *f)
{
	const struct venv_problem *same_file = NULL;
	size_t n = strlen(f->message), k;

	for (k = 0; k < plan->nprob; k++) {
		const struct venv_problem *p = &plan->problems[k];
		size_t len = p->why ? (size_t)(p->why - p->message) - 2 : strlen(p->message);

		if (p->code == f->code && len == n && !strncmp(p->message, f->message, n))
			return p;
		if (!same_file && p->why && p->rel && f->relpath && !strcmp(p->rel, f->relpath))
			same_file = p;
	}
	return same_file;
}

/*
 * What is left: check's findings on the environment as it is now, at check's
 * default threshold, each with the reason a fixer gave for declining it
 * (from plan, the first look), if any. *errors counts those at error
 * severity: the verdict of `venv check --severity error`. Listed as check
 * shows them; *unlisted counts the rest (rep is uncapped).
 */
static int remaining_from(struct venv_plan *out, size_t *errors, size_t *unlisted,
			  const struct venv_report *rep, const struct venv_plan *plan)
{
	struct venv_rule_filter shown, err;
	unsigned per_code[1000] = { 0 };
	size_t i, kept = 0;
	int error;

	*errors = 0;
	if ((error = venv_rule_filter_init(&shown, NULL, NULL, VENV_SEVERITY_WARNING, NULL)) < 0 ||
	    (error = venv_rule_filter_init(&err, NULL, NULL, VENV_SEVERITY_ERROR, NULL)) < 0)
		return error;
	for (i = 0; i < rep->nr && !error; i++) {
		const struct venv_finding *f = &rep->findings[i];
		const struct venv_problem *p;

		/* The finding's own severity, as check applies it (VNV106, VNV501). */
		if (!venv_rule_filter_wants_severity(&shown, f->code, f->severity))
			continue;
		*errors += venv_rule_filter_wants_severity(&err, f->code, f->severity);
		/* Shown as check shows them: a report the plan came from is uncapped. */
		if (kept >= VENV_REPORT_MAX_FINDINGS || (f->code > 0 && f->code < 1000 &&
		    per_code[f->code]++ >= VENV_REPORT_MAX_PER_CODE)) {
			(*unlisted)++;
			continue;
		}
		kept++;
		p = plan ? planned_for(plan, f) : NULL;
		if (p && p->why)
			error = venv_plan_declined(out, f->code, f->severity, p->rel, f->message,
						   p->why);
		else
			error = venv_plan_problem_sev(out, f->code, f->severity, "%s", f->message);
	}
	return error;
}

/* The environment could not be inspected, or is none: nothing to repair. */
static int not_an_env(const struct venv_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nr; i++)
		if (rep->findings[i].code == VENV_DIAG_NOT_A_VENV ||
		    rep->findings[i].code == VENV_DIAG_CANNOT_INSPECT)
			return venv_error_set(VENV_EINVAL, "%s", rep->findings[i].message);
	return rep->failed ? venv_error_set(VENV_EINVAL, "'%s' cannot be inspected", rep->path) : 0;
}

/*
 * Check's findings on env; with `partial`, only those that decide whether
 * an upgrade may start (an environment at all, every file readable) and
 * which old version it moves packages from (VNV106, VNV114: left_minor):
 * the rules that could find nothing else skip their work.
 */
/*
 * Findings on activation scripts whose fix depends on nothing an upgrade
 * changes: the environment's path and prompt stay, and the upgrade keeps
 * the scripts its maker wrote (keep_scripts in upgrade.c). They are planned
 * from the first look and applied once the upgrade is committed, so the
 * look after the upgrade finds nothing left in them and its report is the
 * verdict, instead of a third pass over every file. A moved environment's
 * (VNV401, VNV402) waits for that look: its fix rewrites pyvenv.cfg too,
 * which the upgrade rewrites; and which scripts should exist (VNV501) may
 * be the new version's business.
 */
static const int early_codes[] = {
	VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE, VENV_DIAG_PROMPT_EXPANSION,
	VENV_DIAG_ACTIVATION_INJECTION, 0
};

static int is_early(int code)
{
	const int *c;

	for (c = early_codes; *c; c++)
		if (*c == code)
			return 1;
	return 0;
}

/*
 * The first look: with partial, only what decides whether an upgrade may
 * start (see repair_one). With seen, the distributions it reads are kept
 * there (their site-packages in *seen_site) for the upgrade, which needs
 * the same next.
 */
static int first_check(struct venv_report *rep, struct venv_model *env, int partial,
		       struct venv_dists *seen, char **seen_site)
{
	static unsigned char decisive[1000];
	struct venv_check_options opts = VENV_CHECK_OPTIONS_INIT;
	const int *c;

	opts.flags = VENV_CHECK_ALL_FINDINGS;   /* a fix for each, not for the first 20 */
	opts.keep_dists = seen;
	opts.keep_site = seen_site;
	if (!partial)
		return venv_check_loaded(rep, env, &opts);
	decisive[VENV_DIAG_NOT_A_VENV] = 1;
	decisive[VENV_DIAG_CANNOT_INSPECT] = 1;
	decisive[VENV_DIAG_UNREADABLE_FILE] = 1;
	decisive[VENV_DIAG_BASE_VERSION_MISMATCH] = 1;
	decisive[VENV_DIAG_ORPHANED_SITE_PACKAGES] = 1;
	for (c = early_codes; *c; c++)
		decisive[*c] = 1;
	opts.selected = decisive;
	return venv_check_loaded(rep, env, &opts);
}

/*
 * The fixes of the first look's early findings (see early_codes) into plan,
 * once the upgrade u is prepared. Across a minor version, the RECORD files
 * that list a planned file are in the old version's site-packages, which
 * the upgrade moves: when one does (none does unless someone made it so),
 * nothing is planned early and the second look plans it all, RECORD too.
 */
static int plan_early(struct venv_envdir *e, const struct venv_model *env,
		      const struct venv_report *rep, const struct venv_upgrade *u,
		      struct venv_plan *plan)
{
	struct venv_report sub = *rep;
	struct vbuf site = VBUF_INIT(VBUF_MAX_PATH);
	size_t i;
	int error = 0;

	sub.findings = calloc(rep->nr ? rep->nr : 1, sizeof(*sub.findings));
	if (!sub.findings)
		return venv_error_set(VENV_ENOMEM, "out of memory");
	sub.nr = sub.alloc = 0;
	for (i = 0; i < rep->nr; i++)
		if (is_early(rep->findings[i].code))
			sub.findings[sub.nr++] = rep->findings[i];
	/* Its problems (what cannot be fixed) are not used: the second look reports them. */
	if (sub.nr)
		error = venv_fix_plan_flags(e, env, &sub, plan,
					    u->minor_change ? VENV_FIX_NO_RECORDS : 0);
	if (!error && plan->nr && u->minor_change &&
	    (error = vbuf_addf(&site, "%s/site-packages", u->old_lib)) == 0 &&
	    (error = venv_fix_records_name(env, &u->dists, site.buf, plan)) > 0) {
		venv_plan_release(plan);
		error = 0;
	}
	free(sub.findings);
	vbuf_release(&site);
	return error;
}

/*
 * How many plans one repair applies at most: a fix may reveal what check
 * could not see before it (a byte-order mark hides pyvenv.cfg's first key,
 * a stale `home` among them), and the look after it plans that too. Each
 * round is a look, a plan and its transaction; a bound, so that fixers
 * that undo each other cannot go on for ever.
 */
#define REPAIR_ROUNDS 3

/*
 * Check's look at the environment as the last plan left it, into rep, and
 * the model it looked at into env (released first), for the next plan.
 * Returns 1 when env holds that model, 0 when the environment could not be
 * loaded (rep then says so, as check says it), or a negative error.
 */
static int look_again(struct venv_report *rep, struct venv_model *env, struct venv_envdir *e,
		      const struct venv_check_options *opts)
{
	int error;

	venv_report_release(rep);
	memset(rep, 0, sizeof(*rep));
	venv_model_release(env);
	if ((error = venv_model_load_at(env, e->fd, e->dir, 0)) == VENV_ENOMEM)
		return error;
	if (error < 0) {
		venv_error_clear();
		return venv_check_env_at(rep, e->fd, e->dir, opts);
	}
	return (error = venv_check_loaded(rep, env, opts)) < 0 ? error : 1;
}

/* Are a and b the same change: the same bytes (link, mode) to the same file? */
static int same_fix(const struct venv_fix *a, const struct venv_fix *b)
{
	return a->kind == b->kind && a->mode == b->mode && a->len == b->len &&
		!strcmp(a->path, b->path) && (!a->src) == (!b->src) &&
		(!a->src || !strcmp(a->src, b->src)) && (!a->data) == (!b->data) &&
		(!a->data || !memcmp(a->data, b->data, a->len));
}

/*
 * Does next plan a change that done does not have? A change planned again
 * as it was made did not take (check still finds what it was for): making
 * it once more would change nothing, so only another change is a reason
 * for another round.
 */
static int plans_new(const struct venv_plan *next, const struct venv_plan *done)
{
	size_t i, k;

	for (i = 0; i < next->nr; i++) {
		for (k = 0; k < done->nr; k++)
			if (same_fix(&next->fixes[i], &done->fixes[k]))
				break;
		if (k == done->nr)
			return 1;
	}
	return 0;
}

/* The problems of src (why a fix was declined) added to dst's, for remaining_from(). */
static int take_reasons(struct venv_plan *dst, const struct venv_plan *src)
{
	size_t i;
	int error = 0;

	for (i = 0; i < src->nprob && !error; i++)
		error = venv_plan_problem_copy(dst, &src->problems[i]);
	return error;
}

static void lock_waiting(void *payload, const char *msg)
{
	const struct venv_repair_opts *o = payload;

	logf_(o, VENV_LOG_WARNING, "%s", msg);
}

int venv_repair(const char *dir, const struct venv_repair_opts *o,
		struct venv_repair_report *r)
{
	struct venv_envdir e = VENV_ENVDIR_INIT;
	struct venv_plan plan = VENV_PLAN_INIT, early = VENV_PLAN_INIT;
	struct venv_report rep = VENV_REPORT_INIT, after = VENV_REPORT_INIT;
	struct venv_model env;
	int loaded = 0;
	struct venv_scan s;
	struct venv_upgrade u;
	struct venv_check_options own_trash = VENV_CHECK_OPTIONS_INIT, all = VENV_CHECK_OPTIONS_INIT;
	struct venv_dists seen = VENV_DISTS_INIT;
	char *seen_site = NULL;
	struct vbuf note = VBUF_INIT(VBUF_MAX_LINE), path = VBUF_INIT(VBUF_MAX_PATH);
	int error, stale = 0, have_upgrade = 0, first_look, round;
	unsigned long long tried = 0;
	size_t changes;

	own_trash.flags = VENV_CHECK_OWN_TRASH | VENV_CHECK_ALL_FINDINGS;
	all.flags = VENV_CHECK_ALL_FINDINGS;
	venv_repair_trash_defer(o->delete_after_exit && !o->dry_run);
	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	memset(&u, 0, sizeof(u));
	if ((error = venv_envdir_open(&e, dir)) < 0 || (error = dup_into(&r->env_dir, e.dir)) < 0)
		goto done;
	/* Only an environment is repaired: decided before anything, even the lock, is written. */
	if ((error = venv_envid_require(NULL, e.fd, e.dir, o->force ? VENV_ENVID_FORCE : 0)) < 0)
		goto done;
	if (!o->dry_run) {
		e.waiting = lock_waiting;
		e.payload = (void *)o;
		if ((error = venv_repair_lock(&e, &stale)) < 0)
			goto done;
		/* What was waited for may have put another tree there: decide again. */
		if ((error = venv_envid_require(NULL, e.fd, e.dir,
						o->force ? VENV_ENVID_FORCE : 0)) < 0)
			goto done;
		if (stale)
			logf_(o, VENV_LOG_INFO, "took over the lock of a repair that did not finish");
		if ((error = venv_repair_recover(&e, &note)) < 0)
			goto done;
		if (error > 0) {
			logf_(o, VENV_LOG_INFO, "%s", note.buf);
			if ((error = dup_into(&r->recovered, note.buf)) < 0)
				goto done;
		}
	} else if (venv_journal_exists(&e) &&
		   (error = dup_into(&r->recovered, "an interrupted repair will be finished or "
				     "rolled back first")) < 0) {
		goto done;
	}
	/*
	 * The environment is loaded once, from the handle repair holds; check's
	 * findings on it are the plan's input: repair has no detection of its own.
	 * An upgrade (not a dry run) plans again on the upgraded environment, so
	 * its first look asks only what decides whether it may start (an
	 * environment, every file readable): the rules over installed
	 * distributions, the costliest, and the plan wait for the second look.
	 */
	first_look = o->upgrade && !o->dry_run;
	error = venv_model_load_at(&env, e.fd, e.dir, 0);
	loaded = 1;
	if (error < 0 || (error = first_check(&rep, &env, first_look, o->upgrade ? &seen : NULL,
						     &seen_site)) < 0 ||
	    (error = not_an_env(&rep)) < 0 || (error = venv_scan_from_model(&s, &env)) < 0 ||
	    (!first_look && (error = venv_fix_plan(&e, &env, &rep, &plan)) < 0) ||
	    (error = venv_plan_dirs_first(&plan)) < 0)
		goto done;
	if ((error = dup_into(&r->old_location, s.old_location)) < 0)
		goto done;
	if (o->upgrade) {
		char left[16];

		left_minor(&s, &env, &rep, tried);
		error = venv_upgrade_prepare(&u, &e, &s, o->python, &seen, seen_site);
		venv_dists_release(&seen);
		if (error < 0)
			goto done;
		have_upgrade = 1;
		if (first_look && (error = plan_early(&e, &env, &rep, &u, &early)) < 0)
			goto done;
		/* Packages an older version left: they come from that version, not pyvenv.cfg's. */
		snprintf(left, sizeof(left), "3.%d", u.old_minor);
		if ((error = dup_into(&r->python, u.python)) < 0 ||
		    (error = dup_into(&r->from_version, u.orphaned ? left : u.old_version)) < 0 ||
		    (error = dup_into(&r->to_version, u.info.version)) < 0)
			goto done;
		/* --upgrade is the consent: nothing is asked. */
	}
	if (o->dry_run) {
		if ((error = take_fixes(&r->done, &plan)) < 0 ||
		    (have_upgrade && (error = venv_upgrade_describe(&u, &e, &s, &r->done)) < 0) ||
		    (have_upgrade && (error = venv_upgrade_report(&u, r)) < 0))
			goto done;
		error = take_problems(&r->remaining, &r->errors, &r->unlisted, &plan, have_upgrade);
		goto done;
	}
	/*
	 * A file that could not be read may still name the old location: a
	 * partial repair would forget where the environment came from, so
	 * nothing is changed until everything can be read.
	 */
	{
		size_t i;

		for (i = 0; i < rep.nr; i++)
			if (rep.findings[i].code == VENV_DIAG_UNREADABLE_FILE)
				break;
		if (i < rep.nr) {
			/* What is left is every finding: the first look had only some. */
			if (first_look) {
				venv_report_release(&rep);
				memset(&rep, 0, sizeof(rep));
				if ((error = venv_check_loaded(&rep, &env, &all)) < 0 ||
				    (error = venv_fix_plan(&e, &env, &rep, &plan)) < 0)
					goto done;
			}
			error = venv_plan_problem(&r->remaining, VENV_DIAG_UNREADABLE_FILE,
						  "nothing was changed: repair needs to read every file "
						  "it may fix");
			if (!error)
				error = remaining_from(&r->remaining, &r->errors, &r->unlisted,
						       &rep, &plan);
			r->errors++;
			goto done;
		}
	}
	/* The archive comes before any change. */
	if (o->archive) {
		if ((error = venv_repair__archive(&path, e.dir, o->archive_file, &e.times[1])) < 0 ||
		    (error = dup_into(&r->archive, path.buf)) < 0)
			goto done;
		/* The report says "archived to FILE" (stdout): here only for -v. */
		logf_(o, VENV_LOG_DEBUG, "archived '%s' to '%s'", e.dir, path.buf);
	}
	/*
	 * An upgrade goes first, in its own transaction: if it fails, the
	 * environment is as it was. What is left to fix is planned again on
	 * the upgraded environment.
	 */
	while (have_upgrade) {
		if (u.orphaned)
			tried |= 1ULL << u.old_minor;
		u.early = &early;
		u.early_done = 0;
		error = venv_upgrade_run(&u, &e, &s, o, &r->done);
		/* What happened to each distribution, also when it failed. */
		if (error < 0) {
			char text[4096];

			snprintf(text, sizeof(text), "%s", venv_error_last());
			venv_upgrade_report(&u, r);
			venv_error_set(error, "%s", text);
			goto done;
		}
		if ((error = venv_upgrade_report(&u, r)) < 0)
			goto done;
		/*
		 * Made inside the upgrade's transaction when they were only files
		 * of bin/; else here, while the old version's files are deleted
		 * (see early_codes).
		 */
		if (early.nr && ((!u.early_done && (error = venv_plan_apply(&e, &early)) < 0) ||
				 (error = take_fixes(&r->done, &early)) < 0))
			goto done;
		venv_plan_release(&plan);
		venv_report_release(&rep);
		venv_model_release(&env);
		memset(&rep, 0, sizeof(rep));
		/*
		 * The look runs while the old version's files are deleted: they
		 * are all in the trash by now (the commit put them there), which
		 * the look passes over as this run's own; nothing else is done
		 * before the trash is gone.
		 */
		error = venv_model_load_at(&env, e.fd, e.dir, 0);
		if (error >= 0)
			error = venv_check_loaded(&rep, &env, &own_trash);
		venv_repair_trash_finish(&e);
		if (error < 0 || (error = venv_fix_plan(&e, &env, &rep, &plan)) < 0 ||
		    (error = venv_plan_dirs_first(&plan)) < 0)
			goto done;
		/* Another old version's site-packages (3.11, then 3.12, both left): moved in turn. */
		venv_scan_release(&s);
		venv_upgrade_release(&u);
		if ((error = venv_scan_from_model(&s, &env)) < 0)
			goto done;
		if (left_minor(&s, &env, &rep, tried) < 0)
			break;
		if ((error = venv_upgrade_prepare(&u, &e, &s, o->python, NULL, NULL)) < 0)
			goto done;
		if (!u.orphaned)
			break;
	}
	changes = plan.nr;   /* take_fixes() empties the plan */
	if ((error = venv_plan_apply(&e, &plan)) < 0 || (error = take_fixes(&r->done, &plan)) < 0)
		goto done;
	/*
	 * The verdict is check's, on the result. When the plan changed nothing,
	 * the result is what was just checked: that report is the verdict (a
	 * pass over every file of an upgraded environment costs as much again).
	 * Otherwise the look at the result may find what the changes revealed
	 * (a byte-order mark removed shows the `home` it hid, and that `home`
	 * may be stale): its fixes are planned and made too, up to
	 * REPAIR_ROUNDS plans, and the last look is the verdict. Its findings'
	 * reasons come from every plan made, the first one's first.
	 */
	if (!changes) {
		after = rep;
		memset(&rep, 0, sizeof(rep));
	}
	for (round = 1; changes; round++) {
		struct venv_plan next = VENV_PLAN_INIT;

		if ((error = look_again(&after, &env, &e, &all)) <= 0 || round == REPAIR_ROUNDS ||
		    !after.nr)
			break;
		if ((error = venv_fix_plan(&e, &env, &after, &next)) < 0 ||
		    (error = venv_plan_dirs_first(&next)) < 0 ||
		    (error = take_reasons(&plan, &next)) < 0 || !plans_new(&next, &r->done)) {
			venv_plan_release(&next);
			break;
		}
		changes = next.nr;
		logf_(o, VENV_LOG_DEBUG, "the changes revealed more to fix: %zu change(s) in round %d",
		      changes, round + 1);
		if ((error = venv_plan_apply(&e, &next)) < 0 ||
		    (error = take_fixes(&r->done, &next)) < 0) {
			venv_plan_release(&next);
			goto done;
		}
		venv_plan_release(&next);
	}
	if (error < 0)
		goto done;
	/* Every finding, to count them all: 30 scripts left are 30, not check's first 20. */
	error = remaining_from(&r->remaining, &r->errors, &r->unlisted, &after, &plan);
	if (after.failed)
		r->errors++;
done:
	if (loaded)
		venv_model_release(&env);
	venv_scan_release(&s);
	venv_upgrade_release(&u);
	venv_dists_release(&seen);
	free(seen_site);
	venv_plan_release(&plan);
	venv_plan_release(&early);
	venv_report_release(&rep);
	venv_report_release(&after);
	vbuf_release(&note);
	vbuf_release(&path);
	if (e.lock_fd >= 0) {
		int top = e.touched;
		size_t i;

		for (i = 0; i < r->done.nr && !top; i++)
			top = !strchr(r->done.fixes[i].path, '/');
		venv_repair_unlock(&e);
		/* The lock file came and went: that alone is no change to the directory. */
		if (!top)
			venv_repair_keep_times(&e);
	}
	venv_envdir_close(&e);
	return error;
}
