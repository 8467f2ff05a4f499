/*
 * The fixers of pyvenv.cfg: each edits the keys of x->cfg (read once by
 * the driver in fix.c), and venv_fix_cfg_flush() plans the one write of
 * the whole file at the end.
 */
#include "compat.h"
#include "venv.h"
#include "diag.h"
#include "fix.h"
#include "path.h"

/* ------------------------------------------------------------------------ */
/* pyvenv.cfg: the fixers edit x->cfg; one write at the end. */

/* Removes the line s (n bytes, no line break) from the lines of *sb: 1 when it was there. */
static int drop_line(struct vbuf *sb, const char *s, size_t n)
{
	size_t at = 0;

	while (at < sb->len) {
		const char *nl = memchr(sb->buf + at, '\n', sb->len - at);
		size_t end = nl ? (size_t)(nl - sb->buf) : sb->len;

		if (end - at == n && !memcmp(sb->buf + at, s, n)) {
			/* The line and the break after it, or (the last) the break before it. */
			size_t from = nl ? at : at ? at - 1 : 0, to = nl ? end + 1 : end;

			memmove(sb->buf + from, sb->buf + to, sb->len - to);
			vbuf_setlen(sb, sb->len - (to - from));
			return 1;
		}
		at = end + 1;
	}
	return 0;
}

/*
 * The lines of `lines` added to *to, but for one that *undo holds, which is
 * dropped from there instead: a line one fixer wrote and a later one
 * replaced is neither in the file before nor after, so it is not shown.
 */
static int lines_net(struct vbuf *to, struct vbuf *undo, const char *lines)
{
	const char *p = lines;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (!drop_line(undo, p, n) &&
		    vbuf_addf(to, "%s%.*s", to->len ? "\n" : "", (int)n, p) < 0)
			return VENV_ENOMEM;
		if (!nl)
			return 0;
		p = nl + 1;
	}
}

int venv_fix_cfg_changed(struct venv_fixctx *x, int code, const char *before, const char *after)
{
	char c[16];

	venv_diag_code_str(c, sizeof(c), code);
	if (!x->cfg_code)
		x->cfg_code = code;
	if (!strstr(x->cfg_codes, c) && strlen(x->cfg_codes) + 10 < sizeof(x->cfg_codes))
		snprintf(x->cfg_codes + strlen(x->cfg_codes), sizeof(x->cfg_codes) -
			 strlen(x->cfg_codes), "%s%s", *x->cfg_codes ? ", " : "", c);
	if (before && lines_net(&x->cfg_before, &x->cfg_after, before) < 0)
		return VENV_ENOMEM;
	if (after && lines_net(&x->cfg_after, &x->cfg_before, after) < 0)
		return VENV_ENOMEM;
	return 0;
}

static int cfg_set(struct venv_fixctx *x, int code, const char *key, const char *value)
{
	struct vbuf b = VBUF_INIT(VBUF_MAX_CFG), a = VBUF_INIT(VBUF_MAX_LINE);
	size_t i;
	int error = 0;

	/* What goes: every line of the key, as written (venv_cfg_set keeps one). */
	for (i = 0; i < x->cfg.nr && error >= 0; i++)
		if (x->cfg.lines[i].key && !strcmp(x->cfg.lines[i].key, key))
			error = vbuf_addf(&b, "%s%s", b.len ? "\n" : "", x->cfg.lines[i].raw);
	if (error >= 0)
		error = vbuf_addf(&a, "%s = %s", key, value);
	if (error >= 0 && (error = venv_cfg_set(&x->cfg, key, value)) >= 0)
		error = venv_fix_cfg_changed(x, code, b.len ? b.buf : NULL, a.buf);
	vbuf_release(&b);
	vbuf_release(&a);
	return error;
}

/*
 * 203, 206, 208, 212: the file written anew from x->cfg, which holds
 * site.py's lines (a lone CR ends one, as there: common/cfg.h), each ended
 * by LF and without a byte-order mark: every key stays.
 */
int venv_fix_cfg_format(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
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

int venv_fix_cfg_dup_home(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
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

int venv_fix_cfg_system_site(struct venv_fixctx *x, const struct venv_finding *f,
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

int venv_fix_cfg_home(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
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
	/*
	 * A `home` only hidden by a byte-order mark (VNV203), or from start-up
	 * by a lone CR (VNV212), is fine as it is: the rewrite shows it.
	 */
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
		error = venv_fix_decline_upgrade(x, "the directory of the base interpreter cannot "
						 "be told");
		goto done;
	}
	error = cfg_set(x, f->code, "home", home);
done:
	vbuf_release(&v);
	vbuf_release(&p);
	return error;
}

int venv_fix_cfg_version(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf vi = VBUF_INIT(64);
	const char *value = NULL, *old;
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
	/*
	 * virtualenv records version_info as well (X.Y.Z.final.0), uv only it
	 * (X.Y.Z): keep it in step, in the form it has, which for virtualenv's
	 * takes the base's releaselevel and serial (when the base cannot be
	 * asked, X.Y.Z is still better than the stale value).
	 */
	if ((old = venv_cfg_get_first(&x->cfg, "version_info"))) {
		if (venv_fix_base_info(x) == 0 && x->info.version && !strcmp(x->info.version, value))
			error = venv_pyinfo_version_info(&vi, old, &x->info);
		else {
			venv_error_clear();
			error = vbuf_sets(&vi, value);
		}
		if (error < 0 || (error = cfg_set(x, f->code, "version_info", vi.buf)) < 0)
			goto done;
	}
	if (venv_cfg_get_first(&x->cfg, "version") || !venv_cfg_get_first(&x->cfg, "version_info"))
		error = cfg_set(x, f->code, "version", value);
done:
	vbuf_release(&vi);
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
int venv_fix_cfg_rewrite(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf raw = VBUF_INIT(VBUF_MAX_CFG);
	struct stat st;
	int error = 0;

	(void)rel;
	if (x->cfg_code && f->code != VENV_DIAG_CFG_NOT_UTF8)
		goto done;
	/*
	 * A directory: no rename replaces it (the commit would stop half-way,
	 * every later repair with it), and what it holds is not ours to remove.
	 */
	if (fstatat(x->e->fd, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		error = venv_fix_decline(x, "'pyvenv.cfg' is a directory: move it away, then run "
					 "venv repair again");
		goto done;
	}
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
			char chunk[4096];
			ssize_t n = 0;

			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
				       vbuf_add(&raw, chunk, (size_t)n) >= 0)
					;
			close(fd);
			/*
			 * Not read whole (over the cap, a failed read): what was read
			 * is not all its keys, and writing it back would drop the rest.
			 */
			if (n != 0) {
				error = venv_fix_decline(x, "'pyvenv.cfg' cannot be read whole (larger "
							 "than %zu bytes, or a read failed), so its keys "
							 "cannot be kept; move it away, then run venv "
							 "repair again", VBUF_MAX_CFG);
				goto done;
			}
		}
		venv_cfg_release(&x->cfg);
		if (raw.len && (error = cfg_salvage(x, raw.buf, raw.len)) < 0) {
			/*
			 * x->cfg is empty now: the other fixers of pyvenv.cfg must not
			 * write it from that (a stale `home` fixed after this wrote a
			 * pyvenv.cfg of that one key, losing executable and command).
			 */
			x->cfg_state = FIXCFG_UNREADABLE;
			if (error != VENV_ENOMEM)
				error = venv_fix_decline(x, "the keys of 'pyvenv.cfg' cannot be kept (%s); "
							 "move it away, then run venv repair again",
							 venv_error_last());
			goto done;
		}
	} else {
		venv_cfg_release(&x->cfg);
	}
	x->cfg_state = FIXCFG_OK;
	error = cfg_complete(x, f->code);
done:
	/* What the reads above failed on is dropped; a failure of this fixer keeps its message. */
	if (error >= 0)
		venv_error_clear();
	vbuf_release(&raw);
	return error;
}

int venv_fix_cfg_flush(struct venv_fixctx *x)
{
	struct vbuf out = VBUF_INIT(VBUF_MAX_CFG), msg = VBUF_INIT(VBUF_MAX_LINE);
	int error;

	if (!x->cfg_code)
		return 0;
	if ((error = venv_cfg_format(&x->cfg, &out)) == 0 &&
	    (error = vbuf_addf(&msg, "pyvenv.cfg: rewritten%s%s%s", strchr(x->cfg_codes, ',') ?
			       " (" : "", strchr(x->cfg_codes, ',') ? x->cfg_codes : "",
			       strchr(x->cfg_codes, ',') ? ")" : "")) == 0)
		error = venv_fix_write_shown(x, x->cfg_code, "pyvenv.cfg", out.buf, out.len, 0644,
					     msg.buf, x->cfg_before.len ? x->cfg_before.buf : NULL,
					     x->cfg_before.len, x->cfg_after.len ?
					     x->cfg_after.buf : NULL, x->cfg_after.len);
	vbuf_release(&out);
	vbuf_release(&msg);
	return error;
}
