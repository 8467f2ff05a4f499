#ifndef VENV_ENTRYPOINTS_H
#define VENV_ENTRYPOINTS_H

#include <stddef.h>

/*
 * entry_points.txt (the entry-points spec: an INI-like file of [group]
 * headers and "name = value" lines): the one tokenizer of the project. It
 * splits the text into lines and says what each one is; it decides nothing
 * about groups, names or values. Its two readers are policies on top of it:
 *
 *   common/dist.c         lenient, as importlib.metadata reads an installed
 *                         distribution's file (check, list, repair);
 *   create/entry_points.c strict, as pip's installer refuses a wheel's file
 *                         (create's wheel installer, repair's rewrite).
 *
 * What both readers share, and so what is done here:
 *  - lines end at "\n" only (a lone "\r" is part of a line); the last line
 *    needs no "\n";
 *  - a line is stripped of " " and "\t" at its start and of " ", "\t" and
 *    "\r" at its end (so CRLF files read as LF ones);
 *  - an empty line and one starting with "#" are skipped (not yielded);
 *    with VENV_EP_SEMICOLON one starting with ";" too;
 *  - a header is a line starting with "[" and ending with "]": its name is
 *    what stands between them, as it is (no stripping, no check);
 *  - an entry is any other line holding "=": its name is what stands
 *    before the first "=", its value what stands after it, each stripped
 *    of " " and "\t" at the "=" (either may be empty).
 *
 * Nothing is copied or NUL-terminated: every span points into the text and
 * carries its length, so a NUL byte in the text is just a byte of a span
 * (each policy decides what it makes of one). There is no cap on a line.
 */

/* What a yielded line is. */
enum venv_ep_kind {
	VENV_EP_SECTION = 1,  /* "[name]" */
	VENV_EP_ENTRY,        /* "name = value" */
	VENV_EP_MALFORMED     /* neither: see venv_ep_line.why */
};

/* Why a line is VENV_EP_MALFORMED. */
enum venv_ep_why {
	VENV_EP_NO_EQUALS = 1,  /* not a header, and no "=" */
	/*
	 * Starts with "[" but does not end with "]" ("[" alone among them).
	 * If it holds "=", name and value are split as an entry's, since a
	 * reader that knows only closed headers (importlib.metadata) takes
	 * it for one.
	 */
	VENV_EP_UNCLOSED
};

/* venv_ep_tok_init() flags. */
enum venv_ep_flags {
	VENV_EP_SEMICOLON = 1 << 0  /* ";" starts a comment line too (configparser's rule) */
};

/* One line of the file, as venv_ep_tok_next() yields it. */
struct venv_ep_line {
	enum venv_ep_kind kind;
	enum venv_ep_why why;   /* VENV_EP_MALFORMED only, else 0 */
	size_t lineno;          /* 1-based, counting every line of the text */
	const char *line;       /* the stripped line, never empty */
	size_t len;
	const char *name;       /* header: its name; entry: before "="; else NULL */
	size_t name_len;
	const char *value;      /* entry (or unclosed header with "="): after "="; else NULL */
	size_t value_len;
};

/* Where a tokenizer is in its text; set up by venv_ep_tok_init(). */
struct venv_ep_tok {
	const char *text;
	size_t len;
	size_t pos;
	size_t lineno;
	unsigned flags;
};

/* Tokenize len bytes of text (not NUL-terminated, may hold NULs). */
void venv_ep_tok_init(struct venv_ep_tok *t, const char *text, size_t len, unsigned flags);

/* The next line that is not empty or a comment: 1 with *out filled, or 0 at the end. */
int venv_ep_tok_next(struct venv_ep_tok *t, struct venv_ep_line *out);

#endif
