#ifndef VENV_CFG_H
#define VENV_CFG_H

#include "vbuf.h"

/*
 * The pyvenv.cfg model shared by create, check and repair.
 *
 * Parsing keeps every line, in order, with what CPython's lenient readers
 * (site.py, and getpath.py from 3.11) would make of it: a line with an "="
 * is split at the first one, the key stripped and lower-cased, the value
 * stripped. Lines without "=" are kept (VENV_CFG_LINE_NOEQ) so that a file
 * can be rewritten without losing anything. File-level oddities that some
 * CPython reader trips on are reported in `flags`.
 *
 * The two readers do not end lines at the same places. site.py reads the
 * file in text mode, where LF, CR LF and a lone CR all end a line;
 * getpath (Python's start-up code, which only looks for `home`) splits at
 * LF alone. `lines` is site.py's view: every key the file holds for
 * Python, and what a rewrite must keep. Where the two differ (a lone CR,
 * VENV_CFG_LONE_CR), `startup` holds the same file split at LF only:
 * venv_cfg_startup() gives the view start-up reads `home` from.
 */

enum venv_cfg_line_flags {
	VENV_CFG_LINE_NOEQ = 1 << 0,       /* no "=" on the line */
	VENV_CFG_LINE_STRICT_OK = 1 << 1   /* "key = value": the form CPython <= 3.10 requires */
};

struct venv_cfg_line {
	char *key;        /* stripped, lower-cased; NULL for NOEQ lines */
	char *value;      /* stripped */
	char *raw;        /* the line as found, without its line break */
	unsigned lineno;  /* 1-based */
	unsigned flags;
};

enum venv_cfg_flags {
	VENV_CFG_BOM = 1 << 0,          /* starts with a UTF-8 byte-order mark */
	VENV_CFG_CRLF = 1 << 1,         /* has CR LF line ends */
	VENV_CFG_NO_FINAL_EOL = 1 << 2, /* last line not terminated */
	VENV_CFG_NOT_UTF8 = 1 << 3,     /* invalid UTF-8 somewhere */
	VENV_CFG_HAS_NUL = 1 << 4,      /* contains a NUL byte */
	VENV_CFG_LONE_CR = 1 << 5       /* a CR ends a line without an LF (not at the very end) */
};

struct venv_cfg {
	struct venv_cfg_line *lines;    /* site.py's lines: split at LF, CR LF and CR */
	size_t nr, alloc;
	unsigned flags;
	unsigned lone_cr_line;          /* the first line a lone CR ends (of `lines`), or 0 */
	struct venv_cfg *startup;       /* lines split at LF only; NULL when the same as `lines` */
};

#define VENV_CFG_INIT { NULL, 0, 0, 0, 0, NULL }

/*
 * Parse buf: site.py's lines into cfg, and with VENV_CFG_LONE_CR also the
 * start-up code's into cfg->startup. The file-level flags are cfg's.
 */
int venv_cfg_parse(struct venv_cfg *cfg, const char *buf, size_t len);

/* The lines Python's start-up code (getpath) reads `home` from: cfg->startup, else cfg. */
const struct venv_cfg *venv_cfg_startup(const struct venv_cfg *cfg);

/* Read <dir>/pyvenv.cfg safely (no symlink, no FIFO, capped) and parse it. */
int venv_cfg_read(struct venv_cfg *cfg, int dirfd, const char *name);

/* Frees the lines and the start-up view; cfg is then empty (VENV_CFG_INIT). */
void venv_cfg_release(struct venv_cfg *cfg);

/* Value of the first (site.py: last) line with this key, or NULL. */
const char *venv_cfg_get_first(const struct venv_cfg *cfg, const char *key);
const char *venv_cfg_get_last(const struct venv_cfg *cfg, const char *key);

/* How many lines carry this key. */
size_t venv_cfg_count(const struct venv_cfg *cfg, const char *key);

/*
 * Set key to value: the first line with the key is replaced in place (in
 * the canonical "key = value" form), later duplicates are removed, and a
 * missing key is appended. value NULL removes the key.
 */
int venv_cfg_set(struct venv_cfg *cfg, const char *key, const char *value);

/*
 * Serialise: lines we own in "key = value" form, others as they were,
 * each ended by "\n" (site.py's lines: a lone CR becomes an LF, so that
 * start-up reads the lines site.py does).
 */
int venv_cfg_format(const struct venv_cfg *cfg, struct vbuf *out);

/*
 * Append Python's repr() of a str (valid UTF-8): the quote character is
 * chosen like CPython, backslashes and the quote escaped, and the
 * characters Python considers unprintable written as \xNN, \uNNNN or
 * \UNNNNNNNN. Code points that are unassigned in Unicode are not known to
 * this function and are written as they are.
 */
int venv_py_repr(struct vbuf *out, const char *s);

/*
 * 1 if s is valid UTF-8 without control characters (C0, DEL, C1, which
 * includes NEL) or Unicode line separators (U+2028, U+2029): text that
 * stays one line for every reader (pyvenv.cfg values, the prompt).
 */
int venv_cfg_text_ok(const char *s);

/*
 * 1 if a value can be stored in pyvenv.cfg and read back unchanged by all
 * of CPython's readers: valid UTF-8, no control characters, no line
 * boundary of Python's str.splitlines() (CR, LF, VT, FF, FS, GS, RS, NEL,
 * LS, PS), and no leading or trailing white space.
 */
int venv_cfg_value_ok(const char *value);

#endif
