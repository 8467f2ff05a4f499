/*
 * Repair's plan from check's findings: the table of fixers, the driver,
 * the helpers the fixers share, and the fixers that only decline (what
 * only --upgrade or a real run can do). The fixers of pyvenv.cfg are in
 * fix_cfg.c; of the layout (interpreter names, lib64, site-packages,
 * modes) in fix_layout.c; of scripts, activation scripts and .pth files
 * in fix_scripts.c.
 */
#include "compat.h"
#include "venv.h"
#include "cfgcheck.h"
#include "diag.h"
#include "fix.h"
#include "fs.h"
#include "path.h"
#include "text.h"

/* ------------------------------------------------------------------------ */
/* Shared helpers. */

int venv_fix_decline(struct venv_fixctx *x, const char *fmt, ...)
{
	va_list ap;
	int error;

	vbuf_reset(&x->why);
	va_start(ap, fmt);
	error = vbuf_vaddf(&x->why, fmt, ap);
	va_end(ap);
	return error < 0 ? error : VENV_FIX_DECLINED;
}

const char *venv_fix_rel(const struct venv_finding *f)
{
	return f->relpath && f->relpath[0] != '/' ? f->relpath : NULL;
}

int venv_fix_left_minor(const struct venv_model *env, const struct venv_finding *f)
{
	static const char post[] = "/site-packages";
	/* The environment's own implementation's: lib/pypy3.8 of a PyPy, lib/python3.12 else. */
	const char *pre = venv_model_is_pypy(env) ? "lib/pypy3." : "lib/python3.";
	const char *p = f->relpath;
	size_t plen = strlen(pre);
	int n = 0;

	if (f->code == VENV_DIAG_BASE_VERSION_MISMATCH) {
		/* Not the interpreter itself running another version than pyvenv.cfg's. */
		if (!f->data.found || !env->bin_ver[0] || !strcmp(f->data.found, env->bin_ver) ||
		    !f->data.want || strcmp(f->data.want, env->bin_ver))
			return -1;
		n = venv_model_minor_of(f->data.found);
		return n >= 0 && n < 64 && strchr(f->data.found, 't') == NULL ? n : -1;
	}
	if (f->code != VENV_DIAG_ORPHANED_SITE_PACKAGES || !p || strncmp(p, pre, plen))
		return -1;
	for (p += plen; *p >= '0' && *p <= '9' && n < 64; p++)
		n = n * 10 + (*p - '0');
	/* Not "3.13t" (another ABI), nor a number of its own. */
	if (n >= 64 || p[-1] == '.' || strcmp(p, post))
		return -1;
	/* Not the version it runs: that one is no orphan. */
	return n == venv_model_minor_of(env->active_ver) ? -1 : n;
}

int venv_fix_read(struct venv_fixctx *x, const char *rel, struct vbuf *out)
{
	const char *base;
	int dfd = venv_repair_open_parent(x->e->fd, rel, &base), error;

	if (dfd < 0)
		return dfd;
	error = venv_fs_read_file_at(out, dfd, base, out->max);
	close(dfd);
	return error;
}

/*
 * The execute bits a planned change of mode gives rel (VNV415): a rewrite
 * planned after it, which keeps the mode of the file there, keeps them
 * too (the change of mode is applied first, to the file replaced).
 */
static unsigned planned_exec_bits(const struct venv_plan *plan, const char *rel)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (plan->fixes[i].kind == VENV_FIX_CHMOD && !strcmp(plan->fixes[i].path, rel))
			bits |= plan->fixes[i].mode & 0111;
	return bits;
}

int venv_fix_write_shown(struct venv_fixctx *x, int code, const char *rel, const char *data,
			 size_t len, unsigned mode, const char *summary, const char *before,
			 size_t blen, const char *after, size_t alen)
{
	size_t planned = x->plan->nr;
	struct venv_fix *fx;
	int error = venv_fix_write(x, code, rel, data, len, mode, summary);

	if (error < 0 || x->plan->nr == planned)
		return error;
	fx = venv_plan_last(x->plan);
	if ((before && !(fx->before = strndup(before, blen))) ||
	    (after && !(fx->after = strndup(after, alen))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	return 0;
}

int venv_fix_write(struct venv_fixctx *x, int code, const char *rel, const char *data, size_t len,
		   unsigned mode, const char *summary)
{
	const char *base;
	struct stat st;
	int dfd, exists = 0, error;

	if ((dfd = venv_repair_open_parent(x->e->fd, rel, &base)) >= 0) {
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			exists = 1;
			if (S_ISREG(st.st_mode))
				mode = (st.st_mode & 07777) | planned_exec_bits(x->plan, rel);
		}
		/* Already what it would become (a finding about something else): no change. */
		if (exists && S_ISREG(st.st_mode) && (size_t)st.st_size == len &&
		    !(st.st_mode & S_IWOTH)) {
			struct vbuf cur = VBUF_INIT(len + 1);
			int same = venv_fs_read_file_at(&cur, dfd, base, len + 1) == 0 &&
				   cur.len == len && !memcmp(cur.buf, data, len);

			vbuf_release(&cur);
			venv_error_clear();
			if (same) {
				close(dfd);
				return 0;
			}
		}
		close(dfd);
	}
	/* Never write a file others may change (VNV409). */
	mode &= ~(unsigned)S_IWOTH;
	if ((error = venv_plan_add(x->plan, code, VENV_FIX_WRITE, rel, data, len, mode, summary)) < 0)
		return error;
	venv_plan_last(x->plan)->replaces = exists;
	return 0;
}

int venv_fix_env_python(struct venv_fixctx *x, struct vbuf *out, const char *name)
{
	struct stat st;

	vbuf_reset(out);
	if (name && x->bfd >= 0 && fstatat(x->bfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		/* Not there: the main one serves. Not examinable: which to keep is not known. */
		if (errno != ENOENT)
			return venv_fix_decline(x, "bin/%s cannot be examined: %s", name,
						strerror(errno));
		name = NULL;
	}
	if (!name || x->bfd < 0)
		name = x->interp;
	if (!name)
		return venv_fix_decline(x, "the environment has no interpreter in bin/");
	return vbuf_addf(out, "%s/bin/%s", x->e->dir, name);
}

/*
 * A PyPy of the environment's minor version: pypy3.X, else pypy3, on PATH
 * (a version request finds CPythons only). Each is run once (cached) to
 * make sure it is PyPy and of that version.
 */
static int find_pypy(struct venv_fixctx *x, struct vbuf *found)
{
	char name[16];
	const char *names[2];
	size_t i;

	snprintf(name, sizeof(name), "pypy3.%d", x->minor);
	names[0] = name;
	names[1] = "pypy3";
	for (i = 0; i < VENV_ARRAY_SIZE(names); i++) {
		struct venv_pyinfo info;
		int ok;

		if (venv_python_find(found, names[i]) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		ok = venv_pyinfo_load(&info, found->buf, 0) == 0 && venv_pyinfo_is_pypy(&info) &&
		     info.minor == x->minor;
		venv_pyinfo_release(&info);
		if (ok)
			return 0;
	}
	return VENV_ENOTFOUND;
}

/* The `--python` to give when the base is gone or another: exactly which, when we can tell. */
static int python_hint(struct venv_fixctx *x, struct vbuf *out)
{
	struct vbuf found = VBUF_INIT(VBUF_MAX_PATH), q = VBUF_INIT(VBUF_MAX_PATH);
	/* A PyPy environment wants a PyPy: its packages are in lib/pypy3.X. */
	int pypy = x->env && venv_model_is_pypy(x->env);
	const char *impl = pypy ? "PyPy" : "Python";
	char spec[16];
	int error = 0;

	vbuf_reset(out);
	if (x->minor >= 0) {
		snprintf(spec, sizeof(spec), "3.%d", x->minor);
		if ((pypy ? find_pypy(x, &found) : venv_python_find(&found, spec)) == 0 &&
		    venv_shquote_posix(&q, found.buf) == 0)
			error = vbuf_addf(out, "run 'venv repair --upgrade --python %s' (%s %s, "
					  "the version it was made for)", q.buf, impl, spec);
		else
			error = vbuf_addf(out, "no %s %s was found here: install it, or move to "
					  "another version with 'venv repair --upgrade --python "
					  "PYTHON'", impl, spec);
	} else {
		error = vbuf_adds(out, "its Python version is not known: run 'venv repair "
				  "--upgrade --python PYTHON' with the interpreter to use");
	}
	venv_error_clear();
	vbuf_release(&found);
	vbuf_release(&q);
	return error;
}

int venv_fix_decline_upgrade(struct venv_fixctx *x, const char *what)
{
	struct vbuf hint = VBUF_INIT(VBUF_MAX_LINE);
	int error;

	if ((error = python_hint(x, &hint)) >= 0)
		error = venv_fix_decline(x, "%s; %s", what, hint.buf);
	vbuf_release(&hint);
	return error;
}

/* Is `path` an interpreter of the environment's minor version? Runs it once (cached). */
static int python_of_version(struct venv_fixctx *x, const char *path)
{
	struct venv_pyinfo info;
	struct stat st;
	int ok;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return 0;
	memset(&info, 0, sizeof(info));
	ok = venv_pyinfo_load(&info, path, 0) == 0 && (x->minor < 0 || info.minor == x->minor);
	venv_pyinfo_release(&info);
	venv_error_clear();
	return ok;
}

/*
 * The base interpreter named by `home` (and `executable`, `version`), as
 * CPython would make the first name in bin/: <home>/<name>.
 */
int venv_fix_base_from_home(struct venv_fixctx *x, const char *want, struct vbuf *path,
			    struct vbuf *name)
{
	const char *home = x->cfg_state == FIXCFG_OK ? venv_cfg_get_first(&x->cfg, "home") : NULL;
	const char *exe = x->cfg_state == FIXCFG_OK ? venv_cfg_get_first(&x->cfg, "executable") :
			  NULL;
	const char *cands[5];
	char minor[32];
	size_t n = 0, i;

	if (!home || home[0] != '/')
		return 0;
	if (want)
		cands[n++] = want;
	if (exe && strrchr(exe, '/'))
		cands[n++] = strrchr(exe, '/') + 1;
	if (x->minor >= 0) {
		snprintf(minor, sizeof(minor), "python3.%d", x->minor);
		cands[n++] = minor;
	}
	cands[n++] = "python3";
	cands[n++] = "python";
	for (i = 0; i < n; i++) {
		if (venv_path_join(path, home, cands[i]) < 0)
			return VENV_ENOMEM;
		if (python_of_version(x, path->buf))
			return vbuf_sets(name, cands[i]) < 0 ? VENV_ENOMEM : 1;
	}
	return 0;
}

int venv_fix_base_info(struct venv_fixctx *x)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(VBUF_MAX_PATH);
	const char *base = x->base_ok ? x->base_python : NULL;
	int error = 0;

	if (x->info_state > 0)
		goto done;
	if (x->info_state < 0) {
		error = venv_fix_decline(x, "the base interpreter cannot be told from the "
					 "environment");
		goto done;
	}
	x->info_state = -1;
	if (!base && (error = venv_fix_base_from_home(x, NULL, &path, &name)) > 0)
		base = path.buf;
	if (error < 0)
		goto done;
	if (!base) {
		error = venv_fix_decline_upgrade(x, x->copies ? "the interpreter is a copy, which "
						 "does not say which base it came from" : "the base "
						 "interpreter cannot be told from the environment");
		goto done;
	}
	if ((error = venv_pyinfo_load(&x->info, base, 0)) < 0) {
		error = venv_fix_decline_upgrade(x, venv_error_last());
		goto done;
	}
	x->info_state = 1;
done:
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

/* ------------------------------------------------------------------------ */
/* The fixers that decline. */

/* Codes only --upgrade (a new base) can fix: say exactly which --python. */
/*
 * An interrupted repair is finished or rolled back by venv_repair_recover()
 * before the environment is looked at, so a plan meets it only in a dry
 * run, which changes nothing: say what the real run does first.
 */
static int fix_unfinished_repair(struct venv_fixctx *x, const struct venv_finding *f,
				 const char *rel)
{
	(void)f;
	(void)rel;
	return venv_fix_decline(x, "venv repair (not --dry-run) finishes or rolls back the "
				"interrupted repair before anything else");
}

static int fix_needs_upgrade(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	(void)rel;
	/*
	 * Packages left by an older version while the interpreter runs: one
	 * command moves them, to the interpreter the environment has.
	 */
	if (x->base_ok && x->env->bin_ver[0] && venv_fix_left_minor(x->env, f) >= 0) {
		struct vbuf q = VBUF_INIT(VBUF_MAX_PATH);
		int error;

		if ((error = venv_shquote_posix(&q, x->e->dir)) == 0)
			error = venv_fix_decline(x, "run 'venv repair --upgrade %s' to move %s into "
						 "'lib/%s%s/site-packages' (Python %s, which the "
						 "environment runs)%s", q.buf,
						 f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES ? "them" :
						 "the old version's packages",
						 venv_model_is_pypy(x->env) ? "pypy" : "python",
						 x->env->bin_ver, x->env->bin_ver, f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES ?
						 "" : " and remove the old version's names");
		vbuf_release(&q);
		return error;
	}
	/* Another implementation's of the same version (lib/python3.9 under PyPy 3.9). */
	if (f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES && f->relpath && x->env->active_ver[0] &&
	    !strncmp(f->relpath, "lib/", 4) && !venv_model_is_own_lib(x->env, f->relpath + 4))
		return venv_fix_decline(x, "its packages are another implementation's (CPython reads "
					"lib/pythonX.Y, PyPy lib/pypyX.Y) and venv repair does not "
					"move them: install them again in the environment");
	if (f->code == VENV_DIAG_BASE_VERSION_MISMATCH || f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES) {
		struct vbuf q = VBUF_INIT(VBUF_MAX_PATH), hint = VBUF_INIT(VBUF_MAX_LINE);
		int error;

		if (x->base_python && venv_shquote_posix(&q, x->base_python) == 0 &&
		    python_hint(x, &hint) == 0)
			error = venv_fix_decline(x, "run 'venv repair --upgrade --python %s' to move "
						 "its packages to the Python it runs now, or %s",
						 q.buf, hint.buf);
		else
			error = venv_fix_decline_upgrade(x, "the interpreter is another version now");
		vbuf_release(&q);
		vbuf_release(&hint);
		return error;
	}
	return venv_fix_decline_upgrade(x, "the base installation is gone or damaged");
}

/* ------------------------------------------------------------------------ */
/* The table and the driver. */

const struct venv_fixer venv_fixers[] = {
	{ VENV_DIAG_LINK_NOT_FOLLOWED, venv_fix_link_not_followed },
	{ VENV_DIAG_UNFINISHED_CREATION, venv_fix_unfinished },
	{ VENV_DIAG_MISSING_PYVENV_CFG, venv_fix_cfg_rewrite },
	{ VENV_DIAG_BASE_MISSING, fix_needs_upgrade },
	{ VENV_DIAG_DANGLING_INTERPRETER_LINK, venv_fix_dangling },
	{ VENV_DIAG_BASE_STDLIB_MISSING, fix_needs_upgrade },
	{ VENV_DIAG_BASE_VERSION_MISMATCH, fix_needs_upgrade },
	{ VENV_DIAG_STALE_VERSION, venv_fix_cfg_version },
	{ VENV_DIAG_STALE_COPIED_INTERPRETER, venv_fix_copy_again },
	{ VENV_DIAG_MISSING_INTERPRETER_ALIAS, venv_fix_alias },
	{ VENV_DIAG_MISSING_LIB64, venv_fix_lib64 },
	{ VENV_DIAG_MISSING_SITE_PACKAGES, venv_fix_mkdir },
	{ VENV_DIAG_MISSING_PYTHON, venv_fix_alias },
	{ VENV_DIAG_ORPHANED_SITE_PACKAGES, fix_needs_upgrade },
	{ VENV_DIAG_STALE_HOME, venv_fix_cfg_home },
	{ VENV_DIAG_BAD_INTERPRETER, venv_fix_bad_interp },
	{ VENV_DIAG_UNFINISHED_REPAIR, fix_unfinished_repair },
	{ VENV_DIAG_CFG_UNREADABLE, venv_fix_cfg_rewrite },
	{ VENV_DIAG_CFG_NOT_UTF8, venv_fix_cfg_rewrite },
	{ VENV_DIAG_CFG_BOM, venv_fix_cfg_format },
	{ VENV_DIAG_CFG_MISSING_HOME, venv_fix_cfg_home },
	{ VENV_DIAG_CFG_DUPLICATE_HOME, venv_fix_cfg_dup_home },
	{ VENV_DIAG_CFG_NO_FINAL_NEWLINE, venv_fix_cfg_format },
	{ VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, venv_fix_cfg_system_site },
	{ VENV_DIAG_CFG_STRICT_FORMAT, venv_fix_cfg_format },
	{ VENV_DIAG_CFG_SYMLINK, venv_fix_cfg_rewrite },
	{ VENV_DIAG_CFG_SHADOWED, venv_fix_remove },
	{ VENV_DIAG_CFG_MISSING_VERSION, venv_fix_cfg_version },
	{ VENV_DIAG_CFG_LONE_CR, venv_fix_cfg_format },
	{ VENV_DIAG_RELOCATED_ENVIRONMENT, venv_fix_activation },
	{ VENV_DIAG_STALE_ACTIVATION_PATH, venv_fix_activation },
	{ VENV_DIAG_SHEBANG_MISSING_INTERPRETER, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_OLD_LOCATION, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_TRUNCATED, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_NOT_PORTABLE, venv_fix_shebang },
	{ VENV_DIAG_PTH_MISSING_PATH, venv_fix_pth },
	{ VENV_DIAG_WORLD_WRITABLE, venv_fix_mode },
	{ VENV_DIAG_ACTIVATION_INJECTION, venv_fix_activation },
	{ VENV_DIAG_SHEBANG_INJECTION, venv_fix_shebang },
	{ VENV_DIAG_EDITABLE_SOURCE_MISSING, venv_fix_pth },
	{ VENV_DIAG_SCRIPT_NOT_EXECUTABLE, venv_fix_exec },
	{ VENV_DIAG_DIRECT_URL_OLD_LOCATION, venv_fix_direct_url },
	{ VENV_DIAG_MISSING_ACTIVATION_SCRIPT, venv_fix_missing_activation },
	{ VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE, venv_fix_activation },
	{ VENV_DIAG_PROMPT_EXPANSION, venv_fix_activation },
	{ VENV_DIAG_ENTRY_POINT_MODULE_MISSING, venv_fix_seed },
};

const size_t venv_fixers_count = VENV_ARRAY_SIZE(venv_fixers);

const struct venv_fixer *venv_fixer_get(int code)
{
	size_t i;

	for (i = 0; i < venv_fixers_count; i++)
		if (venv_fixers[i].code == code)
			return &venv_fixers[i];
	return NULL;
}

static int planned_content(const struct venv_plan *plan, const char *rel)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (plan->fixes[i].kind != VENV_FIX_CHMOD && !strcmp(plan->fixes[i].path, rel))
			return 1;
	return 0;
}

static int ctx_init(struct venv_fixctx *x, struct venv_envdir *e, const struct venv_model *env,
		    const struct venv_report *rep, struct venv_plan *plan)
{
	struct vbuf raw = VBUF_INIT(VBUF_MAX_CFG), tmp = VBUF_INIT(VBUF_MAX_PATH);
	const char *v;
	int a, b, m, error;

	memset(x, 0, sizeof(*x));
	x->e = e;
	x->rep = rep;
	x->plan = plan;
	x->minor = -1;
	x->env = env;
	if (env->main >= 0) {
		const struct venv_model_interp *in = &env->interps[env->main];

		x->interp = in->name;
		x->base_python = in->kind == VENV_IK_LINK_EXTERNAL ? in->abs_target : NULL;
		x->copies = in->kind == VENV_IK_COPY;
		x->base_ok = in->status == VENV_IS_OK;
	}
	x->old = env->old;
	x->nold = env->nold;
	vbuf_init(&x->cfg_before, VBUF_MAX_LINE);
	vbuf_init(&x->cfg_after, VBUF_MAX_LINE);
	vbuf_init(&x->why, VBUF_MAX_LINE);
	vbuf_init(&x->pth_text, VBUF_MAX_CFG);
	vbuf_init(&x->pth_before, VBUF_MAX_LINE);
	vbuf_init(&x->pth_after, VBUF_MAX_LINE);
	x->bfd = openat(e->fd, "bin", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x->bfd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
		/*
		 * bin/ is there but cannot be opened now (an I/O error, out of
		 * descriptors): planning without it would give the scripts
		 * another interpreter name than a repair that can see bin/ (the
		 * environment's main one instead of the one they name) and exit
		 * 0. Nothing is written yet: stop here.
		 */
		error = venv_error_set_errno(venv_error_from_errno(errno), "cannot open '%s/bin'",
					     e->dir);
		goto done;
	}
	error = venv_fs_read_file_at(&raw, e->fd, "pyvenv.cfg", VBUF_MAX_CFG);
	if (error == 0) {
		/* A byte-order mark hides the first key (VNV203): read on without it. */
		size_t bom = raw.len >= 3 && !memcmp(raw.buf, "\xef\xbb\xbf", 3) ? 3 : 0;

		if ((error = venv_cfg_parse(&x->cfg, raw.buf + bom, raw.len - bom)) < 0)
			goto done;
		x->cfg_state = FIXCFG_OK;
	} else if (env->cfg_state == VENV_CFG_OK && error != VENV_ENOTFOUND) {
		/*
		 * Read a moment ago, unreadable now (an I/O error, out of
		 * descriptors): planning without its keys would leave the old
		 * location in it and exit 0. Nothing is written yet: stop here.
		 */
		goto done;
	} else {
		x->cfg_state = error == VENV_ENOTFOUND ? FIXCFG_ABSENT : FIXCFG_UNREADABLE;
		error = 0;
		venv_error_clear();
	}
	if (rep->version && venv_version_parse(rep->version, &a, &b, &m) == 0 && a == 3)
		x->minor = b;
	if (x->minor < 0)
		x->minor = venv_model_minor_of(env->env_ver);
	/* The prompt: pyvenv.cfg's, as venv create would use it; else the directory's name. */
	if (x->cfg_state == FIXCFG_OK && (v = venv_cfg_get_last(&x->cfg, "prompt")) != NULL) {
		if (venv_repair_pyliteral(&tmp, v) < 0)
			error = vbuf_sets(&tmp, v);
	}
	/*
	 * None, or one that is not one line of UTF-8 text (which venv create
	 * refuses, and repair does not keep in pyvenv.cfg): the directory's name.
	 */
	if (!(x->cfg_state == FIXCFG_OK && v) || (error >= 0 && !venv_cfg_text_ok(tmp.buf)))
		error = venv_path_basename(&tmp, e->dir);
	venv_error_clear();
	if (error >= 0 && !(x->prompt = strdup(tmp.buf)))
		error = venv_error_set(VENV_ENOMEM, "out of memory");
done:
	vbuf_release(&raw);
	vbuf_release(&tmp);
	return error;
}

static void ctx_release(struct venv_fixctx *x)
{
	if (x->bfd >= 0)
		close(x->bfd);
	venv_cfg_release(&x->cfg);
	vbuf_release(&x->cfg_before);
	vbuf_release(&x->cfg_after);
	vbuf_release(&x->why);
	vbuf_release(&x->pth_text);
	vbuf_release(&x->pth_before);
	vbuf_release(&x->pth_after);
	free(x->pth_rel);
	free(x->prompt);
	if (x->info_state > 0)
		venv_pyinfo_release(&x->info);
}

int venv_fix_plan(struct venv_envdir *e, const struct venv_model *env,
		  const struct venv_report *rep, struct venv_plan *plan)
{
	return venv_fix_plan_flags(e, env, rep, plan, 0);
}

int venv_fix_plan_flags(struct venv_envdir *e, const struct venv_model *env,
			const struct venv_report *rep, struct venv_plan *plan, unsigned flags)
{
	struct venv_fixctx x;
	size_t i;
	int error;

	if ((error = ctx_init(&x, e, env, rep, plan)) < 0)
		goto done;
	for (i = 0; i < rep->nr && error >= 0; i++) {
		const struct venv_finding *f = &rep->findings[i];
		const struct venv_fixer *fx = venv_fixer_get(f->code);
		const char *rel = venv_fix_rel(f);
		int r;

		if (!fx) {
			error = venv_plan_problem_sev(plan, f->code, f->severity, "%s", f->message);
			continue;
		}
		vbuf_reset(&x.why);
		/*
		 * A file already rewritten in the plan: its other findings go with
		 * it, but for a lost execute permission, which the rewrite keeps.
		 */
		if (rel && f->code != VENV_DIAG_PTH_MISSING_PATH &&
		    f->code != VENV_DIAG_EDITABLE_SOURCE_MISSING &&
		    f->code != VENV_DIAG_SCRIPT_NOT_EXECUTABLE && planned_content(plan, rel))
			continue;
		r = fx->fix(&x, f, rel);
		if (r < 0)
			error = r;
		else if (r == VENV_FIX_DECLINED)
			error = venv_plan_declined(plan, f->code, f->severity, rel, f->message,
						   x.why.buf);
	}
	if (error >= 0)
		error = venv_fix_pth_flush(&x);
	if (error >= 0)
		error = venv_fix_cfg_flush(&x);
	if (error >= 0 && !(flags & VENV_FIX_NO_RECORDS))
		error = venv_fix_records(&x);
done:
	ctx_release(&x);
	return error;
}
