/*
 * Rules about pyvenv.cfg, as each of CPython's readers reads it.
 */
#include "compat.h"
#include "ruleset.h"
#include "error.h"
#include "fs.h"
#include "path.h"
#include "cfgcheck.h"

/* Most findings carry no data beyond the text. */
#define add(c, code, rel, line, fix, ...) \
	venv_check_add((c), (code), (rel), (line), (fix), NULL, __VA_ARGS__)

/* pyvenv.cfg keys. */

static int check_cfg(struct venv_check_ctx *c)
{
	struct venv_model *e = c->env;
	const struct venv_cfg_facts *f = &e->facts;
	struct stat st;
	int error = 0, minor;

	if (e->bin >= 0 && fstatat(e->bin, "pyvenv.cfg", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (error = add(c, VENV_DIAG_CFG_SHADOWED, "bin/pyvenv.cfg", 0, "remove 'bin/pyvenv.cfg'",
			 "'bin/pyvenv.cfg' exists: site.py reads it instead of 'pyvenv.cfg'")) < 0)
		return error;
	minor = venv_model_minor_of(e->active_ver[0] ? e->active_ver : e->env_ver);
	/* getpath.py reads at most 32 KB during initialisation, then gives up. */
	if (e->cfg_size > 32768 && minor >= 11 &&
	    (error = add(c, VENV_DIAG_CFG_UNREADABLE, "pyvenv.cfg", 0, "write a new pyvenv.cfg",
			 "'pyvenv.cfg' is larger than the 32 KB Python %s reads at start-up "
			 "('cannot read file larger than 32KB during initialization')",
			 e->active_ver[0] ? e->active_ver : e->env_ver)) < 0)
		return error;
	if (e->cfg_state != VENV_CFG_OK)
		return 0;
	if ((e->cfg.flags & VENV_CFG_NOT_UTF8) &&
	    (error = add(c, VENV_DIAG_CFG_NOT_UTF8, "pyvenv.cfg", 0, "rewrite pyvenv.cfg in UTF-8",
			 "'pyvenv.cfg' is not valid UTF-8; Python stops at start-up "
			 "('Fatal Python error: init_import_site')")) < 0)
		return error;
	if ((e->cfg.flags & VENV_CFG_BOM) &&
	    (error = add(c, VENV_DIAG_CFG_BOM, "pyvenv.cfg", 1, "remove the byte-order mark",
			 "'pyvenv.cfg' starts with a byte-order mark, which hides its first key "
			 "from Python")) < 0)
		return error;
	if (!f->home_count) {
		if ((error = add(c, VENV_DIAG_CFG_MISSING_HOME, "pyvenv.cfg", 0,
				 "add `home` (the directory of the base interpreter)",
				 "'pyvenv.cfg' has no `home` key")) < 0)
			return error;
	} else if (f->home_count > 1) {
		if ((error = add(c, VENV_DIAG_CFG_DUPLICATE_HOME, "pyvenv.cfg", f->home_last_line,
				 "keep one `home`",
				 "'pyvenv.cfg' has %zu `home` keys: Python's start-up code uses '%s' "
				 "(line %u), site.py uses '%s' (line %u)", f->home_count, f->home_first,
				 f->home_first_line, f->home_last, f->home_last_line)) < 0)
			return error;
	}
	if ((e->cfg.flags & VENV_CFG_NO_FINAL_EOL) &&
	    (error = add(c, VENV_DIAG_CFG_NO_FINAL_NEWLINE, "pyvenv.cfg", (unsigned)e->cfg.nr,
			 "end the file with a line break",
			 "the last line of 'pyvenv.cfg' has no line break")) < 0)
		return error;
	if (f->system_site == -1) {
		if ((error = add(c, VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, "pyvenv.cfg", 0,
				 "add `include-system-site-packages = false`",
				 "'pyvenv.cfg' has no `include-system-site-packages`: Python treats "
				 "that as true and lets the environment see the system's packages")) < 0)
			return error;
	} else if (f->system_site == 2) {
		if ((error = add(c, VENV_DIAG_CFG_SYSTEM_SITE_PACKAGES, "pyvenv.cfg",
				 f->system_site_line, "write `include-system-site-packages = false`",
				 "`include-system-site-packages` is '%s', which Python reads as false "
				 "(only 'true' enables it)", f->system_site_value)) < 0)
			return error;
	}
	if (minor >= 0 && minor <= 10 && f->home_count && !f->strict_home_found &&
	    (error = add(c, VENV_DIAG_CFG_STRICT_FORMAT, "pyvenv.cfg", f->home_first_line,
			 "rewrite the line as 'home = VALUE'",
			 "Python %s's start-up code does not recognise this `home` line (it wants "
			 "'home = VALUE' on a terminated line)", e->active_ver[0] ? e->active_ver :
			 e->env_ver)) < 0)
		return error;
	if (!f->version[0] && (error = add(c, VENV_DIAG_CFG_MISSING_VERSION, "pyvenv.cfg", 0,
					   "add `version`",
					   "'pyvenv.cfg' records no Python version")) < 0)
		return error;
	return 0;
}

int venv_rules_cfg(struct venv_check_ctx *c)
{
	return check_cfg(c);
}
