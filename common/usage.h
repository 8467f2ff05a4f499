#ifndef VENV_USAGE_H
#define VENV_USAGE_H

#include <getopt.h>
#include "vbuf.h"

/*
 * Reporters for the command-line layer only (cmd_*.c and venv.c): they
 * print "venv: error: ...", "venv: warning: ..." on stderr. Library code
 * never calls them.
 */

/* Exit statuses. They never change meaning; see man/venv.1, EXIT STATUS. */
enum venv_exit {
	VENV_EXIT_OK = 0,       /* success; check: nothing at or above the threshold */
	VENV_EXIT_FAILURE = 1,  /* create: failed; check: findings; repair: problems remain */
	VENV_EXIT_ERROR = 2     /* usage error, or the tool could not do its job */
};

/* Print "venv: error: <msg>" and return VENV_EXIT_FAILURE. */
int venv_cli_error(const char *fmt, ...) VENV_PRINTF(1, 2);
/* Print "venv: error: <msg>", a hint to run `venv CMD --help`, return VENV_EXIT_ERROR. */
int venv_cli_usage_error(const char *cmd, const char *fmt, ...) VENV_PRINTF(2, 3);
/*
 * For an option getopt_long() did not know: "venv: error: unrecognized
 * option 'ARG'", with "; did you mean '--NAME'?" when a long option of opts
 * (a getopt_long() table ending in a zeroed entry) is close to it, then the
 * hint to run `venv CMD --help`. Returns VENV_EXIT_ERROR.
 */
struct option;
int venv_cli_unknown_option(const char *cmd, const char *arg, const struct option *opts);
void venv_cli_warning(const char *fmt, ...) VENV_PRINTF(1, 2);
void venv_cli_note(const char *fmt, ...) VENV_PRINTF(1, 2);

/*
 * What a command prints of s, a name or text that may come from the
 * environment: s escaped by venv_str_escape() into buf (no control
 * character, line break or bidirectional control reaches the terminal).
 * Returns buf's text (s itself if out of memory, NULL for NULL). The
 * reporters above escape control characters in their whole message.
 */
const char *venv_cli_shown(struct vbuf *buf, const char *s);

/* Flush stdout and report a write error (full disk, closed pipe) as failure. */
int venv_cli_finish(int status);

/*
 * The progress line on stderr (common/progress.h; p from venv_progress_init
 * with fd 2): redraw it with the text of fmt, at most ten times a second
 * unless force; clear it before anything else is printed.
 */
struct venv_progress;
void venv_cli_progress(struct venv_progress *p, int force, const char *fmt, ...) VENV_PRINTF(3, 4);
void venv_cli_progress_clear(struct venv_progress *p);

/*
 * A command's --help (common/optdoc.h), its usage lines alone (before a
 * usage error), and its options for `venv --dump-options`: one line per
 * option, fields separated by tabs: "option", the command, the short option
 * or "-", the long one or "-", the argument or "-", the argument's values
 * ("@files", "@none", or the words; "-" when it takes none), the help; then
 * one line per positional argument: "arg", the command, its name ("DIR").
 */
struct venv_cmddoc;
void venv_cli_print_help(FILE *f, const struct venv_cmddoc *d);
void venv_cli_print_usage(FILE *f, const struct venv_cmddoc *d);
void venv_cli_dump_options(FILE *f, const struct venv_cmddoc *d);

/*
 * The options of a command, parsed by its table (d->opts: each option once,
 * there): venv_cli_parse_init() makes getopt_long()'s short and long
 * options of it, then each venv_cli_next_option() returns the next option's
 * val (its argument in optarg, as getopt_long()), 0 after the last option
 * (optind indexes the first operand), or -1 when the command is to stop
 * with p->status: after --help (printed, 0), an option without its
 * argument or an option the table does not have (usage errors, 2).
 */
#define VENV_CLI_MAX_OPTS 32
struct venv_cli_parse {
	const struct venv_cmddoc *doc;
	struct option longopts[VENV_CLI_MAX_OPTS + 1];
	char shortopts[3 * VENV_CLI_MAX_OPTS + 2];
	int status;
};
void venv_cli_parse_init(struct venv_cli_parse *p, const struct venv_cmddoc *d);
int venv_cli_next_option(struct venv_cli_parse *p, int argc, char **argv);

/* The usage lines of d on stderr, then venv_cli_usage_error() for d's command. */
int venv_cli_doc_usage_error(const struct venv_cmddoc *d, const char *fmt, ...)
	VENV_PRINTF(2, 3);

/*
 * The environments a command of d was given (check, list, repair): with no
 * operand, the default one (venv_default_env_dir), kept in def and put in
 * def_argv (two slots), with *argv, *argc and *optind set to it; -r without a
 * ROOT, or no default found, is a usage error. Returns 0, or the usage
 * error's exit status once it is printed.
 */
int venv_cli_env_operands(const struct venv_cmddoc *d, int recursive, int *argc, char ***argv,
			  int *optind, struct vbuf *def, char **def_argv);

/* 1 when colour may be used on fd (a terminal, NO_COLOR unset, TERM not dumb). */
int venv_cli_use_color(int fd);

#endif
