/*
 * Repair's plan from check's findings: the table of fixers, the driver,
 * and the fixers of the layout (interpreter names, lib64, site-packages,
 * modes) and of pyvenv.cfg. The fixers of scripts, activation scripts and
 * .pth files are in fix_scripts.c.
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
	static const char pre[] = "lib/python3.", post[] = "/site-packages";
	const char *p = f->relpath;
	int n = 0;

	if (f->code == VENV_DIAG_BASE_VERSION_MISMATCH) {
		/* Not the interpreter itself running another version than pyvenv.cfg's. */
		if (!f->data.found || !env->bin_ver[0] || !strcmp(f->data.found, env->bin_ver) ||
		    !f->data.want || strcmp(f->data.want, env->bin_ver))
			return -1;
		n = venv_model_minor_of(f->data.found);
		return n >= 0 && n < 64 && strchr(f->data.found, 't') == NULL ? n : -1;
	}
	if (f->code != VENV_DIAG_ORPHANED_SITE_PACKAGES || !p || strncmp(p, pre, sizeof(pre) - 1))
		return -1;
	for (p += sizeof(pre) - 1; *p >= '0' && *p <= '9' && n < 64; p++)
		n = n * 10 + (*p - '0');
	/* Not "3.13t" (another ABI), nor a number of its own. */
	return n < 64 && p[-1] != '.' && !strcmp(p, post) ? n : -1;
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
				mode = st.st_mode & 07777;
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

/* The `--python` to give when the base is gone or another: exactly which, when we can tell. */
static int python_hint(struct venv_fixctx *x, struct vbuf *out)
{
	struct vbuf found = VBUF_INIT(VBUF_MAX_PATH), q = VBUF_INIT(VBUF_MAX_PATH);
	char spec[16];
	int error = 0;

	vbuf_reset(out);
	if (x->minor >= 0) {
		snprintf(spec, sizeof(spec), "3.%d", x->minor);
		if (venv_python_find(&found, spec) == 0 && venv_shquote_posix(&q, found.buf) == 0)
			error = vbuf_addf(out, "run 'venv repair --upgrade --python %s' (Python %s, "
					  "the version it was made for)", q.buf, spec);
		else
			error = vbuf_addf(out, "no Python %s was found here: install it, or move to "
					  "another version with 'venv repair --upgrade --python "
					  "PYTHON'", spec);
	} else {
		error = vbuf_adds(out, "its Python version is not known: run 'venv repair "
				  "--upgrade --python PYTHON' with the interpreter to use");
	}
	venv_error_clear();
	vbuf_release(&found);
	vbuf_release(&q);
	return error;
}

static int decline_upgrade(struct venv_fixctx *x, const char *what)
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
static int base_from_home(struct venv_fixctx *x, const char *want, struct vbuf *path,
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
	if (!base && (error = base_from_home(x, NULL, &path, &name)) > 0)
		base = path.buf;
	if (error < 0)
		goto done;
	if (!base) {
		error = decline_upgrade(x, x->copies ? "the interpreter is a copy, which does not "
					"say which base it came from" : "the base interpreter cannot be "
					"told from the environment");
		goto done;
	}
	if ((error = venv_pyinfo_load(&x->info, base, 0)) < 0) {
		error = decline_upgrade(x, venv_error_last());
		goto done;
	}
	x->info_state = 1;
done:
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

/* ------------------------------------------------------------------------ */
/* pyvenv.cfg: the fixers edit x->cfg; one write at the end. */

int venv_fix_cfg_changed(struct venv_fixctx *x, int code, const char *before, const char *after)
{
	char c[16];

	venv_diag_code_str(c, sizeof(c), code);
	if (!x->cfg_code)
		x->cfg_code = code;
	if (!strstr(x->cfg_codes, c) && strlen(x->cfg_codes) + 10 < sizeof(x->cfg_codes))
		snprintf(x->cfg_codes + strlen(x->cfg_codes), sizeof(x->cfg_codes) -
			 strlen(x->cfg_codes), "%s%s", *x->cfg_codes ? ", " : "", c);
	if (before && vbuf_addf(&x->cfg_before, "%s%s", x->cfg_before.len ? "\n" : "", before) < 0)
		return VENV_ENOMEM;
	if (after && vbuf_addf(&x->cfg_after, "%s%s", x->cfg_after.len ? "\n" : "", after) < 0)
		return VENV_ENOMEM;
	return 0;
}

static int cfg_set(struct venv_fixctx *x, int code, const char *key, const char *value)
{
	const char *old = venv_cfg_get_first(&x->cfg, key);
	struct vbuf b = VBUF_INIT(VBUF_MAX_LINE), a = VBUF_INIT(VBUF_MAX_LINE);
	int error;

	if (old)
		vbuf_addf(&b, "%s = %s", key, old);
	vbuf_addf(&a, "%s = %s", key, value);
	if ((error = venv_cfg_set(&x->cfg, key, value)) >= 0)
		error = venv_fix_cfg_changed(x, code, old ? b.buf : NULL, a.buf);
	vbuf_release(&b);
	vbuf_release(&a);
	return error;
}

static int fix_cfg_format(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	(void)rel;
	if (x->cfg_state != FIXCFG_OK)
		return venv_fix_decline(x, "pyvenv.cfg could not be read");
	/* 208: the `home` line in the form every reader knows. */
	if (f->code == VENV_DIAG_CFG_STRICT_FORMAT && venv_cfg_get_first(&x->cfg, "home")) {
		struct vbuf v = VBUF_INIT(VBUF_MAX_PATH);
		int error = vbuf_sets(&v, venv_cfg_get_first(&x->cfg, "home"));

		if (error >= 0)
			error = cfg_set(x, f->code, "home", v.buf);
		vbuf_release(&v);
		return error;
	}
	return venv_fix_cfg_changed(x, f->code, NULL, NULL);
}

static int fix_cfg_dup_home(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf v = VBUF_INIT(VBUF_MAX_PATH);
	int error;

	(void)rel;
	if (x->cfg_state != FIXCFG_OK)
		return venv_fix_decline(x, "pyvenv.cfg could not be read");
	/* Python's start-up code uses the first; keep that one. */
	if ((error = vbuf_sets(&v, venv_cfg_get_first(&x->cfg, "home"))) >= 0)
		error = cfg_set(x, f->code, "home", v.buf);
	vbuf_release(&v);
	return error;
}

static int fix_cfg_system_site(struct venv_fixctx *x, const struct venv_finding *f,
			       const char *rel)
{
	(void)rel;
	if (x->cfg_state != FIXCFG_OK)
		return venv_fix_decline(x, "pyvenv.cfg could not be read");
	/*
	 * check's fix: a missing key (read as true) becomes the isolation every
	 * creator writes by default; a value other than true/false, which Python
	 * already reads as false, is written as that.
	 */
	return cfg_set(x, f->code, "include-system-site-packages", "false");
}

static int fix_cfg_home(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf v = VBUF_INIT(VBUF_MAX_PATH), p = VBUF_INIT(VBUF_MAX_PATH);
	const char *home = NULL;
	struct stat st;
	int error = 0;

	(void)rel;
	if (x->cfg_state != FIXCFG_OK) {
		error = venv_fix_decline(x, "pyvenv.cfg could not be read");
		goto done;
	}
	/* A `home` only hidden by a byte-order mark (VNV203) is fine as it is. */
	if (f->code == VENV_DIAG_CFG_MISSING_HOME && venv_cfg_get_first(&x->cfg, "home")) {
		error = venv_fix_cfg_changed(x, f->code, NULL, NULL);
		goto done;
	}
	/* The directory of the interpreter link, as CPython writes `home`. */
	if (x->base_python && x->base_ok) {
		if ((error = venv_path_dirname(&v, x->base_python)) < 0)
			goto done;
		home = v.buf;
	} else if (f->code == VENV_DIAG_STALE_HOME && f->data.want && f->data.want[0] == '/') {
		/* A copy: where check found the installation it falls back on (its data, never its text). */
		if ((error = venv_path_normalize(&p, f->data.want)) < 0)
			goto done;
		if (stat(p.buf, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(p.buf, "/bin"))
			home = p.buf;
	}
	if (!home) {
		error = decline_upgrade(x, "the directory of the base interpreter cannot be told");
		goto done;
	}
	error = cfg_set(x, f->code, "home", home);
done:
	vbuf_release(&v);
	vbuf_release(&p);
	return error;
}

static int fix_cfg_version(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	const char *value = NULL;
	int error = 0;

	(void)rel;
	if (x->cfg_state != FIXCFG_OK) {
		error = venv_fix_decline(x, "pyvenv.cfg could not be read");
		goto done;
	}
	/* The base's X.Y.Z, as check's data gives it (never parsed from its text). */
	if (f->code == VENV_DIAG_STALE_VERSION && f->data.want && *f->data.want)
		value = f->data.want;
	if (!value) {
		if ((error = venv_fix_base_info(x)) != 0)
			goto done;
		value = x->info.version;
	}
	/* virtualenv records version_info as well; keep the two in step. */
	if (venv_cfg_get_first(&x->cfg, "version_info") &&
	    (error = cfg_set(x, f->code, "version_info", value)) < 0)
		goto done;
	if (venv_cfg_get_first(&x->cfg, "version") || !venv_cfg_get_first(&x->cfg, "version_info"))
		error = cfg_set(x, f->code, "version", value);
done:
	return error;
}

/* Keep the keys of a damaged pyvenv.cfg where they can be read: valid UTF-8 "key = value" lines. */
static int cfg_salvage(struct venv_fixctx *x, const char *buf, size_t len)
{
	struct venv_cfg in = VENV_CFG_INIT;
	size_t i;
	int error;

	venv_cfg_release(&x->cfg);
	if ((error = venv_cfg_parse(&in, buf, len)) < 0)
		goto done;
	for (i = 0; i < in.nr && error >= 0; i++) {
		const struct venv_cfg_line *l = &in.lines[i];

		if (!l->key || !*l->key || !venv_utf8_valid(l->raw, strlen(l->raw)) ||
		    !venv_cfg_value_ok(l->value) || venv_cfg_get_first(&x->cfg, l->key))
			continue;
		error = venv_cfg_set(&x->cfg, l->key, l->value);
	}
done:
	venv_cfg_release(&in);
	return error;
}

/* Fill in what a pyvenv.cfg must say, from the base interpreter. */
static int cfg_complete(struct venv_fixctx *x, int code)
{
	struct vbuf home = VBUF_INIT(VBUF_MAX_PATH);
	const char *h = venv_cfg_get_first(&x->cfg, "home");
	int error;

	if ((error = venv_fix_base_info(x)) != 0)
		goto done;
	if (!h || h[0] != '/') {
		if (x->base_python && x->base_ok)
			error = venv_path_dirname(&home, x->base_python);
		else
			error = venv_path_dirname(&home, x->info.invoked);
		if (error < 0 || (error = cfg_set(x, code, "home", home.buf)) < 0)
			goto done;
	}
	if (!venv_cfg_get_first(&x->cfg, "include-system-site-packages") &&
	    (error = cfg_set(x, code, "include-system-site-packages", "false")) < 0)
		goto done;
	if (!venv_cfg_get_first(&x->cfg, "version") && !venv_cfg_get_first(&x->cfg, "version_info") &&
	    (error = cfg_set(x, code, "version", x->info.version)) < 0)
		goto done;
	if (x->info.minor >= 11 && !venv_cfg_get_first(&x->cfg, "executable") &&
	    (error = cfg_set(x, code, "executable", x->info.real_executable)) < 0)
		goto done;
	error = venv_fix_cfg_changed(x, code, NULL, NULL);
done:
	vbuf_release(&home);
	return error;
}

/* 102 (missing), 201 (unreadable), 202 (not UTF-8), 209 (a link): a new file. */
static int fix_cfg_rewrite(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf raw = VBUF_INIT(VBUF_MAX_CFG);
	int error = 0;

	(void)rel;
	if (x->cfg_code && f->code != VENV_DIAG_CFG_NOT_UTF8)
		goto done;
	if (f->code == VENV_DIAG_CFG_NOT_UTF8 && x->cfg_state == FIXCFG_OK) {
		struct vbuf again = VBUF_INIT(VBUF_MAX_CFG);

		/* What cannot be salvaged is written anew by cfg_complete() below. */
		if (venv_fix_read(x, "pyvenv.cfg", &again) < 0 ||
		    cfg_salvage(x, again.buf, again.len) < 0)
			venv_error_clear();
		vbuf_release(&again);
	} else if (f->code == VENV_DIAG_CFG_SYMLINK || f->code == VENV_DIAG_CFG_UNREADABLE) {
		int fd;

		/*
		 * What the link leads to (only read, never written) or what can be
		 * read of a file too large for Python: its keys are kept.
		 */
		fd = openat(x->e->fd, "pyvenv.cfg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			struct stat st;
			char chunk[4096];
			ssize_t n;

			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
				       vbuf_add(&raw, chunk, (size_t)n) >= 0)
					;
			close(fd);
		}
		venv_cfg_release(&x->cfg);
		if (raw.len && (error = cfg_salvage(x, raw.buf, raw.len)) < 0)
			goto done;
	} else {
		venv_cfg_release(&x->cfg);
	}
	x->cfg_state = FIXCFG_OK;
	error = cfg_complete(x, f->code);
done:
	venv_error_clear();
	vbuf_release(&raw);
	return error;
}

static int cfg_flush(struct venv_fixctx *x)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_fix *fx;
	int error;

	if (!x->cfg_code)
		return 0;
	if ((error = venv_cfg_format(&x->cfg, &out)) < 0 ||
	    (error = vbuf_addf(&msg, "pyvenv.cfg: rewritten%s%s%s", strchr(x->cfg_codes, ',') ?
			       " (" : "", strchr(x->cfg_codes, ',') ? x->cfg_codes : "",
			       strchr(x->cfg_codes, ',') ? ")" : "")) < 0 ||
	    (error = venv_fix_write(x, x->cfg_code, "pyvenv.cfg", out.buf, out.len, 0644,
				    msg.buf)) < 0)
		goto done;
	fx = venv_plan_last(x->plan);
	if (x->cfg_before.len && !(fx->before = strdup(x->cfg_before.buf)))
		error = venv_error_set(VENV_ENOMEM, "out of memory");
	if (x->cfg_after.len && !(fx->after = strdup(x->cfg_after.buf)))
		error = venv_error_set(VENV_ENOMEM, "out of memory");
done:
	vbuf_release(&out);
	vbuf_release(&msg);
	return error;
}

/* ------------------------------------------------------------------------ */
/* Layout: interpreter names, lib64, site-packages, modes. */

/* bin/<name> as CPython makes it: the first name a link to the base, the others to the first. */
static int plan_interp(struct venv_fixctx *x, int code, const char *name, const char *first,
		       const char *base)
{
	struct vbuf rel = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH);
	struct stat st;
	int error, exists;

	if ((error = vbuf_addf(&rel, "bin/%s", name)) < 0)
		goto done;
	if (venv_plan_has(x->plan, rel.buf))
		goto done;
	exists = fstatat(x->e->fd, rel.buf, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (base) {
		vbuf_addf(&msg, "%s -> %s: the base interpreter", rel.buf, base);
		error = venv_plan_add(x->plan, code, VENV_FIX_SYMLINK, rel.buf, base, 0, 0, msg.buf);
	} else if (!x->copies) {
		vbuf_addf(&msg, "%s -> %s: missing interpreter name", rel.buf, first);
		error = venv_plan_add(x->plan, code, VENV_FIX_SYMLINK, rel.buf, first, 0, 0, msg.buf);
	} else {
		vbuf_addf(&msg, "%s: missing interpreter name, copied from bin/%s", rel.buf, first);
		if ((error = vbuf_addf(&src, "%s/bin/%s", x->e->dir, first)) < 0)
			goto done;
		error = venv_plan_add(x->plan, code, VENV_FIX_COPY, rel.buf, NULL, 0, 0755, msg.buf);
		if (!error && !(venv_plan_last(x->plan)->src = strdup(src.buf)))
			error = venv_error_set(VENV_ENOMEM, "out of memory");
	}
	if (error >= 0)
		venv_plan_last(x->plan)->replaces = exists;
done:
	vbuf_release(&rel);
	vbuf_release(&msg);
	vbuf_release(&src);
	return error;
}

/* No interpreter at all: make the names from `home` and `version`, as CPython would. */
static int make_interps(struct venv_fixctx *x, int code)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(VBUF_MAX_PATH);
	char alias[32];
	const char *names[3];
	size_t i;
	int error;

	if ((error = base_from_home(x, NULL, &path, &name)) < 0)
		goto done;
	if (!error) {
		error = decline_upgrade(x, "`home` and `version` in pyvenv.cfg name no working base "
					"interpreter");
		goto done;
	}
	if ((error = plan_interp(x, code, name.buf, NULL, path.buf)) < 0)
		goto done;
	snprintf(alias, sizeof(alias), "python3.%d", x->minor);
	names[0] = "python";
	names[1] = "python3";
	names[2] = x->minor >= 9 ? alias : NULL;
	for (i = 0; i < 3 && error >= 0; i++)
		if (names[i] && strcmp(names[i], name.buf))
			error = plan_interp(x, code, names[i], name.buf, NULL);
done:
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

static int fix_alias(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	if (!rel || strncmp(rel, "bin/", 4))
		return venv_fix_decline(x, "no interpreter name to restore");
	if (!x->interp)
		return make_interps(x, f->code);
	if (!x->base_ok)
		return venv_fix_decline(x, "bin/%s does not run", x->interp);
	return plan_interp(x, f->code, rel + 4, x->interp, NULL);
}

/* 101: only the case of pyvenv.cfg without any interpreter in bin/ is ours. */
static int fix_unfinished(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct stat st;

	if (!rel || strcmp(rel, "bin") || x->interp ||
	    fstatat(x->e->fd, ".venv-incomplete", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return venv_fix_decline(x, "recreate it with 'venv create --clear'");
	return make_interps(x, f->code);
}

static int fix_dangling(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf path = VBUF_INIT(VBUF_MAX_PATH), name = VBUF_INIT(VBUF_MAX_PATH);
	char target[PATH_MAX];
	ssize_t n;
	int error = 0;

	if (!rel || strncmp(rel, "bin/", 4) || x->bfd < 0 ||
	    (n = readlinkat(x->bfd, rel + 4, target, sizeof(target) - 1)) <= 0) {
		error = venv_fix_decline(x, "it is not a link in bin/");
		goto done;
	}
	target[n] = '\0';
	if (!strchr(target, '/') && x->interp && x->base_ok &&
	    strcmp(rel + 4, x->interp)) {
		/* An alias whose name is gone: lead it to the interpreter. */
		error = plan_interp(x, f->code, rel + 4, x->interp, NULL);
		goto done;
	}
	/* The base is gone from where the link says: `home` may name it still (same version). */
	if ((error = base_from_home(x, rel + 4, &path, &name)) < 0)
		goto done;
	if (!error || !strcmp(path.buf, target)) {
		error = decline_upgrade(x, "the base interpreter is gone");
		goto done;
	}
	error = plan_interp(x, f->code, rel + 4, NULL, path.buf);
done:
	vbuf_release(&path);
	vbuf_release(&name);
	return error;
}

static int fix_bad_interp(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	char target[PATH_MAX];
	ssize_t n;

	if (rel && !strncmp(rel, "bin/", 4) && x->bfd >= 0 && x->interp &&
	    x->base_ok && strcmp(rel + 4, x->interp) &&
	    (n = readlinkat(x->bfd, rel + 4, target, sizeof(target) - 1)) > 0 &&
	    !memchr(target, '/', (size_t)n))
		return plan_interp(x, f->code, rel + 4, x->interp, NULL);
	return fix_dangling(x, f, rel);
}

static int fix_copy_again(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf src = VBUF_INIT(VBUF_MAX_PATH), r = VBUF_INIT(VBUF_MAX_PATH);
	char minor[32];
	const char *names[3];
	size_t i;
	int error = 0;

	/* The base it was copied from, as check's data names it. */
	if (!f->data.found || f->data.found[0] != '/' || vbuf_sets(&src, f->data.found) < 0) {
		error = venv_fix_decline(x, "the base interpreter to copy is not known");
		goto done;
	}
	(void)rel;
	snprintf(minor, sizeof(minor), "python3.%d", x->minor);
	names[0] = x->interp;
	names[1] = "python3";
	names[2] = "python";
	/* Every copied name was copied from the same base. */
	for (i = 0; i < 3 && error >= 0; i++) {
		struct stat st;

		if (!names[i] || (i && names[0] && !strcmp(names[i], names[0])) ||
		    fstatat(x->bfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		vbuf_reset(&r);
		vbuf_addf(&r, "bin/%s", names[i]);
		if (venv_plan_has(x->plan, r.buf))
			continue;
		error = venv_plan_add(x->plan, f->code, VENV_FIX_COPY, r.buf, NULL, 0,
				      st.st_mode & 07777, NULL);
		if (error >= 0) {
			struct venv_fix *fx = venv_plan_last(x->plan);
			struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);

			vbuf_addf(&msg, "%s: copied again from '%s'", r.buf, src.buf);
			fx->replaces = 1;
			if (!(fx->src = strdup(src.buf)) || !(fx->summary = strdup(msg.buf)))
				error = venv_error_set(VENV_ENOMEM, "out of memory");
			vbuf_release(&msg);
		}
	}
	(void)minor;
done:
	vbuf_release(&src);
	vbuf_release(&r);
	return error;
}

static int fix_lib64(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	(void)rel;
	return venv_plan_add(x->plan, f->code, VENV_FIX_SYMLINK, "lib64", "lib", 0, 0,
			     "lib64 -> lib: missing");
}

static int fix_mkdir(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf p = VBUF_INIT(VBUF_MAX_PATH), msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *s;
	struct stat st;
	int error = 0;

	if (!rel)
		return venv_fix_decline(x, "no directory named");
	/* Each missing component, parents first. */
	for (s = rel; error >= 0; s++) {
		if (*s != '/' && *s)
			continue;
		vbuf_reset(&p);
		vbuf_add(&p, rel, (size_t)(s - rel));
		if (fstatat(x->e->fd, p.buf, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		    !venv_plan_has(x->plan, p.buf)) {
			vbuf_reset(&msg);
			vbuf_addf(&msg, "%s: missing directory", p.buf);
			error = venv_plan_add(x->plan, f->code, VENV_FIX_MKDIR, p.buf, NULL, 0, 0755,
					      msg.buf);
		}
		if (!*s)
			break;
	}
	vbuf_release(&p);
	vbuf_release(&msg);
	return error;
}

static int fix_remove(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	int error;

	if (!rel)
		return venv_fix_decline(x, "no file named");
	vbuf_addf(&msg, "%s: removed", rel);
	error = venv_plan_add(x->plan, f->code, VENV_FIX_REMOVE, rel, NULL, 0, 0, msg.buf);
	vbuf_release(&msg);
	return error;
}

static int fix_mode(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	struct stat st;
	int error;

	if (!rel || fstatat(x->e->fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return venv_fix_decline(x, "the file is gone");
	/* Drop write permission for others, nothing else. */
	vbuf_addf(&msg, "%s: mode %04o -> %04o", rel, (unsigned)(st.st_mode & 07777),
		  (unsigned)(st.st_mode & 07777 & ~(unsigned)S_IWOTH));
	error = venv_plan_add(x->plan, f->code, VENV_FIX_CHMOD, rel, NULL, 0,
			      st.st_mode & 07777 & ~(unsigned)S_IWOTH, msg.buf);
	if (error >= 0)
		venv_plan_last(x->plan)->replaces = 1;
	vbuf_release(&msg);
	return error;
}

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
						 "'lib/python%s/site-packages' (Python %s, which the "
						 "environment runs)%s", q.buf,
						 f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES ? "them" :
						 "the old version's packages", x->env->bin_ver,
						 x->env->bin_ver, f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES ?
						 "" : " and remove the old version's names");
		vbuf_release(&q);
		return error;
	}
	if (f->code == VENV_DIAG_BASE_VERSION_MISMATCH || f->code == VENV_DIAG_ORPHANED_SITE_PACKAGES) {
		struct vbuf q = VBUF_INIT(VBUF_MAX_PATH), hint = VBUF_INIT(VBUF_MAX_LINE);
		int error;

		if (x->base_python && venv_shquote_posix(&q, x->base_python) == 0 &&
		    python_hint(x, &hint) == 0)
			error = venv_fix_decline(x, "run 'venv repair --upgrade --python %s' to move "
						 "its packages to the Python it runs now, or %s",
						 q.buf, hint.buf);
		else
			error = decline_upgrade(x, "the interpreter is another version now");
		vbuf_release(&q);
		vbuf_release(&hint);
		return error;
	}
	return decline_upgrade(x, "the base installation is gone or damaged");
}

/* ------------------------------------------------------------------------ */
/* The table and the driver. */

const struct venv_fixer venv_fixers[] = {
	{ VENV_DIAG_LINK_NOT_FOLLOWED, venv_fix_link_not_followed },
	{ VENV_DIAG_UNFINISHED_CREATION, fix_unfinished },
	{ VENV_DIAG_MISSING_PYVENV_CFG, fix_cfg_rewrite },
	{ VENV_DIAG_BASE_MISSING, fix_needs_upgrade },
	{ VENV_DIAG_DANGLING_INTERPRETER_LINK, fix_dangling },
	{ VENV_DIAG_BASE_STDLIB_MISSING, fix_needs_upgrade },
	{ VENV_DIAG_BASE_VERSION_MISMATCH, fix_needs_upgrade },
	{ VENV_DIAG_STALE_VERSION, fix_cfg_version },
	{ VENV_DIAG_STALE_COPIED_INTERPRETER, fix_copy_again },
	{ VENV_DIAG_MISSING_INTERPRETER_ALIAS, fix_alias },
	{ VENV_DIAG_MISSING_LIB64, fix_lib64 },
	{ VENV_DIAG_MISSING_SITE_PACKAGES, fix_mkdir },
	{ VENV_DIAG_MISSING_PYTHON, fix_alias },
	{ VENV_DIAG_ORPHANED_SITE_PACKAGES, fix_needs_upgrade },
	{ VENV_DIAG_STALE_HOME, fix_cfg_home },
	{ VENV_DIAG_BAD_INTERPRETER, fix_bad_interp },
	{ VENV_DIAG_UNFINISHED_REPAIR, fix_unfinished_repair },
	{ VENV_DIAG_CFG_UNREADABLE, fix_cfg_rewrite },
	{ VENV_DIAG_CFG_NOT_UTF8, fix_cfg_rewrite },
	{ VENV_DIAG_CFG_BOM, fix_cfg_format },
	{ VENV_DIAG_CFG_MISSING_HOME, fix_cfg_home },
	{ VENV_DIAG_CFG_DUPLICATE_HOME, fix_cfg_dup_home },
	{ VENV_DIAG_CFG_NO_FINAL_NEWLINE, fix_cfg_format },
	{ VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, fix_cfg_system_site },
	{ VENV_DIAG_CFG_STRICT_FORMAT, fix_cfg_format },
	{ VENV_DIAG_CFG_SYMLINK, fix_cfg_rewrite },
	{ VENV_DIAG_CFG_SHADOWED, fix_remove },
	{ VENV_DIAG_CFG_MISSING_VERSION, fix_cfg_version },
	{ VENV_DIAG_RELOCATED_ENVIRONMENT, venv_fix_activation },
	{ VENV_DIAG_STALE_ACTIVATION_PATH, venv_fix_activation },
	{ VENV_DIAG_SHEBANG_MISSING_INTERPRETER, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_OLD_LOCATION, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_TRUNCATED, venv_fix_shebang },
	{ VENV_DIAG_SHEBANG_NOT_PORTABLE, venv_fix_shebang },
	{ VENV_DIAG_PTH_MISSING_PATH, venv_fix_pth },
	{ VENV_DIAG_WORLD_WRITABLE, fix_mode },
	{ VENV_DIAG_ACTIVATION_INJECTION, venv_fix_activation },
	{ VENV_DIAG_SHEBANG_INJECTION, venv_fix_shebang },
	{ VENV_DIAG_EDITABLE_SOURCE_MISSING, venv_fix_pth },
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
	} else {
		error = venv_path_basename(&tmp, e->dir);
	}
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
		/* A file already rewritten in the plan: its other findings go with it. */
		if (rel && f->code != VENV_DIAG_PTH_MISSING_PATH &&
		    f->code != VENV_DIAG_EDITABLE_SOURCE_MISSING && planned_content(plan, rel))
			continue;
		r = fx->fix(&x, f, rel);
		if (r < 0)
			error = r;
		else if (r == VENV_FIX_DECLINED)
			error = venv_plan_problem_sev(plan, f->code, f->severity, "%s: %s",
						      f->message, x.why.buf);
	}
	if (error >= 0)
		error = venv_fix_pth_flush(&x);
	if (error >= 0)
		error = cfg_flush(&x);
	if (error >= 0)
		error = venv_fix_records(&x);
done:
	ctx_release(&x);
	return error;
}
