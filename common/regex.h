#ifndef VENV_REGEX_H
#define VENV_REGEX_H

#include <stddef.h>

/*
 * The PCRE2 patterns check applies to hostile files (activation scripts,
 * console scripts, file names). They are compiled once per process, in
 * byte mode (the files need not be UTF-8), and every match runs with a
 * match, depth and heap limit, so no input can make a match spin or eat
 * memory: hitting a limit is reported as VENV_ETOOBIG ("unparseable"),
 * never as a match.
 */
enum venv_re_id {
	VENV_RE_SH_VENV,        /* [export] VIRTUAL_ENV=... in sh scripts */
	VENV_RE_SH_GUARD,       /* if [ ! -d WORD ]; then (virtualenv's fallback) */
	VENV_RE_SH_PS1,         /* PS1=... */
	VENV_RE_SH_SELF,        /* a script that finds its own location */
	VENV_RE_FISH_VENV,      /* set -gx VIRTUAL_ENV ... */
	VENV_RE_CSH_VENV,       /* setenv VIRTUAL_ENV ... */
	VENV_RE_NU_VENV,        /* let virtual_env = ..., $env.VIRTUAL_ENV = ... */
	VENV_RE_PWSH_VENV,      /* $env:VIRTUAL_ENV = ..., $VIRTUAL_ENV = ... */
	VENV_RE_XSH_VENV,       /* $VIRTUAL_ENV = ... (xonsh) */
	VENV_RE_SHEBANG,        /* #! interpreter [argument] */
	VENV_RE_TRAMPOLINE,     /* #!/bin/sh + '''exec' INTERP "$0" "$@" */
	VENV_RE_EXT_TAG,        /* NAME.cpython-XY[flags][-platform].so */
	VENV_RE_COUNT
};

#define VENV_RE_MAX_GROUPS 4

struct venv_re_match {
	size_t start, end;                   /* the whole match */
	size_t group_start[VENV_RE_MAX_GROUPS];
	size_t group_end[VENV_RE_MAX_GROUPS];
	int groups;                          /* capture groups set (1-based in PCRE2) */
};

/*
 * Match pattern id against subject[offset..len). Returns 1 and fills m on a
 * match, 0 when there is none, VENV_ETOOBIG when a limit was hit and
 * VENV_ERROR for anything else (with a message). An unset group has
 * group_start == group_end == (size_t)-1.
 */
int venv_re_match(enum venv_re_id id, const char *subject, size_t len, size_t offset,
		  struct venv_re_match *m);

/* 1 when group g (1-based) of m is set. */
int venv_re_group_set(const struct venv_re_match *m, int g);

#endif
