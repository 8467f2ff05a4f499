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

/*
 * Lone CR line ends: site.py reads cfg's lines, start-up (getpath) the
 * lines split at LF only, and from them `home` (for Python 3.10 and older
 * the strict reader's, which finds none on a line without an LF).
 */
static int check_lone_cr(struct venv_check_ctx *c, int minor)
{
	const struct venv_model *e = c->env;
	const struct venv_cfg_facts *f = &e->facts;
	const char *home = minor >= 0 && minor <= 10 ? f->strict_home : f->home_first;
	const char *site_home = venv_cfg_get_first(&e->cfg, "home");
	struct vbuf what = VBUF_INIT(VBUF_MAX_LINE);
	size_t n;
	int error;

	if (!home)
		error = vbuf_sets(&what, "finding no `home`");
	else if (site_home && !strcmp(home, site_home))
		error = vbuf_addf(&what, "with the same `home` '%s'", home);
	else {
		/* Often the rest of the file: its start, cut at a character. */
		for (n = strlen(home) > 60 ? 60 : strlen(home);
		     n && ((unsigned char)home[n] & 0xc0) == 0x80; n--)
			;
		error = vbuf_addf(&what, "taking `home` to be '%.*s%s'", (int)n, home,
				  home[n] ? "..." : "");
	}
	if (error >= 0)
		error = add(c, VENV_DIAG_CFG_LONE_CR, "pyvenv.cfg", e->cfg.lone_cr_line,
			    "rewrite pyvenv.cfg with LF line ends, keeping every line",
			    "'pyvenv.cfg' ends lines with a lone CR: site.py splits lines there and "
			    "reads %zu, Python's start-up code splits at LF only and reads %zu, %s",
			    e->cfg.nr, venv_cfg_startup(&e->cfg)->nr, what.buf);
	vbuf_release(&what);
	return error;
}

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
	if ((e->cfg.flags & VENV_CFG_LONE_CR) && (error = check_lone_cr(c, minor)) < 0)
		return error;
	/* None for start-up: also when only a lone CR hides it in another line. */
	if (!f->home_first &&
	    (error = add(c, VENV_DIAG_CFG_MISSING_HOME, "pyvenv.cfg", 0,
			 "add `home` (the directory of the base interpreter)",
			 "'pyvenv.cfg' has no `home` key%s", f->home_count ? " for Python's start-up "
			 "code (site.py reads one after a lone CR)" : "")) < 0)
		return error;
	if (f->home_count > 1 &&
	    (error = add(c, VENV_DIAG_CFG_DUPLICATE_HOME, "pyvenv.cfg", f->home_last_line,
			 "keep one `home`",
			 "'pyvenv.cfg' has %zu `home` keys: Python's start-up code uses '%s' "
			 "(line %u), site.py uses '%s' (line %u)", f->home_count,
			 f->home_first ? f->home_first : "none", f->home_first_line, f->home_last,
			 f->home_last_line)) < 0)
		return error;
	/* A file of CR line ends has no final LF either: that is the finding above. */
	if ((e->cfg.flags & VENV_CFG_NO_FINAL_EOL) && !(e->cfg.flags & VENV_CFG_LONE_CR) &&
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
