#ifndef VENV_USAGE_H
#define VENV_USAGE_H

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

/* Flush stdout and report a write error (full disk, closed pipe) as failure. */
int venv_cli_finish(int status);

/* 1 when colour may be used on fd (a terminal, NO_COLOR unset, TERM not dumb). */
int venv_cli_use_color(int fd);

#endif
