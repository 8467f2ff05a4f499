/*
 * The fixers of what names a path: console-script shebangs (and a console
 * script's lost execute permission), activation scripts (written by
 * create's writer, never a second one), .pth lines and the url of a
 * distribution's direct_url.json.
 */
#include "compat.h"
#include <jansson.h>
#include <strings.h>
#include "venv.h"
#include "cfg.h"
#include "diag.h"
#include "dist.h"
#include "fix.h"
#include "ruleset.h"
#include "path.h"
#include "shebang.h"
#include "shquote.h"
#include "text.h"

/* ------------------------------------------------------------------------ */
/* Activation scripts. */

static const struct venv_template *template_for(const char *name)
{
	size_t i;

	for (i = 0; i < venv_templates_count; i++) {
		const struct venv_template *t = &venv_templates[i];
		const char *slash = strchr(t->path, '/');

		if ((!strncmp(t->path, "common/", 7) || !strncmp(t->path, "posix/", 6)) && slash &&
		    !strcmp(slash + 1, name))
			return t;
	}
	return NULL;
}

/* bin/<name> as venv create writes it here, with the environment's prompt. */
static int write_template(struct venv_fixctx *x, int code, const struct venv_template *t,
			  const char *rel, const char *what)
{
	struct venv_context ctx;
	struct vbuf name = VBUF_INIT(VBUF_MAX_PATH), exe = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf binp = VBUF_INIT(VBUF_MAX_PATH), text = VBUF_INIT(VBUF_MAX_SCRIPT);
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	int error;

	memset(&ctx, 0, sizeof(ctx));
	if ((error = venv_path_basename(&name, x->e->dir)) < 0 ||
	    (error = venv_path_join(&binp, x->e->dir, "bin")) < 0 ||
	    (error = venv_path_join(&exe, binp.buf, x->interp ? x->interp :
				    "python")) < 0)
		goto done;
	ctx.env_dir = x->e->dir;
	ctx.env_name = name.buf;
	ctx.prompt = x->prompt;
	ctx.bin_path = binp.buf;
	ctx.bin_name = "bin";
	ctx.env_exe = exe.buf;
	ctx.env_exec_cmd = exe.buf;
	if (venv_replace_variables(&text, (const char *)t->data, t->len, &ctx,
				   venv_shell_for_script(base)) < 0) {
		error = venv_fix_decline(x, "it cannot be written for this place: %s",
					 venv_error_last());
		goto done;
	}
	if ((error = vbuf_addf(&msg, "%s: %s for '%s' (prompt '%s')", rel, what, x->e->dir,
			       x->prompt)) < 0)
		goto done;
	error = venv_fix_write(x, code, rel, text.buf, text.len, t->mode & 07777, msg.buf);
done:
	vbuf_release(&name);
	vbuf_release(&exe);
	vbuf_release(&binp);
	vbuf_release(&text);
	vbuf_release(&msg);
	return error;
}

/*
 * Replace every whole-path occurrence of old in s, raw (CPython writes the
 * path as it is) or shell-quoted (venv create quotes it), in one pass so
 * that nothing replaced is looked at again.
 */
static int replace_path(struct vbuf *out, const char *s, size_t len, const char *old,
			const char *new_)
{
	struct vbuf qo = VBUF_INIT(VBUF_MAX_PATH), qn = VBUF_INIT(VBUF_MAX_PATH);
	size_t ol = strlen(old), pos = 0;
	int error;

	vbuf_reset(out);
	if ((error = venv_shquote_posix(&qo, old)) < 0 ||
	    (error = venv_shquote_posix(&qn, new_)) < 0)
		goto done;
	while (pos < len && !error) {
		if (qo.len != ol && len - pos >= qo.len && !memcmp(s + pos, qo.buf, qo.len)) {
			error = vbuf_add(out, qn.buf, qn.len);
			pos += qo.len;
		} else if (len - pos >= ol && venv_repair_find_path(s, len, pos, old) == pos) {
			error = vbuf_adds(out, new_);
			pos += ol;
		} else {
			error = vbuf_addch(out, s[pos++]);
		}
	}
done:
	vbuf_release(&qo);
	vbuf_release(&qn);
	return error;
}

/* After a move, pyvenv.cfg's `command` names the new place too (check reads it as the old one). */
static int relocate_command(struct venv_fixctx *x, const struct venv_finding *f)
{
	int code = f->code;
	struct vbuf val = VBUF_INIT(VBUF_MAX_LINE), b = VBUF_INIT(VBUF_MAX_LINE);
	struct vbuf a = VBUF_INIT(VBUF_MAX_LINE);
	const char *command, *old = f->data.old_prefix ? f->data.old_prefix :
				    x->nold ? x->old[0] : NULL;
	int error = 0;

	if (x->cfg_state != FIXCFG_OK || !old || !(command = venv_cfg_get_first(&x->cfg, "command")) ||
	    venv_repair_find_path(command, strlen(command), 0, old) == (size_t)-1)
		goto done;
	if ((error = replace_path(&val, command, strlen(command), old, x->e->dir)) < 0)
		goto done;
	if ((error = vbuf_addf(&b, "command = %s", command)) < 0 ||
	    (error = vbuf_addf(&a, "command = %s", val.buf)) < 0 ||
	    (error = venv_cfg_set(&x->cfg, "command", val.buf)) < 0)
		goto done;
	error = venv_fix_cfg_changed(x, code, b.buf, a.buf);
done:
	vbuf_release(&val);
	vbuf_release(&b);
	vbuf_release(&a);
	return error;
}

/* A script of another maker (virtualenv's activate.ps1, ...): the path replaced where safe. */
static int rewrite_foreign(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	int code = f->code;
	struct vbuf cur = VBUF_INIT(VBUF_MAX_SCRIPT), text = VBUF_INIT(VBUF_MAX_SCRIPT);
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *old = f->data.old_prefix ? f->data.old_prefix : x->nold ? x->old[0] : NULL;
	size_t at, from = 0;
	int error;

	if (!old || code == VENV_DIAG_ACTIVATION_INJECTION || code == VENV_DIAG_PROMPT_EXPANSION ||
	    code == VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE) {
		error = venv_fix_decline(x, "it is not a script venv writes; remove it or recreate it "
					 "with its maker");
		goto done;
	}
	if (venv_fix_read(x, rel, &cur) < 0) {
		error = venv_fix_decline(x, "%s", venv_error_last());
		goto done;
	}
	if (!venv_repair_plain_word(old) || !venv_repair_plain_word(x->e->dir)) {
		error = venv_fix_decline(x, "it is not a script venv writes and the paths need "
					 "quoting, so it is left alone");
		goto done;
	}
	while ((at = venv_repair_find_path(cur.buf, cur.len, from, old)) != (size_t)-1) {
		if ((error = vbuf_add(&text, cur.buf + from, at - from)) < 0 ||
		    (error = vbuf_adds(&text, x->e->dir)) < 0)
			goto done;
		from = at + strlen(old);
	}
	if ((error = vbuf_add(&text, cur.buf + from, cur.len - from)) < 0)
		goto done;
	if ((error = vbuf_addf(&msg, "%s: '%s' -> '%s'", rel, old, x->e->dir)) < 0)
		goto done;
	error = venv_fix_write(x, code, rel, text.buf, text.len, 0644, msg.buf);
done:
	vbuf_release(&cur);
	vbuf_release(&text);
	vbuf_release(&msg);
	return error;
}

/*
 * An activation script names the environment's path and prompt, and every
 * shell that sources it prints them: a path that is not one line of UTF-8
 * text (a control character, an escape sequence) would reach the terminal
 * on every prompt. venv create refuses such a place; repair declines too.
 */
static int decline_place(struct venv_fixctx *x)
{
	return venv_fix_decline(x, "the environment's path holds control characters or is not "
				"valid UTF-8, which the script would print to the terminal; move "
				"the environment to a plain name");
}

/* 401, 402, 410, 502, 504: the script as create writes it here. */
int venv_fix_activation(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	const struct venv_template *t;
	int error;

	if (!rel || strncmp(rel, "bin/", 4) || strchr(rel + 4, '/'))
		return venv_fix_decline(x, "not an activation script in bin/");
	/*
	 * pyvenv.cfg's command first. A place it cannot name (a line break, or
	 * bytes that are not UTF-8: venv_cfg_set() refuses them) leaves it as it
	 * is, a record of how the environment was made that nothing runs; the
	 * script is then declined below (decline_place()), and the rest of the
	 * plan goes on: such a path made the whole repair fail, --dry-run too.
	 */
	if ((f->code == VENV_DIAG_RELOCATED_ENVIRONMENT ||
	     f->code == VENV_DIAG_STALE_ACTIVATION_PATH) &&
	    (error = relocate_command(x, f)) < 0) {
		if (error == VENV_ENOMEM || venv_cfg_text_ok(x->e->dir))
			return error;
		venv_error_clear();
	}
	if (!venv_cfg_text_ok(x->e->dir))
		return decline_place(x);
	if (!(t = template_for(rel + 4)))
		return rewrite_foreign(x, f, rel);
	return write_template(x, f->code, t, rel,
			      f->code == VENV_DIAG_ACTIVATION_INJECTION ? "rewritten safely" :
			      "rewritten");
}

int venv_fix_missing_activation(struct venv_fixctx *x, const struct venv_finding *f,
				const char *rel)
{
	const struct venv_template *t;

	/* Left out by choice (virtualenv --activators, rules_scripts.c): not ours to add. */
	if (f->severity == VENV_SEVERITY_INFO)
		return 0;
	if (!rel || strncmp(rel, "bin/", 4) || !(t = template_for(rel + 4)))
		return venv_fix_decline(x, "venv has no such script to write");
	if (!venv_cfg_text_ok(x->e->dir))
		return decline_place(x);
	return write_template(x, f->code, t, rel, "restored");
}

/* VNV007: an activation script that is a link is replaced by the script (what it leads to is left). */
int venv_fix_link_not_followed(struct venv_fixctx *x, const struct venv_finding *f,
			       const char *rel)
{
	const struct venv_template *t;
	struct stat st;

	if (!rel || strncmp(rel, "bin/", 4) || strchr(rel + 4, '/') ||
	    x->bfd < 0 || fstatat(x->bfd, rel + 4, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(st.st_mode))
		return venv_fix_decline(x, "only activation scripts that are links are replaced; "
					"look at this one by hand");
	if (!(t = template_for(rel + 4)))
		return venv_fix_decline(x, "venv has no script of that name to put in the link's "
					"place; remove the link, or recreate it with its maker");
	return write_template(x, f->code, t, rel, "replaced the link with the script");
}

/* ------------------------------------------------------------------------ */
/* Console scripts. */

int venv_fix_shebang(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf data = VBUF_INIT(VBUF_MAX_SCRIPT), interp = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf text = VBUF_INIT(VBUF_MAX_SCRIPT), msg = VBUF_INIT(VBUF_MAX_LINE);
	struct venv_shebang sb = VENV_SHEBANG_INIT;
	const char *old, *args = NULL, *base;
	size_t header = 0, nb, na;
	struct stat st;
	int error, env_python;

	if (!rel || strncmp(rel, "bin/", 4)) {
		error = venv_fix_decline(x, "not a script in bin/");
		goto done;
	}
	if (venv_fix_read(x, rel, &data) < 0) {
		error = venv_fix_decline(x, "%s", venv_error_last());
		goto done;
	}
	/*
	 * The header as check reads it, with what a rewrite keeps: the
	 * interpreter's argument where it reads back as written (not from a
	 * trampoline that expands its path, VNV413: that gets what sh would run).
	 */
	if ((error = venv_shebang_parse(&sb, data.buf, data.len)) < 0)
		goto done;
	if (sb.kind != VENV_SHEBANG_TRAMPOLINE && sb.kind != VENV_SHEBANG_DIRECT) {
		error = venv_fix_decline(x, "its #! header cannot be read back safely");
		goto done;
	}
	if (!sb.header_len) {
		error = venv_fix_decline(x, "its #! header is not terminated");
		goto done;
	}
	old = sb.interpreter;
	args = sb.args;
	header = sb.header_len;
	base = strrchr(old, '/') ? strrchr(old, '/') + 1 : old;
	/* Where it should lead: the environment's own python, unless only the form is wrong. */
	env_python = f->code == VENV_DIAG_SHEBANG_MISSING_INTERPRETER ||
		     f->code == VENV_DIAG_SHEBANG_OLD_LOCATION ||
		     f->code == VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT ||
		     f->code == VENV_DIAG_SHEBANG_INJECTION ||
		     (venv_model_is_python_name(base) && stat(old, &st) < 0);
	/* PyPy's scripts run bin/pypy3 (pypy3.9, pypy), as much the environment's Python. */
	if (env_python && !venv_model_is_python_name(base)) {
		error = venv_fix_decline(x, "it runs '%s', which is not a Python of this environment",
					 old);
		goto done;
	}
	if (env_python) {
		if ((error = venv_fix_env_python(x, &interp, base)) != 0)
			goto done;
	} else if ((error = vbuf_sets(&interp, old)) < 0) {
		goto done;
	}
	if ((error = venv_shebang_rewrite(&text, data.buf, data.len, header, interp.buf,
					  args)) < 0) {
		/* A path or argument no header can carry: a remaining problem, not a failure. */
		if (error == VENV_EINVAL || error == VENV_EUNSAFE)
			error = venv_fix_decline(x, "%s", venv_error_last());
		goto done;
	}
	/* The report shows the #! lines, old and new. */
	nb = header && data.buf[header - 1] == '\n' ? header - 1 : header;
	na = text.len - (data.len - header);
	if (na && text.buf[na - 1] == '\n')
		na--;
	if ((error = vbuf_addf(&msg, "%s: interpreter '%s' -> '%s'", rel, old, interp.buf)) == 0)
		error = venv_fix_write_shown(x, f->code, rel, text.buf, text.len, 0755, msg.buf,
					     data.buf, nb, text.buf, na);
done:
	venv_shebang_release(&sb);
	vbuf_release(&data);
	vbuf_release(&interp);
	vbuf_release(&text);
	vbuf_release(&msg);
	return error;
}

/*
 * VNV415: a console script without its execute permission gets it back,
 * as chmod a+X gives it (x where r is), by the plan's one change of mode.
 * A script the plan rewrites (a #! fixed above: check lists those codes
 * first) is written with that mode instead.
 */
int venv_fix_exec(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	const char *name = rel && !strncmp(rel, "bin/", 4) ? rel + 4 : NULL;
	unsigned mode, want;
	struct stat st;
	size_t i;
	int error = 0;

	if (!name || !*name || strchr(name, '/') || x->bfd < 0)
		return venv_fix_decline(x, "not a script in bin/");
	if (fstatat(x->bfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return venv_fix_decline(x, "it cannot be examined: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return venv_fix_decline(x, "it is no longer a regular file");
	mode = (unsigned)(st.st_mode & 07777);
	if (mode & S_IXUSR)
		return 0;
	/* Execute bits alone would not make it run (check offers no fix either). */
	if (!(mode & S_IRUSR))
		return venv_fix_decline(x, "its owner may not read it either: give it back "
					"'chmod u+rx' by hand");
	want = venv_rules_exec_mode(mode);
	for (i = 0; i < x->plan->nr; i++) {
		struct venv_fix *fx = &x->plan->fixes[i];

		if ((fx->kind == VENV_FIX_WRITE || fx->kind == VENV_FIX_COPY) &&
		    !strcmp(fx->path, rel)) {
			fx->mode = venv_rules_exec_mode(fx->mode);
			return 0;
		}
	}
	if ((error = vbuf_addf(&msg, "%s: mode %04o -> %04o (executable again)", rel, mode,
			       want)) == 0 &&
	    (error = venv_plan_add(x->plan, f->code, VENV_FIX_CHMOD, rel, NULL, 0, want,
				   msg.buf)) == 0)
		venv_plan_last(x->plan)->replaces = 1;
	vbuf_release(&msg);
	return error;
}

/* ------------------------------------------------------------------------ */
/* .pth lines: findings of one file come one after another (check sorts them). */

int venv_fix_pth_flush(struct venv_fixctx *x)
{
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE);
	int error = 0;

	if (!x->pth_rel || !x->pth_changed)
		goto done;
	if ((error = vbuf_addf(&msg, "%s: paths follow the environment to '%s'", x->pth_rel,
			       x->e->dir)) == 0)
		error = venv_fix_write_shown(x, x->pth_code ? x->pth_code :
					     VENV_DIAG_PTH_MISSING_PATH, x->pth_rel,
					     x->pth_text.buf, x->pth_text.len, 0644, msg.buf,
					     x->pth_before.buf, x->pth_before.len,
					     x->pth_after.buf, x->pth_after.len);
done:
	free(x->pth_rel);
	x->pth_rel = NULL;
	x->pth_changed = 0;
	x->pth_code = 0;
	vbuf_reset(&x->pth_text);
	vbuf_reset(&x->pth_before);
	vbuf_reset(&x->pth_after);
	vbuf_release(&msg);
	return error;
}

/*
 * VNV408, VNV414: a .pth line (an egg-link's) that names a place under an
 * old location is rewritten to the same place under the new one, as check
 * mapped it (venv_rules_moved_path(): the finding's want), where that
 * exists.
 */
int venv_fix_pth(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf line = VBUF_INIT(VBUF_MAX_PATH), new_ = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf text = VBUF_INIT(VBUF_MAX_CFG);
	size_t pos = 0, start, end, n;
	unsigned no = 1;
	struct stat st;
	int error = 0;

	if (!rel || !f->line) {
		error = venv_fix_decline(x, "no .pth line named");
		goto done;
	}
	if (x->pth_rel && strcmp(x->pth_rel, rel) && (error = venv_fix_pth_flush(x)) < 0)
		goto done;
	if (!x->pth_rel) {
		if (venv_fix_read(x, rel, &x->pth_text) < 0) {
			error = venv_fix_decline(x, "%s", venv_error_last());
			goto done;
		}
		if (!(x->pth_rel = strdup(rel))) {
			error = venv_error_set(VENV_ENOMEM, "out of memory");
			goto done;
		}
	}
	/* The line, as site.py reads it: trailing blanks and CR are not part of the path. */
	while (no < f->line && pos < x->pth_text.len) {
		const char *nl = memchr(x->pth_text.buf + pos, '\n', x->pth_text.len - pos);

		if (!nl)
			break;
		pos = (size_t)(nl - x->pth_text.buf) + 1;
		no++;
	}
	start = pos;
	end = start;
	while (end < x->pth_text.len && x->pth_text.buf[end] != '\n')
		end++;
	n = end - start;
	while (n && strchr("\r \t", x->pth_text.buf[start + n - 1]))
		n--;
	if (no != f->line || !n || x->pth_text.buf[start] != '/') {
		error = venv_fix_decline(x, "only absolute paths are followed");
		goto done;
	}
	if ((error = vbuf_add(&line, x->pth_text.buf + start, n)) < 0)
		goto done;
	if (!f->data.want || stat(f->data.want, &st) < 0) {
		error = venv_fix_decline(x, "nothing of that name exists under the environment's new "
					 "location either");
		goto done;
	}
	/* The line check read (the plan is made under the lock, right after the look). */
	if (!f->data.found || strcmp(f->data.found, line.buf)) {
		error = venv_fix_decline(x, "the line is not the one check read");
		goto done;
	}
	if ((error = vbuf_sets(&new_, f->data.want)) < 0)
		goto done;
	if ((error = vbuf_add(&text, x->pth_text.buf, start)) < 0 ||
	    (error = vbuf_adds(&text, new_.buf)) < 0 ||
	    (error = vbuf_add(&text, x->pth_text.buf + start + n, x->pth_text.len - start - n)) < 0)
		goto done;
	vbuf_reset(&x->pth_text);
	if ((error = vbuf_add(&x->pth_text, text.buf, text.len)) < 0 ||
	    (error = vbuf_addf(&x->pth_before, "%s%s", x->pth_before.len ? "\n" : "",
			       line.buf)) < 0 ||
	    (error = vbuf_addf(&x->pth_after, "%s%s", x->pth_after.len ? "\n" : "",
			       new_.buf)) < 0)
		goto done;
	x->pth_changed = 1;
	/* An editable install's source (an error) names the change over a stray line. */
	if (!x->pth_code || f->code == VENV_DIAG_EDITABLE_SOURCE_MISSING)
		x->pth_code = f->code;
done:
	vbuf_release(&line);
	vbuf_release(&new_);
	vbuf_release(&text);
	return error;
}

/* ------------------------------------------------------------------------ */
/* direct_url.json (PEP 610). */

/*
 * VNV416: the url set to the file:// URL of the path check found under the
 * new location (the finding's want), the rest of the file kept, keys in
 * their order and written as pip's json.dumps() does (", ", ": ", ASCII);
 * its RECORD row follows the new bytes (fix_record.c), as for any write.
 */
int venv_fix_direct_url(struct venv_fixctx *x, const struct venv_finding *f, const char *rel)
{
	struct vbuf text = VBUF_INIT(VBUF_MAX_PROBE), path = VBUF_INIT(VBUF_MAX_PATH);
	struct vbuf uri = VBUF_INIT(VBUF_MAX_PATH), out = VBUF_INIT(VBUF_MAX_PROBE);
	struct vbuf msg = VBUF_INIT(VBUF_MAX_LINE), before = VBUF_INIT(VBUF_MAX_PROBE);
	json_error_t jerr;
	json_t *j = NULL;
	const char *url;
	char *dump = NULL;
	int error = 0;

	if (!rel || !f->data.found || !f->data.want) {
		error = venv_fix_decline(x, "the path is not found under the new location either: "
					 "reinstall the package ('pip install -e PATH')");
		goto done;
	}
	if (venv_fix_read(x, rel, &text) < 0) {
		error = venv_fix_decline(x, "%s", venv_error_last());
		goto done;
	}
	if (!(j = json_loadb(text.buf, text.len, 0, &jerr)) || !json_is_object(j) ||
	    !(url = json_string_value(json_object_get(j, "url")))) {
		error = venv_fix_decline(x, "it is not a JSON object with a url");
		goto done;
	}
	/* What check read, or the file changed since: then nothing is written. */
	if (venv_dist_file_url(&path, url) < 0 || strcmp(path.buf, f->data.found)) {
		venv_error_clear();
		error = venv_fix_decline(x, "its url no longer names '%s'", f->data.found);
		goto done;
	}
	/* Kept: setting the new url frees the string url points into. */
	if ((error = vbuf_sets(&before, url)) < 0 ||
	    (error = venv_path_file_uri(&uri, f->data.want)) < 0)
		goto done;
	if (json_object_set_new(j, "url", json_string(uri.buf)) < 0 ||
	    !(dump = json_dumps(j, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII))) {
		error = venv_error_set(VENV_ENOMEM, "out of memory");
		goto done;
	}
	/* pip ends it without a newline; one that was there is kept. */
	if ((error = vbuf_adds(&out, dump)) < 0 ||
	    (text.len && text.buf[text.len - 1] == '\n' && (error = vbuf_addch(&out, '\n')) < 0) ||
	    (error = vbuf_addf(&msg, "%s: url follows the environment to '%s'", rel,
			       f->data.want)) < 0)
		goto done;
	error = venv_fix_write_shown(x, f->code, rel, out.buf, out.len, 0644, msg.buf, before.buf,
				     before.len, uri.buf, uri.len);
done:
	free(dump);
	json_decref(j);
	vbuf_release(&text);
	vbuf_release(&path);
	vbuf_release(&uri);
	vbuf_release(&out);
	vbuf_release(&msg);
	vbuf_release(&before);
	return error;
}
