#ifndef VENV_SHEBANG_H
#define VENV_SHEBANG_H

#include <stddef.h>
#include "vbuf.h"

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
/* Kernel-independent budget for a direct "#!" line, newline included (SHB-01). */
#define VENV_SHEBANG_MAX 127

enum venv_shebang_kind {
	VENV_SHEBANG_NONE,        /* no #!: a binary or a file that is not a script */
	VENV_SHEBANG_DIRECT,      /* #!INTERPRETER [ARGUMENT] */
	VENV_SHEBANG_TRAMPOLINE,  /* #!/bin/sh, then exec of INTERPRETER */
	VENV_SHEBANG_RELATIVE     /* the trampoline runs a file next to the script */
};

struct venv_shebang {
	enum venv_shebang_kind kind;
	/*
	 * As the kernel / sh would see it; RELATIVE: a file name. DIRECT and
	 * truncated: the whole path as written, of which the kernel sees less.
	 */
	char *interpreter;
	char *argument;      /* DIRECT: the optional argument, else NULL */
	unsigned line;       /* line of the interpreter: 1, or 2 for trampolines */
	size_t line_length;  /* length of line 1 without its line break */
	int truncated;       /* DIRECT: the interpreter does not end within 256 bytes */
	int not_portable;    /* DIRECT: ... nor within 128 bytes */
	int injection;       /* TRAMPOLINE: the path contains expansions or commands */
	unsigned word_flags; /* TRAMPOLINE: venv_word_flags of the path */
	/*
	 * What a rewrite of the header keeps after the interpreter, in the form
	 * venv_shebang_write() takes: DIRECT, the rest of line 1 as written
	 * (" -E", "" for none); TRAMPOLINE, the interpreter's argument with a
	 * leading blank, from a bare word (distlib) or one single-quoted word
	 * (ours). NULL when it cannot be carried over as it is: a NUL in line 1,
	 * a trampoline path or argument that the shell would expand.
	 */
	char *args;
	size_t header_len;   /* bytes of the header, line breaks included; 0: unterminated */
};

#define VENV_SHEBANG_INIT { VENV_SHEBANG_NONE, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }

/*
 * Parse the start of a file (the first few kilobytes are enough). Returns
 * 0 (kind tells what was found), VENV_ETOOBIG when the parser's limits
 * were hit, or another negative code.
 */
int venv_shebang_parse(struct venv_shebang *out, const char *buf, size_t len);
void venv_shebang_release(struct venv_shebang *s);

/*
 * The one writer of the first line(s) of a script that runs `python` with
 * `args` (NULL or "", or what follows the interpreter as the kernel passes
 * it: " -E"), with pip's (distlib's) rules: "#!<python><args>\n" when the
 * path has no blank and the line fits VENV_SHEBANG_MAX bytes, otherwise a
 * /bin/sh trampoline that names the interpreter, and its argument as one
 * more word, inside POSIX single quotes (not distlib's double quotes, in
 * which the shell would expand 'a b$(cmd)'). The trampoline ends without a
 * line break, as distlib's, whose body goes on with a comment on its last
 * line; VENV_SHEBANG_LINE_END adds one, for a body of another kind.
 *
 * One set of refused characters for create, repair and upgrade: a path
 * that is not absolute is VENV_EINVAL; one that is not UTF-8 or holds a
 * control character, an argument with a control character, and for the
 * trampoline a ' or \ in either, are VENV_EUNSAFE (security.md
 * SHB-01..05). Nothing is written then.
 */
#define VENV_SHEBANG_LINE_END 1u
int venv_shebang_write(struct vbuf *out, const char *python, const char *args, unsigned flags);

/*
 * The script text (len bytes) with its first header_len bytes (a header as
 * venv_shebang_parse() measures it) replaced by venv_shebang_write()'s
 * header for python and args, line break included: the one rewrite of a
 * script's interpreter, for create and repair. Fails as
 * venv_shebang_write() does, writing nothing then.
 */
int venv_shebang_rewrite(struct vbuf *out, const char *text, size_t len, size_t header_len,
			 const char *python, const char *args);

/*
 * pip's placeholder in the scripts of a wheel's .data/scripts: a first line
 * starting with "#!python", which pip's installer rewrites, whatever follows
 * on it ("#!python3", "#!pythonw"), to run the environment's interpreter.
 * Returns the length of that line, its line break included (all of text
 * when it has none), or 0 when text does not start with it.
 */
size_t venv_shebang_placeholder(const char *text, size_t len);

#endif
