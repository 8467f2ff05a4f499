#ifndef VENV_ENTRYPOINTS_H
#define VENV_ENTRYPOINTS_H

#include <stddef.h>

/*
 * entry_points.txt (the entry-points spec: an INI-like file of [group]
 * headers and "name = value" lines): the one reader of the project, read
 * as importlib.metadata reads it (Sectioned and EntryPoint.pattern, the
 * same in CPython 3.10 to 3.13; pip installs the console scripts that
 * importlib.metadata lists). Two layers:
 *
 *   venv_ep_tok_next()      splits the text into lines and says what each
 *                           one is; it decides nothing about groups, names
 *                           or values;
 *   venv_ep_read_scripts()  the entries of [console_scripts] and
 *                           [gui_scripts], as importlib.metadata lists
 *                           them (common/dist.c: check, list, repair), or
 *                           with VENV_EP_STRICT as pip's installer must
 *                           refuse them (create's wheel installer).
 *
 * What importlib.metadata does, and so what is done here:
 *  - the text is UTF-8 (anything else raises: no entry points);
 *  - lines end where Python's universal newlines and str.splitlines() end
 *    them: "\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", U+0085,
 *    U+2028, U+2029; the last line needs no end;
 *  - a line is stripped of what str.strip() strips: Python's white space
 *    (the line ends above, " ", "\t", "\x1f", U+00A0, U+1680,
 *    U+2000..U+200A, U+202F, U+205F, U+3000), so CRLF files read as LF ones;
 *  - an empty line and one starting with "#" are skipped (not yielded);
 *    with VENV_EP_SEMICOLON one starting with ";" too (not importlib's);
 *  - a header is a line starting with "[" and ending with "]": its name is
 *    the line with every "[" and "]" at either end stripped (str.strip("[]"):
 *    "[[console_scripts]]" names console_scripts), and nothing else
 *    (spaces inside stay: "[ console_scripts ]" is another group);
 *  - an entry is any other line holding "=": its name is what stands
 *    before the first "=", its value what stands after it, each stripped
 *    as a line is (either may be empty). A line without "=" after a header
 *    makes importlib.metadata raise (Pair.parse): the file has no entry
 *    points at all; before any header it is ignored.
 *
 * Nothing is copied or NUL-terminated: every span points into the text and
 * carries its length, so a NUL byte in the text is just a byte of a span
 * (a NUL is not white space to Python either). There is no cap on a line.
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
	 * If it holds "=", name and value are split as an entry's, since
	 * importlib.metadata, which knows only closed headers, takes it for
	 * one.
	 */
	VENV_EP_UNCLOSED
};

/* venv_ep_tok_init() and venv_ep_read_scripts() flags. */
enum venv_ep_flags {
	VENV_EP_SEMICOLON = 1 << 0,  /* ";" starts a comment line too (configparser's rule) */
	/*
	 * venv_ep_read_scripts() only: pip's installer's refusals on top of
	 * importlib.metadata's reading (implies VENV_EP_SEMICOLON): a header
	 * that is not closed or whose name is 64 bytes or more; in
	 * [console_scripts] and [gui_scripts] a line that is not "name = value",
	 * an entry that venv_ep_check_script() refuses, or a value
	 * EntryPoint.pattern does not match. Each is an error, not a skipped
	 * line: a wheel with one is not installed.
	 */
	VENV_EP_STRICT = 1 << 1
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

/*
 * An entry's value split as importlib.metadata's EntryPoint.pattern splits
 * it, "module[:attr][ [extras]]": (?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)
 * \s*)?((?P<extras>\[.*\])\s*)?$. \s is the white space above; \w is an
 * ASCII letter, digit or "_", or any other character of the text that is
 * not white space (Python's \w also leaves out non-ASCII punctuation and
 * symbols, which no module name holds). Returns 1 with the spans filled
 * when it matches (attr NULL without one), 0 when it does not: then
 * importlib.metadata lists the entry but cannot load it (ep.module raises),
 * and pip installs no script for it.
 */
struct venv_ep_value {
	const char *module;
	size_t module_len;
	const char *attr;
	size_t attr_len;
};

int venv_ep_value_parse(const char *value, size_t len, struct venv_ep_value *out);

/* One entry of [console_scripts] or [gui_scripts], as venv_ep_read_scripts() hands it over. */
struct venv_ep_script {
	size_t lineno;
	const char *name;       /* never holds a NUL byte (see venv_ep_read_scripts) */
	size_t name_len;
	struct venv_ep_value v; /* the value, split */
	int gui;                /* from [gui_scripts] */
};

/* Called for each entry, in the file's order; a negative return stops the read and is returned. */
typedef int (*venv_ep_script_fn)(void *arg, const struct venv_ep_script *s);

/*
 * The entries of [console_scripts] and [gui_scripts] (groups spelt exactly
 * so, after the header's stripping), every one, duplicates too, in order.
 * Without VENV_EP_STRICT they are what importlib.metadata lists and can
 * load: an entry whose value EntryPoint.pattern does not match is left out,
 * and so is one whose name holds a NUL byte (no file can have that name).
 * VENV_EINVAL (and fn never called) for a file importlib.metadata cannot
 * read at all: not UTF-8, or a line without "=" after a header. With
 * VENV_EP_STRICT, see there; an unsafe entry is VENV_EUNSAFE. The whole
 * text is checked before fn is first called, so an error leaves nothing
 * half-read.
 */
int venv_ep_read_scripts(const char *text, size_t len, unsigned flags, venv_ep_script_fn fn,
			 void *arg);

/*
 * What a console script written from an entry may hold (WHL-04): a name
 * that stays in bin/ and does not shadow the environment's own files
 * (ASCII letters, digits, "_", ".", "-", "+", at most 128 bytes, not
 * starting with "." or "-", not python, pythonN[.M], activate* or
 * deactivate*), and a callable module:attr of dotted ASCII identifiers (at
 * most 256 bytes each), so that nothing else reaches the script's "from M
 * import A" and "sys.exit(F())". attr NULL: VENV_EINVAL (pip requires a
 * callable); an unsafe name or callable: VENV_EUNSAFE. The message names
 * the entry, escaped.
 */
int venv_ep_check_script(const char *name, size_t name_len, const char *module,
			 size_t module_len, const char *attr, size_t attr_len);

#endif
