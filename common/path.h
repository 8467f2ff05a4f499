#ifndef VENV_PATH_H
#define VENV_PATH_H

#include "vbuf.h"

/*
 * Lexical path helpers. None of them touches the file system except
 * venv_path_abspath() (which reads the current directory) and
 * venv_path_search() (which looks at PATH entries).
 */

/* Normalise like Python's posixpath.normpath(): collapse "//", "." and "..". */
int venv_path_normalize(struct vbuf *out, const char *path);

/* os.path.abspath(): join with the current directory, then normalise. */
int venv_path_abspath(struct vbuf *out, const char *path);

/* out = a "/" b (b must be relative). */
int venv_path_join(struct vbuf *out, const char *a, const char *b);

/* os.path.basename / os.path.dirname of an already normalised path. */
int venv_path_basename(struct vbuf *out, const char *path);
int venv_path_dirname(struct vbuf *out, const char *path);

/*
 * os.path.relpath(path, start) for two absolute normalised paths.
 */
int venv_path_relative(struct vbuf *out, const char *path, const char *start);

/* Find an executable named `name` (no slash) on PATH. VENV_ENOTFOUND if none. */
int venv_path_search(struct vbuf *out, const char *name);

/*
 * The file:// URL of path (made absolute): every byte but ASCII letters,
 * digits and "-._~/" percent-encoded (a space, '%', UTF-8), as SARIF
 * locations and direct_url.json (PEP 610) want it; venv_dist_file_url()
 * (dist.h) reads it back.
 */
int venv_path_file_uri(struct vbuf *out, const char *path);

/* 1 if `child` equals `parent` or lies beneath it, compared component-wise. */
int venv_path_is_within(const char *child, const char *parent);

/*
 * Check that s is valid UTF-8 without overlong forms or surrogates. Returns
 * 1 when valid.
 */
int venv_utf8_valid(const char *s, size_t len);

/*
 * Decode one UTF-8 code point at s (valid input assumed); returns its length
 * and stores the code point in *cp.
 */
size_t venv_utf8_decode(const char *s, unsigned long *cp);

/*
 * Append s for display in a message: printable text as it is, and control
 * characters, line separators, bidirectional controls and invalid bytes as
 * \xNN or \uNNNN, so that a hostile name cannot rewrite the terminal.
 */
int venv_str_escape(struct vbuf *out, const char *s);

/* 1 if s contains a Unicode bidirectional control (U+200E/F, U+202A..E, U+2066..9). */
int venv_str_has_bidi(const char *s);

#endif
