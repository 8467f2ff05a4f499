#ifndef VENV_RULES_H
#define VENV_RULES_H

#include "diag.h"
#include "vbuf.h"

/*
 * Which findings are reported: --select and --ignore lists (codes, code
 * prefixes, slugs, ALL) and the --severity threshold. For every rule the
 * most specific matching selector decides; on a tie --ignore wins. With no
 * --select, every stable rule is selected.
 */
struct venv_rule_filter {
	unsigned char enabled[1000];
	enum venv_severity threshold;
};

/*
 * select and ignore are comma-separated lists (NULL or "" for none).
 * Unknown selectors and removed rules are VENV_EINVAL; deprecated rules
 * add a line to warnings (which may be NULL).
 */
int venv_rule_filter_init(struct venv_rule_filter *f, const char *select, const char *ignore,
			  enum venv_severity threshold, struct vbuf *warnings);

/* 1 when a finding of this code, with the registry's severity, is reported. */
int venv_rule_filter_wants(const struct venv_rule_filter *f, int code);

/* As venv_rule_filter_wants() for a finding of this severity (0: the registry's). */
int venv_rule_filter_wants_severity(const struct venv_rule_filter *f, int code,
				    enum venv_severity severity);

/* 1 when the rule is selected, whatever its severity. */
int venv_rule_filter_selected(const struct venv_rule_filter *f, int code);

#endif
