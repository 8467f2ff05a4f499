#include "compat.h"
#include "array.h"
#include "error.h"
#include "record.h"

static int oom(void)
{
	return venv_error_set(VENV_ENOMEM, "out of memory");
}

void venv_record_rows_free(struct venv_record_row *rows, size_t nrows)
{
	size_t i;

	for (i = 0; i < nrows; i++) {
		free(rows[i].path);
		free(rows[i].hash);
		free(rows[i].size);
	}
	free(rows);
}

static int record_parse(const char *text, size_t len, struct venv_record_row **rows,
			size_t *nrows);

/* One more byte of a field, which says which cap it would pass and where. */
static int field_add(struct vbuf *field, int c, size_t line)
{
	if (field->len >= VENV_RECORD_MAX_FIELD)
		return venv_error_set(VENV_ETOOBIG, "RECORD line %zu: a field longer than %d bytes",
				      line, VENV_RECORD_MAX_FIELD);
	return vbuf_addch(field, c);
}

/* field_add() of n bytes at once: a bare field is copied whole, not byte by byte. */
static int field_add_run(struct vbuf *field, const char *p, size_t n, size_t line)
{
	if (n > VENV_RECORD_MAX_FIELD || field->len > VENV_RECORD_MAX_FIELD - n)
		return venv_error_set(VENV_ETOOBIG, "RECORD line %zu: a field longer than %d bytes",
				      line, VENV_RECORD_MAX_FIELD);
	return vbuf_add(field, p, n);
}

int venv_record_parse(const char *text, size_t len, struct venv_record_row **rows,
		      size_t *nrows)
{
	struct vbuf copy = VBUF_INIT(VBUF_MAX_RECORD + 1);
	int error;

	/* The parser ends rows at line ends: make sure the last one has one. */
	if (len && text[len - 1] != '\n') {
		if ((error = vbuf_add(&copy, text, len)) < 0 ||
		    (error = vbuf_addch(&copy, '\n')) < 0) {
			vbuf_release(&copy);
			return error;
		}
		text = copy.buf;
		len = copy.len;
	}
	error = record_parse(text, len, rows, nrows);
	vbuf_release(&copy);
	return error;
}

static int record_parse(const char *text, size_t len, struct venv_record_row **rows,
			size_t *nrows)
{
	struct vbuf field = VBUF_INIT(VENV_RECORD_MAX_FIELD);
	char *fields[3] = { NULL, NULL, NULL };
	size_t pos = 0, nf = 0, alloc = *nrows, line = 1;
	int error = 0;

	while (pos < len) {
		int quoted = 0, end_row = 0;

		vbuf_reset(&field);
		/* One field: quoted ("" escapes a quote) or bare up to , or end of line. */
		if (text[pos] == '"') {
			quoted = 1;
			pos++;
			for (;;) {
				if (pos >= len) {
					error = venv_error_set(VENV_EINVAL, "RECORD line %zu: "
							       "unterminated quote", line);
					goto done;
				}
				if (text[pos] == '"') {
					if (pos + 1 < len && text[pos + 1] == '"') {
						if ((error = field_add(&field, '"', line)) < 0)
							goto done;
						pos += 2;
						continue;
					}
					pos++;
					break;
				}
				if ((error = field_add(&field, text[pos++], line)) < 0)
					goto done;
			}
		}
		{
			size_t start = pos;

			while (pos < len && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
				if (quoted || text[pos] == '"') {
					error = venv_error_set(VENV_EINVAL, "RECORD line %zu: stray "
							       "quote", line);
					goto done;
				}
				pos++;
			}
			if (pos > start && (error = field_add_run(&field, text + start, pos - start,
								   line)) < 0)
				goto done;
		}
		if (pos < len && text[pos] == ',') {
			pos++;
		} else {
			if (pos < len && text[pos] == '\r')
				pos++;
			if (pos < len && text[pos] == '\n')
				pos++;
			end_row = 1;
		}
		if (nf >= 3) {
			error = venv_error_set(VENV_EINVAL, "RECORD line %zu: more than three "
					       "fields", line);
			goto done;
		}
		/* A C string would end there: a row changed (and written back so by repair). */
		if (memchr(field.buf, '\0', field.len)) {
			error = venv_error_set(VENV_EINVAL, "RECORD line %zu: a NUL byte", line);
			goto done;
		}
		if (!(fields[nf++] = strndup(field.buf, field.len))) {
			error = oom();
			goto done;
		}
		if (end_row || pos >= len) {
			/* A blank line is skipped; anything else needs all three fields. */
			if (nf == 1 && !fields[0][0] && !quoted) {
				free(fields[0]);
				fields[0] = NULL;
				nf = 0;
				line++;
				continue;
			}
			if (nf != 3) {
				error = venv_error_set(VENV_EINVAL, "RECORD line %zu: expected 3 "
						       "fields, saw %zu", line, nf);
				goto done;
			}
			if (*nrows >= VENV_RECORD_MAX_ROWS) {
				error = venv_error_set(VENV_ETOOBIG, "RECORD has more than %d rows",
						       VENV_RECORD_MAX_ROWS);
				goto done;
			}
			if ((error = VENV_ARRAY_GROW(*rows, alloc, *nrows + 1, 64)) < 0)
				goto done;
			(*rows)[*nrows].path = fields[0];
			(*rows)[*nrows].hash = fields[1];
			(*rows)[*nrows].size = fields[2];
			(*nrows)++;
			fields[0] = fields[1] = fields[2] = NULL;
			nf = 0;
			line++;
		}
	}
done:
	free(fields[0]);
	free(fields[1]);
	free(fields[2]);
	vbuf_release(&field);
	return error;
}

int venv_record_add_field(struct vbuf *out, const char *field)
{
	const char *p;
	int error;

	if (!strpbrk(field, ",\"\r\n"))
		return vbuf_adds(out, field);
	if ((error = vbuf_addch(out, '"')) < 0)
		return error;
	for (p = field; *p; p++) {
		if (*p == '"' && (error = vbuf_addch(out, '"')) < 0)
			return error;
		if ((error = vbuf_addch(out, *p)) < 0)
			return error;
	}
	return vbuf_addch(out, '"');
}

