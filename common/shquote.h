#ifndef VENV_SHQUOTE_H
#define VENV_SHQUOTE_H

#include "vbuf.h"

/*
 * Quoting of values substituted into activation scripts, one function per
 * shell family. Each appends to `out` a single word that the shell reads
 * back as exactly `value`, with no expansion of any kind, or fails with
 * VENV_EINVAL (and a message naming the shell) when the shell cannot carry
 * the value safely: every family refuses line breaks (LF, CR, NEL, U+2028,
 * U+2029), and fish, nu and PowerShell, which read their scripts as text,
 * and csh, which (as tcsh in a UTF-8 locale) mangles broken sequences,
 * refuse invalid UTF-8. Callers check every value against every shell
 * before anything is written. tests/unit/common/test_shquote.c feeds the
 * output of each function to the real shell.
 */
enum venv_shell {
	VENV_SHELL_POSIX, /* sh, bash, zsh, dash, ksh: `activate` */
	VENV_SHELL_FISH,  /* activate.fish */
	VENV_SHELL_CSH,   /* activate.csh: csh and tcsh */
	VENV_SHELL_NU,    /* activate.nu */
	VENV_SHELL_PWSH,  /* Activate.ps1 */
	VENV_SHELL_RAW    /* not a shell script: substituted verbatim */
};

#define VENV_SHELL_COUNT 5 /* the shells above except RAW */

/* The shell family a template file name belongs to (CPython's rule, extended). */
enum venv_shell venv_shell_for_script(const char *filename);

/* A short name for messages: "sh", "fish", "csh", "nu", "powershell". */
const char *venv_shell_name(enum venv_shell shell);

int venv_shquote_posix(struct vbuf *out, const char *value);
int venv_shquote_fish(struct vbuf *out, const char *value);
int venv_shquote_csh(struct vbuf *out, const char *value);
int venv_shquote_nu(struct vbuf *out, const char *value);
int venv_shquote_pwsh(struct vbuf *out, const char *value);

/* Dispatch on shell. */
int venv_shquote(struct vbuf *out, enum venv_shell shell, const char *value);

/*
 * Check that value can be quoted for every shell we write scripts for; on
 * failure the message says which shell and why. `what` names the value in
 * the message ("environment path", "prompt").
 */
int venv_shquote_check_all(const char *value, const char *what);

#endif
