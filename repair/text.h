#ifndef VENV_REPAIR_TEXT_H
#define VENV_REPAIR_TEXT_H

#include "vbuf.h"

/*
 * Small text parsers used by repair: Python string literals as pyvenv.cfg
 * writes the prompt, and whole-path search. None of them touches the file
 * system. (Shebangs are read and written by common/shebang.h alone.)
 */

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
