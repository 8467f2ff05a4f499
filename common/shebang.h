#ifndef VENV_SHEBANG_H
#define VENV_SHEBANG_H

#include <stddef.h>

/*
 * The first line(s) of an executable script, read the way Linux reads
 * them (fs/binfmt_script.c): the kernel sees at most the first 256 bytes
 * (BINPRM_BUF_SIZE since Linux 5.1, 128 before), the interpreter ends at a
 * blank, tab or NUL, everything after it is one argument, and since Linux
 * 5.x an interpreter path that does not end within those bytes is refused.
 * pip's /bin/sh trampoline ('''exec' INTERP "$0" "$@" on line 2) and uv's
 * relocatable variant are recognised.
 */

#define VENV_SHEBANG_KERNEL_MAX 256
#define VENV_SHEBANG_PORTABLE_MAX 128

enum venv_shebang_kind {
	VENV_SHEBANG_NONE,        /* no #!: a binary or a file that is not a script */
	VENV_SHEBANG_DIRECT,      /* #!INTERPRETER [ARGUMENT] */
	VENV_SHEBANG_TRAMPOLINE,  /* #!/bin/sh, then exec of INTERPRETER */
	VENV_SHEBANG_RELATIVE     /* the trampoline runs a file next to the script */
};

struct venv_shebang {
	enum venv_shebang_kind kind;
	char *interpreter;   /* as the kernel / sh would see it; RELATIVE: a file name */
	char *argument;      /* DIRECT: the optional argument, else NULL */
	unsigned line;       /* line of the interpreter: 1, or 2 for trampolines */
	size_t line_length;  /* length of line 1 without its line break */
	int truncated;       /* DIRECT: the interpreter does not end within 256 bytes */
	int not_portable;    /* DIRECT: ... nor within 128 bytes */
	int injection;       /* TRAMPOLINE: the path contains expansions or commands */
	unsigned word_flags; /* TRAMPOLINE: venv_word_flags of the path */
};

#define VENV_SHEBANG_INIT { VENV_SHEBANG_NONE, NULL, NULL, 0, 0, 0, 0, 0, 0 }

/*
 * Parse the start of a file (the first few kilobytes are enough). Returns
 * 0 (kind tells what was found), VENV_ETOOBIG when the parser's limits
 * were hit, or another negative code.
 */
int venv_shebang_parse(struct venv_shebang *out, const char *buf, size_t len);
void venv_shebang_release(struct venv_shebang *s);

#endif
