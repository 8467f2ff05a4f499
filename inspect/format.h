#ifndef VENV_FORMAT_H
#define VENV_FORMAT_H

#include <jansson.h>
#include "diag.h"
#include "inspect.h"
#include "rules.h"
#include "vbuf.h"

/*
 * Output of venv check. Everything here builds text in a vbuf or JSON
 * values; the command prints them. Strings from the environment (file
 * names, paths inside scripts) are hostile: text output escapes control
 * characters, invalid UTF-8 and bidirectional overrides, JSON output
 * replaces invalid UTF-8 with U+FFFD.
 */

#define VENV_CHECK_JSON_VERSION 1

/* Append s with everything a terminal could act on escaped. */
int venv_text_escape(struct vbuf *out, const char *s);

/* A JSON string of s (invalid UTF-8 replaced); never NULL unless out of memory. */
json_t *venv_json_str(const char *s);

/* The findings of one report that pass the filter, in the text format. */
int venv_format_text(struct vbuf *out, const struct venv_report *r,
		     const struct venv_rule_filter *f, int color);

/* One finding as a JSON object (the json and json-lines formats). */
json_t *venv_finding_json(const struct venv_report *r, const struct venv_finding *fi);

/* One environment's summary object; counts are of the findings passing f. */
json_t *venv_report_json(const struct venv_report *r, const struct venv_rule_filter *f);

/* The SARIF reportingDescriptor of a rule. */
json_t *venv_sarif_rule(const struct venv_diag *d);

/* A SARIF result; rule_index is the rule's place in the driver's rules. */
json_t *venv_sarif_result(const struct venv_report *r, const struct venv_finding *fi,
			  size_t rule_index);

/* --explain: the documentation page of one rule. */
int venv_format_explain(struct vbuf *out, const struct venv_diag *d, int color);

/* --list-rules as a text table, and as JSON. */
int venv_format_rules_text(struct vbuf *out, int color);
json_t *venv_rules_json(void);

/* The manual pages: venv-check(1) and venv-diagnostics(7). */
int venv_man_check(struct vbuf *out);
int venv_man_diagnostics(struct vbuf *out);

#endif
