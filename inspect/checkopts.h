#ifndef VENV_CHECKOPTS_H
#define VENV_CHECKOPTS_H

#include "optdoc.h"

/*
 * The documentation of venv check's command line, in one place: --help
 * prints it and the manual page generator turns it into venv-check(1), so
 * the two cannot drift apart (a test checks that they agree).
 */

/* The synopsis lines, without "usage: " and without line breaks inside. */
extern const char *const venv_check_synopsis[];
extern const unsigned venv_check_synopsis_count;

/* What the parser returns for the long options without a letter (optdoc.h, val). */
enum {
	VENV_CHECK_OPT_SELECT = 256, VENV_CHECK_OPT_IGNORE, VENV_CHECK_OPT_SEVERITY,
	VENV_CHECK_OPT_CROSS, VENV_CHECK_OPT_COLOR, VENV_CHECK_OPT_NO_PROGRESS,
	VENV_CHECK_OPT_LIST_RULES, VENV_CHECK_OPT_EXPLAIN, VENV_CHECK_OPT_VERIFY_HASHES,
	VENV_CHECK_OPT_STRICT
};

extern const struct venv_optdoc venv_check_optdocs[];
extern const unsigned venv_check_optdocs_count;

/* One paragraph: what the command does. */
extern const char venv_check_description[];

/* Exit statuses, one per line "N  meaning". */
extern const char *const venv_check_exit_statuses[];
extern const unsigned venv_check_exit_statuses_count;

/* All of the above, for --help, `venv --dump-options` and the completions. */
extern const struct venv_cmddoc venv_check_doc;

#endif
