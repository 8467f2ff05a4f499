#ifndef VENV_CFGCHECK_H
#define VENV_CFGCHECK_H

#include "cfg.h"

/*
 * What CPython's several readers make of a pyvenv.cfg, on top of the
 * shared model of common/cfg.h (which is site.py's and getpath.py's
 * lenient reading): getpath.c's strict reader of Python 3.10 and older,
 * first versus last `home`, and the meaning of the other keys. `home_first`
 * is read from the lines start-up sees (venv_cfg_startup(): split at LF
 * only), everything else from site.py's (split at LF, CR LF and CR too).
 */
struct venv_cfg_facts {
	int strict_home_found;      /* Python <= 3.10: a `home` its reader accepts */
	char *strict_home;
	unsigned strict_home_line;
	const char *home_first;     /* getpath.py (3.11+): the first home (points into cfg) */
	unsigned home_first_line;   /* of start-up's lines */
	const char *home_last;      /* site.py: the last home */
	unsigned home_last_line;
	size_t home_count;          /* in site.py's lines */
	int system_site;            /* -1 absent (means true), 0 false, 1 true, 2 other (false) */
	unsigned system_site_line;
	const char *system_site_value;
	char version[32];           /* from `version`, else `version_info`; "" if neither */
	unsigned version_line;
};

#define VENV_CFG_FACTS_INIT { 0, NULL, 0, NULL, 0, NULL, 0, 0, -1, 0, NULL, "", 0 }

/*
 * Analyse a parsed file; raw/len are the bytes it was parsed from (the
 * strict reader needs them). The facts point into cfg: keep it alive.
 */
int venv_cfg_analyze(struct venv_cfg_facts *out, const struct venv_cfg *cfg,
		     const char *raw, size_t len);
void venv_cfg_facts_release(struct venv_cfg_facts *f);

/*
 * Python <= 3.10's getpath.c reader of `home`: lines read with fgets
 * (a line without a line break, or one too long, ends the scan), '#'
 * lines skipped, the first token must be exactly "home" and the second
 * exactly "=", the value is the rest of the line after one separator, up
 * to CR or LF. Returns 1 and the value when found, 0 when not.
 */
int venv_cfg_strict_home(struct vbuf *out, unsigned *line, const char *raw, size_t len);

/* Parse "3.12.1", "3.11.2.final.0", "3.12" or "3.13t"; micro is -1 when absent. */
int venv_version_parse(const char *s, int *major, int *minor, int *micro);

#endif
