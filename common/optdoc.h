#ifndef VENV_OPTDOC_H
#define VENV_OPTDOC_H

#include <stddef.h>

/*
 * The documentation of a command's command line, once: --help prints it
 * (venv_cli_print_help), `venv --dump-options` gives it to the generator of
 * the shell completions (templates/completions.sh), and the tests hold the
 * man pages' SYNOPSIS and OPTIONS to it (tests/cli/t0100, t0120).
 */
struct venv_optdoc {
	const char *names;   /* "-j, --jobs", or a positional argument's name "DIR" */
	const char *arg;     /* "N"; "[=FILE]" for an optional argument; NULL for none */
	const char *values;  /* the argument's values for completion, space-separated
				("text json"); NULL: file names; "": nothing to offer */
	const char *help;    /* one paragraph; NULL: an option accepted but not shown */
	int val;             /* an option: what venv_cli_next_option() returns for it (the
				short option's letter, else a value from 256 up); else 0 */
};

struct venv_cmddoc {
	const char *name;                   /* "create" */
	const char *const *synopsis;        /* without "usage: ", no line breaks inside */
	size_t nsynopsis;
	const char *description;            /* one paragraph */
	const struct venv_optdoc *args;     /* the positional arguments */
	size_t nargs;
	const struct venv_optdoc *opts;
	size_t nopts;
	const char *const *exits;           /* "N  meaning" lines, printed under "exit status:" */
	size_t nexits;
	const char *epilog;                 /* the last paragraph, or NULL */
};

#endif
