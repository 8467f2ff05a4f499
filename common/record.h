#ifndef VENV_RECORD_H
#define VENV_RECORD_H

#include "vbuf.h"

/*
 * RECORD files (PEP 376, binary-distribution-format): CSV in Python's csv
 * dialect, one row "path,hash,size" per file. The one reader and writer of
 * the project: the wheel installer checks a wheel's RECORD with it, and the
 * model of installed distributions (dist.h) reads installed ones.
 *
 * The reader is stricter than Python's csv module: a stray quote, a row of
 * more or fewer than three fields and an unterminated quote are errors
 * (VENV_EINVAL with the line number), never guessed at.
 */

/* Caps: a field (a path) and the number of rows. */
#define VENV_RECORD_MAX_FIELD 4096
#define VENV_RECORD_MAX_ROWS 200000

/* One row of a RECORD file. */
struct venv_record_row {
	char *path;
	char *hash;   /* "sha256=..." or "" */
	char *size;   /* decimal or "" */
};

/* Parse a RECORD (CSV, Python's csv dialect); rows are appended to *rows. */
int venv_record_parse(const char *text, size_t len, struct venv_record_row **rows,
		      size_t *nrows);
void venv_record_rows_free(struct venv_record_row *rows, size_t nrows);

/* Append one CSV field as Python's csv module writes it (QUOTE_MINIMAL). */
int venv_record_add_field(struct vbuf *out, const char *field);

#endif
