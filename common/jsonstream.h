#ifndef VENV_JSONSTREAM_H
#define VENV_JSONSTREAM_H

#include <jansson.h>
#include "vbuf.h"

/*
 * One JSON document written piece by piece, so that a document about many
 * things (venv check -r over 50,000 environments) needs memory for one piece,
 * not for the whole: its containers are opened and closed in order, and
 * each member in between is built with Jansson, added (dumped at its depth)
 * and freed by the caller. The text is the one json_dumps(doc, JSON_INDENT(2))
 * gives for the whole document, byte for byte, so that streaming changes
 * nothing a reader sees.
 *
 * Everything is appended to a vbuf; the caller writes it out (and resets it)
 * whenever it likes. Keys are the caller's constants: ASCII without '"',
 * '\\' or control characters (anything else is VENV_EINVAL).
 */

#define VENV_JSONSTREAM_MAX_DEPTH 16

struct venv_jsonstream {
	unsigned depth;                                  /* containers open */
	char close[VENV_JSONSTREAM_MAX_DEPTH];           /* '}' or ']' of each */
	unsigned char members[VENV_JSONSTREAM_MAX_DEPTH]; /* whether it has one yet */
};

#define VENV_JSONSTREAM_INIT { 0, { 0 }, { 0 } }

/*
 * Open an object (array = 0) or an array as the next member: key is its
 * name inside an object, NULL inside an array or for the document itself.
 */
int venv_jsonstream_open(struct venv_jsonstream *js, struct vbuf *out, const char *key,
			 int array);

/* Add value (not stolen) as the next member, named key inside an object. */
int venv_jsonstream_add(struct venv_jsonstream *js, struct vbuf *out, const char *key,
			json_t *value);

/* Close the innermost container (the document, when it is the last). */
int venv_jsonstream_close(struct venv_jsonstream *js, struct vbuf *out);

/*
 * Members of one container may be written apart, to be spliced in later
 * (json: the diagnostics come after every environment, but are known one
 * environment at a time): `part` is a copy of js taken right after the
 * container was opened, its members were written with it elsewhere, and
 * that text was appended to js's output. This makes js know they are there.
 */
void venv_jsonstream_join(struct venv_jsonstream *js, const struct venv_jsonstream *part);

#endif
