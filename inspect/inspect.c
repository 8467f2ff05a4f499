/*
 * venv check as a library: one environment at a time, nothing executed.
 *
 * The environment is loaded once (common/model.c: pyvenv.cfg, bin/, lib/,
 * interpreters, activation scripts, old locations); this file decides
 * whether it is an environment at all, then runs the rule sets of
 * rule_sets[] over the loaded model, each adding findings: the base
 * interpreter (rules_base.c), pyvenv.cfg (rules_cfg.c), activation and
 * console scripts (rules_scripts.c), lib/ and the tree (rules_tree.c).
 */
#include "compat.h"
#include "audit.h"
#include "envdir.h"
#include "ruleset.h"
#include "error.h"
#include "fs.h"
#include "log.h"
#include "path.h"

static const int tree_codes[] = {
	VENV_DIAG_UNREADABLE_FILE, VENV_DIAG_SPECIAL_FILE, VENV_DIAG_LINK_NOT_FOLLOWED,
	VENV_DIAG_WALK_LIMIT, VENV_DIAG_MISSING_LIB64, VENV_DIAG_MISSING_SITE_PACKAGES,
	VENV_DIAG_WRONG_ABI_EXTENSION, VENV_DIAG_ORPHANED_SITE_PACKAGES,
	VENV_DIAG_PTH_MISSING_PATH, VENV_DIAG_WORLD_WRITABLE, VENV_DIAG_EDITABLE_SOURCE_MISSING,
	/* Judged in rules_audit.c, over what the walk listed of site-packages. */
	VENV_DIAG_UNOWNED_FILES, VENV_DIAG_CUSTOMIZE_MODULE,
	0
};

/*
 * Every rule set, in the order they run. A rule file adds its function
 * here (and its object to inspect/Makefile.inc); nothing else changes.
 * A set with `codes` is skipped when none of them is asked for (the
 * others are cheap, or decide for themselves).
 */
static const struct {
	const char *subject;
	int (*run)(struct venv_check_ctx *c);
	const int *codes;
} rule_sets[] = {
	{ "base interpreter", venv_rules_base, NULL },
	{ "pyvenv.cfg", venv_rules_cfg, NULL },
	{ "scripts and activation", venv_rules_scripts, NULL },
	{ "tree", venv_rules_tree, tree_codes },
	{ "installed distributions", venv_rules_dists, NULL },
};

int venv_check_wants_any(const struct venv_check_ctx *c, const int *codes)
{
	if (!c->opts->selected)
		return 1;
	for (; *codes; codes++)
		if (*codes > 0 && *codes < 1000 && c->opts->selected[*codes])
			return 1;
	return 0;
}

static int vadd(struct venv_check_ctx *c, enum venv_severity severity, int code, const char *rel,
		unsigned line, const char *fix, const struct venv_finding_data *data,
		const char *fmt, va_list ap)
{
	struct vbuf file = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *disp = c->env->disp;
	struct venv_finding f;
	int error = 0;

	if (rel) {
		if (rel[0] == '/' || !strcmp(disp, "."))
			error = vbuf_sets(&file, rel);
		else
			error = vbuf_addf(&file, "%s%s%s", disp,
					  disp[strlen(disp) - 1] == '/' ? "" : "/", rel);
	}
	if (!error)
		error = venv_message_vformat(&msg, fmt, ap);
	if (!error) {
		memset(&f, 0, sizeof(f));
		f.code = code;
		f.severity = severity;
		f.file = rel ? file.buf : NULL;
		f.relpath = (char *)rel;
		f.line = line;
		f.message = msg.buf;
		f.fix = (char *)fix;
		if (data)
			f.data = *data;
		error = venv_report_add_finding(c->r, &f);
	}
	vbuf_release(&file);
	vbuf_release(&msg);
	return error;
}

int venv_check_add(struct venv_check_ctx *c, int code, const char *rel, unsigned line,
		   const char *fix, const struct venv_finding_data *data, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vadd(c, 0, code, rel, line, fix, data, fmt, ap);
	va_end(ap);
	return error;
}

int venv_check_add_sev(struct venv_check_ctx *c, enum venv_severity severity, int code,
		       const char *rel, unsigned line, const char *fix,
		       const struct venv_finding_data *data, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vadd(c, severity, code, rel, line, fix, data, fmt, ap);
	va_end(ap);
	return error;
}

int venv_check_report_read(struct venv_check_ctx *c, int rc, int err, const char *rel)
{
	switch (rc) {
	case VENV_RD_LINK:
		return venv_check_add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0, NULL, NULL,
				      "'%s' is a symbolic link; not followed, not inspected", rel);
	case VENV_RD_SPECIAL:
		return venv_check_add(c, VENV_DIAG_SPECIAL_FILE, rel, 0, NULL, NULL,
				      "'%s' is not a regular file; not opened", rel);
	case VENV_RD_TOO_BIG:
		return venv_check_add(c, VENV_DIAG_FILE_TOO_LARGE, rel, 0, NULL, NULL,
				      "'%s' is larger than check reads; not inspected", rel);
	case VENV_RD_DENIED:
	case VENV_RD_IOERR:
		return venv_check_add(c, VENV_DIAG_UNREADABLE_FILE, rel, 0, NULL, NULL,
				      "cannot read '%s': %s", rel, strerror(err ? err : EIO));
	default:
		return 0;
	}
}

static int cmp_findings(const void *a, const void *b)
{
	const struct venv_finding *x = a, *y = b;
	int d;

	if (!x->file != !y->file)
		return x->file ? 1 : -1;
	if (x->file && (d = strcmp(x->file, y->file)))
		return d;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->code - y->code;
}

static int has_activate_or_interp(const struct venv_model *e)
{
	return e->ninterps > 0 || venv_model_find_entry(e, "activate") >= 0;
}

/*
 * Is it an environment, and a finished one? Returns 1 when it is not one
 * (the finding says so and no rule runs), 0 to go on, or an error.
 */
static int judge_environment(struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	size_t i;
	int error, any_site = 0, any_stdlib = 0;

	for (i = 0; i < e->nlibs; i++) {
		any_site |= e->libs[i].has_site;
		any_stdlib |= e->libs[i].has_stdlib;
	}
	if (e->unfinished &&
	    (error = venv_check_add(c, VENV_DIAG_UNFINISHED_CREATION, VENV_MODEL_CREATE_MARKER, 0,
				    NULL, NULL, "'%s' exists: venv create (or --clear) was "
				    "interrupted before it finished", VENV_MODEL_CREATE_MARKER)) < 0)
		return error;
	if (e->repair_journal &&
	    (error = venv_check_add(c, VENV_DIAG_UNFINISHED_REPAIR, VENV_MODEL_REPAIR_JOURNAL, 0,
				    "finish it or roll it back", NULL, "'%s' exists: a venv repair was interrupted "
				    "before it finished (or is running now)",
				    VENV_MODEL_REPAIR_JOURNAL)) < 0)
		return error;
	if (!e->repair_journal && e->repair_trash && !(c->opts->flags & VENV_CHECK_OWN_TRASH) &&
	    (error = venv_check_add(c, VENV_DIAG_UNFINISHED_REPAIR, VENV_MODEL_REPAIR_DELETING,
				    0, "remove it", NULL, "'%s' exists: a venv repair was interrupted "
				    "while it deleted what the environment no longer needs (or "
				    "is running now)", VENV_MODEL_REPAIR_DELETING)) < 0)
		return error;
	if (e->cfg_state == VENV_CFG_ABSENT && !e->unfinished) {
		if (any_stdlib) {
			error = venv_check_add(c, VENV_DIAG_NOT_A_VENV, NULL, 0, NULL, NULL,
					       "'%s' is a Python installation (it has a standard "
					       "library), not a virtual environment", c->r->path);
			return error < 0 ? error : 1;
		}
		if (!has_activate_or_interp(e) && !any_site && e->bin_state != VENV_DIR_OK) {
			/* A project directory: name the environments it holds. */
			struct vbuf below = VBUF_INIT(VBUF_MAX_PATH);

			if (venv_envs_below(&below, c->r->path) > 0)
				error = venv_check_add(c, VENV_DIAG_NOT_A_VENV, NULL, 0, NULL, NULL,
						       "'%s' is not a virtual environment (no "
						       "pyvenv.cfg, no bin/python, no activation "
						       "script); did you mean %s?", c->r->path, below.buf);
			else
				error = venv_check_add(c, VENV_DIAG_NOT_A_VENV, NULL, 0, NULL, NULL,
						       "'%s' is not a virtual environment (no "
						       "pyvenv.cfg, no bin/python, no activation "
						       "script)", c->r->path);
			vbuf_release(&below);
			return error < 0 ? error : 1;
		}
		if (has_activate_or_interp(e)) {
			error = venv_check_add(c, VENV_DIAG_MISSING_PYVENV_CFG, "pyvenv.cfg", 0,
					       "write pyvenv.cfg for the interpreter in bin/", NULL,
					       "'pyvenv.cfg' is missing: Python will not treat this "
					       "directory as an environment");
		} else {
			e->unfinished = 1;
			error = venv_check_add(c, VENV_DIAG_UNFINISHED_CREATION, NULL, 0, NULL, NULL,
					       "the environment's directories exist but pyvenv.cfg "
					       "and the interpreter were never written");
		}
		return error < 0 ? error : 0;
	}
	if (e->cfg_state != VENV_CFG_ABSENT && !e->ninterps && e->bin_state != VENV_DIR_BAD &&
	    e->bin_state != VENV_DIR_LINK && !e->unfinished) {
		/*
		 * bin/ without an interpreter: venv repair makes the names from an
		 * absolute `home` (and `version`), and declines without one
		 * (repair/fix_layout.c, venv_fix_unfinished()).
		 */
		const char *home = e->facts.home_first;
		int makes = e->bin_state == VENV_DIR_OK && home && home[0] == '/';

		e->unfinished = 1;
		if ((error = venv_check_add(c, VENV_DIAG_UNFINISHED_CREATION,
					    e->bin_state == VENV_DIR_OK ? "bin" : NULL, 0,
					    makes ? "make the interpreter names from `home` and "
					    "`version`, as venv create would" : NULL, NULL,
					    "pyvenv.cfg exists but %s", e->bin_state == VENV_DIR_OK ?
					    "'bin' has no Python interpreter" :
					    "there is no 'bin' directory")) < 0)
			return error;
	}
	return 0;
}

int venv_check_loaded(struct venv_report *r, struct venv_model *env,
		      const struct venv_check_options *opts)
{
	static const struct venv_check_options defaults = VENV_CHECK_OPTIONS_INIT;
	struct venv_check_ctx c = { NULL, NULL, NULL, VENV_SITE_LIST_INIT, NULL, VENV_DISTS_INIT, 0, 0,
				      NULL };
	size_t i;
	int error = 0;

	c.r = r;
	c.env = env;
	c.opts = opts ? opts : &defaults;
	if (c.opts->flags & VENV_CHECK_ALL_FINDINGS)
		r->uncapped = 1;
	if (!r->path && !(r->path = strdup(env->disp)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	r->creator = env->creator;
	if (env->cfg_state == VENV_CFG_OK && env->facts.version[0] && !r->version &&
	    !(r->version = strdup(env->facts.version)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if (strchr(env->abs, ':') &&
	    (error = venv_check_add(&c, VENV_DIAG_PATH_SEPARATOR, NULL, 0, NULL, NULL,
				    "the environment path '%s' contains ':', which splits PATH "
				    "after activation", env->abs)) < 0)
		goto done;
	/* What the loader could not read. */
	for (i = 0; i < env->nproblems; i++) {
		const struct venv_model_problem *p = &env->problems[i];

		if ((error = venv_check_add(&c, p->code, p->relpath, 0, p->fix, NULL, "%s",
					    p->message)) < 0)
			goto done;
	}
	if ((error = judge_environment(&c)) != 0) {
		error = error > 0 ? 0 : error;
		goto done;
	}
	/* Files are hashed early only as the walk of the tree rules meets them. */
	if (venv_check_wants_any(&c, tree_codes) && (error = venv_audit_early_start(&c)) < 0)
		goto done;
	if ((error = venv_check_dists_prefetch(&c)) < 0)
		goto done;
	for (i = 0; i < VENV_ARRAY_SIZE(rule_sets); i++)
		if ((!rule_sets[i].codes || venv_check_wants_any(&c, rule_sets[i].codes)) &&
		    (error = rule_sets[i].run(&c)) < 0)
			goto done;
done:
	venv_check_dists_prefetch_join(&c, 1);
	venv_audit_early_release(c.early);
	venv_dists_release(&c.dists);
	venv_site_list_release(&c.site);
	if (r->nr > 1)
		qsort(r->findings, r->nr, sizeof(*r->findings), cmp_findings);
	return error;
}

/* A path that cannot be inspected at all: one finding, and out->failed. */
static int cannot_inspect(struct venv_report *r, const char *message)
{
	r->failed = 1;
	return venv_report_add(r, VENV_DIAG_CANNOT_INSPECT, NULL, 0, NULL, "%s", message);
}

int venv_check_env_at(struct venv_report *r, int dirfd, const char *path,
		      const struct venv_check_options *opts)
{
	struct venv_model env;
	int error;

	memset(r, 0, sizeof(*r));
	if (!(r->path = strdup(path)))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	if ((error = venv_model_load_at(&env, dirfd, path, 0)) < 0) {
		if (error != VENV_ENOMEM)
			error = cannot_inspect(r, venv_error_last());
		goto done;
	}
	error = venv_check_loaded(r, &env, opts);
done:
	venv_model_release(&env);
	return error;
}

int venv_check_env(struct venv_report *r, const char *path,
		   const struct venv_check_options *opts)
{
	char msg[PATH_MAX + 200];
	int fd, error;

	memset(r, 0, sizeof(*r));
	if (!*path) {
		if (!(r->path = strdup(path)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		return cannot_inspect(r, "an empty path names nothing");
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "cannot open '%s': %s", path, strerror(errno));
		if (!(r->path = strdup(path)))
			return venv_error_set(VENV_ENOMEM, "out of memory");
		return cannot_inspect(r, msg);
	}
	error = venv_check_env_at(r, fd, path, opts);
	close(fd);
	return error;
}
