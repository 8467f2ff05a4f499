#ifndef VENV_REPAIR_TEXT_H
#define VENV_REPAIR_TEXT_H

#include "vbuf.h"

/*
 * Small text parsers and formatters used by repair: console-script
 * shebangs in both of pip's forms (parsed down to the byte where the
 * header ends, so that the rest of a script is kept as it is), Python
 * string literals as pyvenv.cfg writes the prompt, and whole-path search.
 * None of them touches the file system.
 */

enum venv_rshebang_form {
	VENV_RSHEBANG_NONE = 0,      /* not a #! script */
	VENV_RSHEBANG_DIRECT,        /* #!/path/python [args] */
	VENV_RSHEBANG_TRAMPOLINE     /* #!/bin/sh + '''exec' /path/python "$0" "$@" + ' ''' */
};

struct venv_rshebang {
	enum venv_rshebang_form form;
	struct vbuf interp;   /* the interpreter path, unquoted */
	struct vbuf args;     /* direct form: the rest of the line after the path ("" or " -E") */
	size_t header_len;    /* bytes of the header, line breaks included */
};

void venv_rshebang_init(struct venv_rshebang *sb);
void venv_rshebang_release(struct venv_rshebang *sb);

/*
 * Parse the header of a script. A file that does not start with "#!", or
 * whose header cannot be read back safely (an unterminated line, a quote
 * that is not closed), gives VENV_RSHEBANG_NONE and 0.
 */
int venv_rshebang_parse(struct venv_rshebang *sb, const char *buf, size_t len);

/*
 * The header pip (distlib) writes for interp: the direct form when the
 * path has no blank and "#!" + path + args + "\n" fits the portable
 * 127-byte budget, else the /bin/sh trampoline, with the path in POSIX
 * single quotes (not distlib's double quotes, which let the shell expand
 * a path such as 'a b$(cmd)'), and args (what followed the interpreter, as
 * the kernel passes it: one word) as one more single-quoted word. A path
 * that contains a single quote or a line break, or args with a quote,
 * cannot be written safely: VENV_EUNSAFE.
 */
int venv_rshebang_format(struct vbuf *out, const char *interp, const char *args);

/*
 * Decode a pyvenv.cfg prompt: a Python string literal as CPython's repr()
 * writes it ('x', "it's", with backslash escapes), or, when the value is
 * not quoted (virtualenv writes it bare), the value itself.
 */
int venv_repair_pyliteral(struct vbuf *out, const char *value);

/*
 * Does text contain `path` as a whole path: an occurrence not followed by
 * a character that would continue the last component? Returns the offset
 * of the first such occurrence at or after `from`, or (size_t)-1.
 */
size_t venv_repair_find_path(const char *text, size_t len, size_t from, const char *path);

/* 1 when every byte of s is one shlex.quote() leaves alone. */
int venv_repair_plain_word(const char *s);

#endif
