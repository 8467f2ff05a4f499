#ifndef VENV_ACTSCAN_H
#define VENV_ACTSCAN_H

#include "vbuf.h"

/*
 * Reading the environment path baked into activation scripts, for every
 * shell and creator check knows (CPython 3.8-3.13 before and after the
 * CVE-2024-9287 fix, virtualenv, uv, venv create). PCRE2 finds the
 * assignment of VIRTUAL_ENV; a small decoder per shell then reads the
 * right-hand side the way that shell would, without expanding anything,
 * and says what the shell would have expanded or run.
 */

enum venv_act_shell {
	VENV_ACT_SH,    /* activate: sh, bash, zsh, dash, ksh */
	VENV_ACT_FISH,  /* activate.fish */
	VENV_ACT_CSH,   /* activate.csh */
	VENV_ACT_NU,    /* activate.nu */
	VENV_ACT_PWSH,  /* Activate.ps1 / activate.ps1 */
	VENV_ACT_XSH    /* activate.xsh (xonsh) */
};

/* The shell of an activation script by file name; -1 when it is not one. */
int venv_act_shell_for(const char *name);
const char *venv_act_shell_name(enum venv_act_shell shell);

enum venv_word_flags {
	VENV_WORD_EXPANSION = 1 << 0,    /* $var, ${...}, a glob: depends on the shell's state */
	VENV_WORD_COMMAND = 1 << 1,      /* $(...), `...`, fish (...): runs a command */
	VENV_WORD_UNTERMINATED = 1 << 2, /* a quote is not closed on the line */
	VENV_WORD_TRAILING = 1 << 3,     /* more shell text follows the word */
	VENV_WORD_DQUOTED = 1 << 4,      /* some of it was inside double quotes */
	VENV_WORD_SQUOTED = 1 << 5,      /* some of it was inside single or raw quotes */
	VENV_WORD_BARE = 1 << 6,         /* some of it was unquoted */
	VENV_WORD_HISTORY = 1 << 7,      /* csh history expansion ('!') */
	VENV_WORD_EMPTY = 1 << 8         /* there is no word */
};

/*
 * Decode the word at the start of s[0..len) (one line without its line
 * break) as `shell` reads the right-hand side of an assignment: quotes are
 * removed and escapes applied; the text of expansions is copied verbatim
 * and flagged, never performed. *used receives the bytes the word took.
 */
int venv_word_decode(struct vbuf *out, unsigned *flags, enum venv_act_shell shell,
		     const char *s, size_t len, size_t *used);

enum venv_act_kind {
	VENV_ACT_NONE,     /* no assignment of VIRTUAL_ENV found */
	VENV_ACT_LITERAL,  /* a fixed path, in `path` */
	VENV_ACT_SELF,     /* computed from the script's own location */
	VENV_ACT_DYNAMIC   /* computed some other way */
};

struct venv_activation {
	enum venv_act_kind kind;
	char *path;              /* LITERAL: the decoded path */
	unsigned line;           /* line of that assignment (1-based) */
	unsigned word_flags;     /* how it was written */
	int fallback;            /* sh: finds itself when the path is missing */
	int injection;           /* shell syntax where a literal belongs */
	unsigned injection_line;
	char *injection_text;    /* the offending right-hand side, shortened */
	int unquoted_template;   /* CPython's pre-CVE-2024-9287 form "PATH" */
	int prompt_expansion;    /* sh: PS1 gets $(...) or `...` literally */
	unsigned prompt_line;
};

#define VENV_ACTIVATION_INIT { VENV_ACT_NONE, NULL, 0, 0, 0, 0, 0, NULL, 0, 0, 0 }

/*
 * Scan an activation script. Returns 0, VENV_ETOOBIG when the parser's
 * limits were hit, or another negative code.
 */
int venv_actscan(struct venv_activation *out, enum venv_act_shell shell,
		 const char *buf, size_t len);
void venv_activation_release(struct venv_activation *a);

#endif
