/*
 * Rules about bin/'s scripts: the activation scripts (where they activate,
 * whether sourcing them runs text from the path) and the console scripts
 * (whether their #! interpreter still exists and is this environment's,
 * whether they may be executed at all).
 */
#include "compat.h"
#include "ruleset.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "actscan.h"
#include "shebang.h"
#include "shquote.h"
#include "cfg.h"
#include "venv.h"

/* Most findings carry no data beyond the text. */
#define SHEBANG_READ 4096

#define add(c, code, rel, line, fix, ...) \
	venv_check_add((c), (code), (rel), (line), (fix), NULL, __VA_ARGS__)

/* Activation scripts. */

static int virtualenv_before_quoting(const struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	int a, b, m;

	/* virtualenv 20.26.6 fixed CVE-2024-53899. */
	if (e->creator != VENV_CREATOR_VIRTUALENV || !e->virtualenv_version ||
	    venv_version_parse(e->virtualenv_version, &a, &b, &m) < 0)
		return 0;
	if (a != 20)
		return a < 20;
	if (b != 26)
		return b < 26;
	return m < 6;
}

/*
 * Whether venv repair can write the activation script `name` for the
 * environment's path: its shell must carry the path (a line break is
 * refused by every shell, invalid UTF-8 by all but sh), or repair declines
 * the fix, and check offers none (as for a #! line that cannot carry it).
 */
static int activation_writable(const struct venv_model *e, const char *name)
{
	struct vbuf q = VBUF_INIT(VBUF_MAX_SCRIPT);
	int ok;

	/* Nor one that would print control characters or bytes that are not UTF-8 (repair's rule). */
	if (!venv_cfg_text_ok(e->abs))
		return 0;
	ok = venv_shquote(&q, venv_shell_for_script(name), e->abs) == 0;

	venv_error_clear();
	vbuf_release(&q);
	return ok;
}

/* Whether we have a template of that name (common/ or posix/), which repair writes. */
static int has_template(const char *name)
{
	size_t i;

	for (i = 0; i < venv_templates_count; i++) {
		const char *slash = strchr(venv_templates[i].path, '/');

		if (slash && !strcmp(slash + 1, name))
			return 1;
	}
	return 0;
}

static int check_one_activation(struct venv_check_ctx *c, const struct venv_model_script *s)
{
	struct venv_model *e = c->env;
	const struct venv_activation *a = &s->act;
	const char *name = e->entries[s->entry].name;
	struct venv_finding_data d;
	char rel[300], fix[PATH_MAX + 100];
	const char *how = fix;
	int error = 0;

	memset(&d, 0, sizeof(d));
	if (!activation_writable(e, name))
		how = NULL;
	d.name = (char *)venv_act_shell_name((enum venv_act_shell)s->shell);
	d.want = e->abs;
	snprintf(rel, sizeof(rel), "bin/%s", name);
	if (s->read_rc == VENV_RD_LINK) {
		/* venv repair replaces it with our script, where we have one for its name. */
		snprintf(fix, sizeof(fix), "replace the link with the script for '%s'", e->abs);
		return add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0,
			   how && has_template(name) ? fix : NULL,
			   "'%s' is a symbolic link to '%s'; not followed, not inspected", rel,
			   s->link_target ? s->link_target : "?");
	}
	if (s->read_rc == VENV_RD_SPECIAL)
		return 0; /* FIFOs and devices are reported by the walk. */
	if (s->read_rc != VENV_RD_OK)
		return venv_check_report_read(c, s->read_rc, s->read_err, rel);
	if (s->binary)
		return venv_check_add(c, VENV_DIAG_UNPARSEABLE_FILE, rel, 0,
				      how ? "regenerate the script" : NULL,
				      &d, "'%s' contains binary data; it is not a shell script", rel);
	if (s->scan_rc == VENV_ETOOBIG)
		return add(c, VENV_DIAG_UNPARSEABLE_FILE, rel, 0, NULL,
			   "'%s' could not be parsed within check's limits", rel);
	snprintf(fix, sizeof(fix), "regenerate '%s' for '%s'", rel, e->abs);
	if (a->injection) {
		d.found = a->injection_text;
		if ((error = venv_check_add(c, VENV_DIAG_ACTIVATION_INJECTION, rel, a->injection_line,
					    how, &d, "sourcing '%s' would expand or run shell text "
					    "pasted in from the environment path or prompt: %s", rel,
					    a->injection_text)) < 0)
			return error;
	}
	d.found = a->path;
	if (a->kind == VENV_ACT_LITERAL) {
		struct stat st;

		snprintf(fix, sizeof(fix), "set VIRTUAL_ENV in '%s' to '%s'", rel, e->abs);
		if (!venv_model_is_self(e, a->path)) {
			d.old_prefix = a->path;
			d.new_prefix = e->abs;
			if (stat(a->path, &st) == 0)
				error = venv_check_add(c, VENV_DIAG_RELOCATED_ENVIRONMENT, rel, a->line,
						       how, &d, "'%s' activates '%s', another directory "
						       "(was the environment copied from there?)", rel,
						       a->path);
			else if (a->fallback)
				error = venv_check_add(c, VENV_DIAG_STALE_ACTIVATION_PATH, rel, a->line,
						       how, &d, "'%s' names '%s', which does not exist; "
						       "it falls back to its own location", rel, a->path);
			else
				error = venv_check_add(c, VENV_DIAG_RELOCATED_ENVIRONMENT, rel, a->line,
						       how, &d, "'%s' activates '%s', which does not exist "
						       "(the environment was moved from there?)", rel,
						       a->path);
			d.old_prefix = d.new_prefix = NULL;
			if (error < 0)
				return error;
		}
		if (!a->injection && (a->unquoted_template ||
				      (s->shell != VENV_ACT_PWSH && !s->ours && virtualenv_before_quoting(c)))) {
			snprintf(fix, sizeof(fix), "regenerate '%s' with quoting", rel);
			if ((error = venv_check_add(c, VENV_DIAG_UNQUOTED_ACTIVATION_TEMPLATE, rel,
						    a->line, how, &d, "'%s' comes from a template that "
						    "pastes the path in unquoted (%s); harmless for this "
						    "path", rel, e->creator == VENV_CREATOR_VIRTUALENV ?
						    "CVE-2024-53899" : "CVE-2024-9287")) < 0)
				return error;
		}
	} else if (a->kind == VENV_ACT_NONE || (a->kind == VENV_ACT_DYNAMIC && !a->injection)) {
		if ((error = add(c, VENV_DIAG_UNKNOWN_ACTIVATION_SCRIPT, rel, 0, NULL,
				 "no VIRTUAL_ENV assignment check understands was found in '%s'",
				 rel)) < 0)
			return error;
	}
	if (a->prompt_expansion) {
		snprintf(fix, sizeof(fix), "regenerate '%s' so that PS1 refers to the prompt", rel);
		error = venv_check_add(c, VENV_DIAG_PROMPT_EXPANSION, rel, a->prompt_line, how, &d,
				       "'%s' puts a command substitution into PS1, which bash and zsh "
				       "run at every prompt", rel);
	}
	return error;
}

/*
 * 1 when a virtualenv environment lacks one of the scripts virtualenv
 * writes by default besides bin/activate (and has another): made with
 * --activators. All of them present but bin/activate is one lost.
 */
static int chose_activators(const struct venv_model *e)
{
	static const char *const others[] = {
		"activate.csh", "activate.fish", "activate.ps1", "activate_this.py"
	};
	size_t i, have = 0;

	for (i = 0; i < VENV_ARRAY_SIZE(others); i++)
		if (venv_model_find_entry(e, others[i]) >= 0)
			have++;
	return have > 0 && have < VENV_ARRAY_SIZE(others);
}

static int check_activation(struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	static const char *const cpython_set[] = {
		"activate", "activate.csh", "activate.fish", "Activate.ps1"
	};
	size_t i;
	int error = 0;

	if (e->bin_state != VENV_DIR_OK)
		return 0;
	for (i = 0; i < e->nscripts; i++)
		if ((error = check_one_activation(c, &e->scripts[i])) < 0)
			return error;
	if (e->unfinished)
		return 0;
	for (i = 0; i < VENV_ARRAY_SIZE(cpython_set); i++) {
		struct venv_finding_data d;
		char rel[64];

		if (i > 0 && e->creator != VENV_CREATOR_CPYTHON)
			break;
		if (venv_model_find_entry(e, cpython_set[i]) >= 0)
			continue;
		/* Activate.ps1 and activate.ps1 are the same script. */
		if (i == 3 && venv_model_find_entry(e, "activate.ps1") >= 0)
			continue;
		snprintf(rel, sizeof(rel), "bin/%s", cpython_set[i]);
		/*
		 * virtualenv --activators fish,python makes only those: without
		 * bin/activate, and without some other shell's script, bash's was
		 * left out by choice, not lost. Said, not offered as a fix.
		 */
		if (i == 0 && e->creator == VENV_CREATOR_VIRTUALENV && chose_activators(e)) {
			if ((error = venv_check_add_sev(c, VENV_SEVERITY_INFO,
							VENV_DIAG_MISSING_ACTIVATION_SCRIPT, rel, 0,
							NULL, NULL, "'%s' is missing, like other "
							"shells' scripts: virtualenv was asked for "
							"some activators only (--activators)",
							rel)) < 0)
				return error;
			continue;
		}
		memset(&d, 0, sizeof(d));
		d.name = (char *)venv_act_shell_name((enum venv_act_shell)venv_act_shell_for(
						     cpython_set[i]));
		/* 'source bin/activate' failing is an error; another shell's script is not. */
		if ((error = venv_check_add_sev(c, i == 0 ? VENV_SEVERITY_ERROR : 0,
						VENV_DIAG_MISSING_ACTIVATION_SCRIPT, rel, 0,
						activation_writable(e, cpython_set[i]) ?
						"write the script" : NULL, &d, "'%s' is missing%s", rel,
						i == 0 ? ": 'source bin/activate' fails" : "")) < 0)
			return error;
	}
	return 0;
}

/* Console scripts. */

static int check_interpreter_path(struct venv_check_ctx *c, const char *rel, unsigned line, const char *interp)
{
	struct venv_model *e = c->env;
	struct vbuf dir = VBUF_INIT(VBUF_MAX_PATH), parent = VBUF_INIT(VBUF_MAX_PATH);
	char fix[PATH_MAX * 2 + 64], cfgpath[PATH_MAX + 16], inside[PATH_MAX + 8];
	const char *in_rel, *base, *how = fix;
	struct venv_finding_data d;
	struct stat st;
	int error = 0;

	memset(&d, 0, sizeof(d));
	d.found = (char *)interp;
	d.want = inside;
	d.new_prefix = e->abs;
	base = strrchr(interp, '/');
	base = base ? base + 1 : interp;
	if (e->main >= 0 && venv_model_find_entry(e, base) < 0)
		snprintf(inside, sizeof(inside), "%s/bin/%s", e->abs, e->interps[e->main].name);
	else
		snprintf(inside, sizeof(inside), "%s/bin/%s", e->abs, base);
	snprintf(fix, sizeof(fix), "rewrite the interpreter of '%s' to '%s'", rel, inside);
	/*
	 * No fix where no #! line can carry the path, nor for a script that
	 * runs no Python, which repair does not lead to the environment's
	 * (venv repair declines both).
	 */
	if (venv_shebang_write(&dir, inside, NULL, 0) < 0) {
		venv_error_clear();
		how = NULL;
	}
	if (!venv_model_is_python_name(base))
		how = NULL;
	vbuf_reset(&dir);
	if (interp[0] != '/') {
		error = venv_check_add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, how, &d,
			    "'%s' names the interpreter '%s', which is not an absolute path", rel,
			    interp);
		goto done;
	}
	if (venv_model_contains(e, interp, &in_rel)) {
		/* In an unfinished environment that is a consequence, reported as such. */
		if (fstatat(e->root, in_rel, &st, AT_SYMLINK_NOFOLLOW) < 0 && !e->unfinished)
			error = venv_check_add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, how, &d,
				    "'%s' runs '%s', which is not in the environment", rel, interp);
		goto done;
	}
	if ((error = venv_path_dirname(&dir, interp)) < 0 ||
	    (error = venv_path_dirname(&parent, dir.buf)) < 0)
		goto done;
	{
		const char *dbase = strrchr(dir.buf, '/');

		dbase = dbase ? dbase + 1 : dir.buf;
		if (parent.len)
			d.old_prefix = parent.buf;
		if (!strcmp(dbase, "bin") && parent.len && venv_model_is_old_location(e, parent.buf)) {
			if (stat(parent.buf, &st) == 0)
				error = venv_check_add(c, VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, rel, line, how, &d,
					    "'%s' runs '%s', the interpreter of '%s', another "
					    "environment this one was copied from", rel, interp, parent.buf);
			else
				error = venv_check_add(c, VENV_DIAG_SHEBANG_OLD_LOCATION, rel, line, how, &d,
					    "'%s' runs '%s', at the environment's old location '%s'",
					    rel, interp, parent.buf);
			goto done;
		}
		snprintf(cfgpath, sizeof(cfgpath), "%s/pyvenv.cfg", parent.buf);
		if (!strcmp(dbase, "bin") && parent.len && stat(cfgpath, &st) == 0 &&
		    !venv_model_is_self(e, parent.buf)) {
			error = venv_check_add(c, VENV_DIAG_SHEBANG_OTHER_ENVIRONMENT, rel, line, how, &d,
				    "'%s' runs '%s', the interpreter of another environment ('%s')",
				    rel, interp, parent.buf);
			goto done;
		}
	}
	d.old_prefix = NULL;
	if (!venv_model_is_python_name(base))
		d.want = NULL;
	if (stat(interp, &st) < 0) {
		error = venv_check_add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, how, &d,
			    "'%s' runs '%s', which does not exist", rel, interp);
	} else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		/* repair leads a Python's script to the environment's interpreter (fix_scripts.c). */
		error = venv_check_add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, line, how, &d,
			    "'%s' runs '%s', which is not an executable file", rel, interp);
	}
done:
	vbuf_release(&dir);
	vbuf_release(&parent);
	return error;
}

/*
 * A console script an installed distribution put in bin/ (its entry
 * points or its RECORD name it) that its owner may not execute: running
 * it fails with 'Permission denied' (VNV415). The interpreter names are
 * VNV116's, the activation scripts are sourced, not run; other files of
 * bin/ nothing installed may be data, and are left alone.
 */
static const int not_exec_codes[] = { VENV_DIAG_SCRIPT_NOT_EXECUTABLE, 0 };

static int not_exec_candidate(const struct venv_model_entry *en)
{
	return S_ISREG(en->st.st_mode) && !(en->st.st_mode & S_IXUSR) && en->interp < 0 &&
	       en->script < 0 && venv_act_shell_for(en->name) < 0;
}

/* What chmod a+X makes of a regular file's mode: x where r is (never o+w: VNV409). */
unsigned venv_rules_exec_mode(unsigned mode)
{
	mode &= 07777;
	return (mode & ~(unsigned)S_IWOTH) | S_IXUSR | (mode & S_IRGRP ? S_IXGRP : 0) |
	       (mode & S_IROTH ? S_IXOTH : 0);
}

static void owned_by(const struct venv_model *e, const char **owner, const char *name,
		     const char *dist)
{
	int i = venv_model_find_entry(e, name);

	if (i >= 0 && !owner[i])
		owner[i] = dist;
}

/*
 * The #! of each executable file of bin/ (and of each console script an
 * installed distribution owns, owner[] of script_owners(), which lost its
 * execute permission: giving it back must not leave a broken #!).
 */
static int check_scripts(struct venv_check_ctx *c, const char **owner)
{
	struct venv_model *e = c->env;
	struct vbuf buf = VBUF_INIT(SHEBANG_READ);
	struct venv_shebang sb = VENV_SHEBANG_INIT;
	size_t i;
	int error = 0;

	if (e->bin_state != VENV_DIR_OK)
		goto done;
	for (i = 0; i < e->nentries; i++) {
		const struct venv_model_entry *en = &e->entries[i];
		struct venv_finding_data d;
		char rel[300], fix[PATH_MAX + 100];
		int rc, err;

		if (en->interp >= 0 || venv_act_shell_for(en->name) >= 0 ||
		    !strcmp(en->name, "pyvenv.cfg"))
			continue;
		snprintf(rel, sizeof(rel), "bin/%s", en->name);
		if (S_ISLNK(en->st.st_mode)) {
			struct stat st;

			if (fstatat(e->bin, en->name, &st, 0) == 0)
				continue;
			if (errno == ELOOP)
				error = add(c, VENV_DIAG_LINK_NOT_FOLLOWED, rel, 0, NULL,
					    "'%s' is a symbolic link loop", rel);
			else if (errno == ENOENT || errno == ENOTDIR) {
				char *target = NULL;

				if ((error = venv_model_read_link(&target, e->bin, en->name)) == VENV_ENOMEM)
					goto done;
				error = add(c, VENV_DIAG_DANGLING_COMMAND_LINK, rel, 0, NULL,
					    "'%s' links to '%s', which does not exist", rel,
					    target ? target : "?");
				free(target);
			}
			if (error < 0)
				goto done;
			continue;
		}
		if (!S_ISREG(en->st.st_mode) ||
		    (!(en->st.st_mode & 0111) && !(owner && owner[i])))
			continue;
		rc = venv_fs_read_capped(e->bin, en->name, SHEBANG_READ, 1, &buf, NULL, &err);
		if (rc != VENV_RD_OK) {
			if ((error = venv_check_report_read(c, rc, err, rel)) < 0)
				goto done;
			continue;
		}
		rc = venv_shebang_parse(&sb, buf.buf, buf.len);
		memset(&d, 0, sizeof(d));
		d.found = sb.interpreter;
		if (rc == VENV_ETOOBIG) {
			error = add(c, VENV_DIAG_UNPARSEABLE_FILE, rel, 1, NULL,
				    "the first lines of '%s' could not be parsed within check's limits",
				    rel);
		} else if (rc < 0) {
			error = rc;
		} else if (sb.kind == VENV_SHEBANG_DIRECT && sb.truncated) {
			snprintf(fix, sizeof(fix), "rewrite '%s' with a /bin/sh trampoline", rel);
			error = venv_check_add(c, VENV_DIAG_SHEBANG_TRUNCATED, rel, 1, fix, &d,
				    "the interpreter path in the #! line of '%s' does not end within "
				    "the %d bytes Linux reads", rel, VENV_SHEBANG_KERNEL_MAX);
		} else if (sb.kind == VENV_SHEBANG_DIRECT || sb.kind == VENV_SHEBANG_TRAMPOLINE) {
			if (sb.injection) {
				const char *ib = strrchr(sb.interpreter, '/');

				snprintf(fix, sizeof(fix), "rewrite the trampoline of '%s' with the path "
					 "in single quotes", rel);
				/* repair leads it to the environment's Python: only a Python's (fix_scripts.c). */
				error = venv_check_add(c, VENV_DIAG_SHEBANG_INJECTION, rel, sb.line,
						       venv_model_is_python_name(ib ? ib + 1 :
										 sb.interpreter) ?
						       fix : NULL, &d,
					    "the /bin/sh trampoline of '%s' expands shell text in its "
					    "interpreter path '%s' every time it runs", rel, sb.interpreter);
			} else {
				error = check_interpreter_path(c, rel, sb.line, sb.interpreter);
			}
			if (!error && sb.kind == VENV_SHEBANG_DIRECT && sb.not_portable) {
				snprintf(fix, sizeof(fix), "rewrite '%s' with a /bin/sh trampoline", rel);
				error = venv_check_add(c, VENV_DIAG_SHEBANG_NOT_PORTABLE, rel, 1, fix, &d,
					    "the #! line of '%s' is longer than 127 bytes, too long for "
					    "Linux before 5.1 and other systems", rel);
			}
		} else if (sb.kind == VENV_SHEBANG_RELATIVE) {
			if (venv_model_find_entry(e, sb.interpreter) < 0)
				error = add(c, VENV_DIAG_SHEBANG_MISSING_INTERPRETER, rel, 2, NULL,
					    "'%s' runs '%s' next to itself, which does not exist", rel,
					    sb.interpreter);
		}
		venv_shebang_release(&sb);
		if (error < 0)
			goto done;
	}
done:
	venv_shebang_release(&sb);
	vbuf_release(&buf);
	return error;
}

/*
 * For each entry of bin/, the distribution that installed it as a console
 * script, or NULL: *out stays NULL when nothing in bin/ could be one that
 * lost its execute permission (the distributions are not read for it).
 */
static int script_owners(struct venv_check_ctx *c, const char ***out)
{
	struct venv_model *e = c->env;
	const struct venv_dists *ds;
	const char **owner;
	size_t i, k;
	int error = 0;

	*out = NULL;
	if (e->bin_state != VENV_DIR_OK || !venv_check_wants_any(c, not_exec_codes))
		return 0;
	for (i = 0; i < e->nentries && !not_exec_candidate(&e->entries[i]); i++)
		;
	if (i == e->nentries || (error = venv_check_dists(c, 0, &ds)) <= 0)
		return i == e->nentries ? 0 : error;
	if (!(owner = calloc(e->nentries, sizeof(*owner))))
		return venv_error_set(VENV_ENOMEM, "out of memory");
	for (i = 0; i < ds->nr; i++) {
		const struct venv_dist *d = &ds->v[i];

		for (k = 0; k < d->nscripts; k++)
			owned_by(e, owner, d->scripts[k], d->name);
		for (k = 0; k < d->nentries; k++)
			owned_by(e, owner, d->entries[k].name, d->name);
	}
	*out = owner;
	return 0;
}

static int check_not_executable(struct venv_check_ctx *c, const char **owner)
{
	struct venv_model *e = c->env;
	size_t i;
	int error = 0;

	for (i = 0; owner && i < e->nentries && error >= 0; i++) {
		const struct venv_model_entry *en = &e->entries[i];
		unsigned mode = (unsigned)(en->st.st_mode & 07777), want;
		struct venv_finding_data d;
		char rel[300], fix[400];

		if (!owner[i] || !not_exec_candidate(en))
			continue;
		snprintf(rel, sizeof(rel), "bin/%s", en->name);
		memset(&d, 0, sizeof(d));
		d.name = (char *)owner[i];
		d.mode = mode;
		want = venv_rules_exec_mode(mode);
		snprintf(fix, sizeof(fix), "give '%s' its execute permission: mode %04o -> %04o", rel,
			 mode, want);
		/* Execute bits alone do not make a script its owner cannot read run. */
		if (mode & S_IRUSR)
			error = venv_check_add(c, VENV_DIAG_SCRIPT_NOT_EXECUTABLE, rel, 0, fix, &d,
					       "'%s', a console script of %s, is not executable "
					       "(mode %04o): running it fails with 'Permission "
					       "denied'", rel, owner[i], mode);
		else
			error = venv_check_add(c, VENV_DIAG_SCRIPT_NOT_EXECUTABLE, rel, 0, NULL, &d,
					       "'%s', a console script of %s, is neither executable "
					       "nor readable by its owner (mode %04o): running it "
					       "fails with 'Permission denied'", rel, owner[i], mode);
	}
	return error;
}

int venv_rules_scripts(struct venv_check_ctx *c)
{
	const char **owner = NULL;
	int error;

	if ((error = check_activation(c)) >= 0 && (error = script_owners(c, &owner)) >= 0 &&
	    (error = check_scripts(c, owner)) >= 0)
		error = check_not_executable(c, owner);
	free(owner);
	return error;
}
