#ifndef VENV_VBUF_H
#define VENV_VBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"   /* VENV_PRINTF, VENV_MUST_CHECK, and the VENV_E* codes vbuf functions return */

/*
 * A growable byte buffer with a mandatory size cap (git's strbuf with
 * curl's dynbuf limit).
 *
 * Invariants:
 *  - `buf` is never NULL and always NUL-terminated, so it can be handed to
 *    any function that takes a C string (it may contain NULs of its own);
 *  - `len` bytes are valid, `alloc` is private;
 *  - `max` is the largest `len` the buffer will ever grow to: any addition
 *    past it fails with VENV_ETOOBIG and leaves the buffer unchanged, so a
 *    hostile input cannot make memory grow without bound.
 *
 * Initialise with VBUF_INIT(cap) or vbuf_init(); release with
 * vbuf_release(); take ownership of the bytes with vbuf_detach().
 */
struct vbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

extern char vbuf_slopbuf[1];

#define VBUF_INIT(cap) { vbuf_slopbuf, 0, 0, (cap) }

/* The named caps, kept together so that limits are easy to review. */
#define VBUF_MAX_PATH     ((size_t)64 * 1024)
#define VBUF_MAX_LINE     ((size_t)64 * 1024)
#define VBUF_MAX_CFG      ((size_t)1024 * 1024)
#define VBUF_MAX_SCRIPT   ((size_t)4 * 1024 * 1024)
#define VBUF_MAX_PROBE    ((size_t)1024 * 1024)
#define VBUF_MAX_RECORD   ((size_t)16 * 1024 * 1024)
#define VBUF_MAX_MEMBER   ((size_t)256 * 1024 * 1024)
#define VBUF_MAX_REPORT   ((size_t)512 * 1024 * 1024)

void vbuf_init(struct vbuf *sb, size_t max);
void vbuf_release(struct vbuf *sb);
/* Empty the buffer but keep its memory. */
void vbuf_reset(struct vbuf *sb);
/* Make room for `extra` more bytes. */
int vbuf_grow(struct vbuf *sb, size_t extra) VENV_MUST_CHECK;
int vbuf_add(struct vbuf *sb, const void *data, size_t len) VENV_MUST_CHECK;
int vbuf_adds(struct vbuf *sb, const char *s) VENV_MUST_CHECK;
int vbuf_addch(struct vbuf *sb, int c) VENV_MUST_CHECK;
int vbuf_addf(struct vbuf *sb, const char *fmt, ...) VENV_PRINTF(2, 3) VENV_MUST_CHECK;
int vbuf_vaddf(struct vbuf *sb, const char *fmt, va_list ap) VENV_MUST_CHECK;
/* Replace the contents with s. */
int vbuf_sets(struct vbuf *sb, const char *s) VENV_MUST_CHECK;
/* Shorten to len bytes (no-op if already shorter). */
void vbuf_setlen(struct vbuf *sb, size_t len);
/* Hand the bytes to the caller (free() them); the buffer is re-initialised. */
char *vbuf_detach(struct vbuf *sb, size_t *len_out);

#endif
