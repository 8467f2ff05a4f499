/*
 * The digests member of an archive (its format: archive_digest.h): the
 * line archive.c writes for each file, and the reading and checking of
 * the member that archive_restore.c does before a restored tree takes the
 * environment's place.
 */
#include "compat.h"
#include "array.h"
#include "la.h"
#include "error.h"
#include "archive_int.h"
#include "archive_digest.h"

int venv_archive__digest_line(struct vbuf *out, const char *name,
			      const unsigned char digest[VENV_SHA256_LEN])
{
	char hex[VENV_SHA256_HEX_LEN + 1];
	const char *p;
	int error;

	venv_sha256_hex(digest, hex);
	if (!name[strcspn(name, "\\\n\r")])
		return vbuf_addf(out, "%s  %s\n", hex, name);
	/* sha256sum's escapes, on a line that starts with a backslash. */
	error = vbuf_addf(out, "\\%s  ", hex);
	for (p = name; *p && !error; p++)
		error = *p == '\\' ? vbuf_adds(out, "\\\\") :
			*p == '\n' ? vbuf_adds(out, "\\n") :
			*p == '\r' ? vbuf_adds(out, "\\r") : vbuf_addch(out, *p);
	return error ? error : vbuf_addch(out, '\n');
}

struct venv_archive_digest *venv_archive__digests_add(struct venv_archive_digests *t,
						      const char *name)
{
	struct venv_archive_digest *d;

	if (VENV_ARRAY_GROW(t->v, t->alloc, t->nr + 1, 256) < 0)
		return NULL;
	d = &t->v[t->nr++];
	d->name = name;
	d->listed = 0;
	return d;
}

void venv_archive__digests_release(struct venv_archive_digests *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* A line of the digests that is not one. */
static int malformed(const char *file, size_t lineno)
{
	return venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': line %zu of its %s is "
			      "not 'SHA-256  NAME'", file, lineno, DIGESTS_NAME);
}

/*
 * Line lineno of the digests (its newline taken off): the file it names
 * must be in t, be named once, and have that digest.
 */
static int check_line(struct venv_archive_digests *t, const char *file, const char *target,
		      venv_archive_digest_lookup *lookup, const void *ctx,
		      const struct vbuf *line, size_t lineno, struct vbuf *name)
{
	const char *p = line->buf, *hexat;
	size_t len = line->len, idx;
	char hex[VENV_SHA256_HEX_LEN + 1];
	struct venv_archive_digest *sum;
	int escaped = len && p[0] == '\\', error;

	p += escaped;
	len -= (size_t)escaped;
	hexat = p;
	if (memchr(p, '\0', len) || len < VENV_SHA256_HEX_LEN + 3 ||
	    strspn(p, "0123456789abcdef") != VENV_SHA256_HEX_LEN ||
	    p[VENV_SHA256_HEX_LEN] != ' ' || p[VENV_SHA256_HEX_LEN + 1] != ' ')
		return malformed(file, lineno);
	vbuf_reset(name);
	for (p += VENV_SHA256_HEX_LEN + 2, len -= VENV_SHA256_HEX_LEN + 2; len; p++, len--) {
		char c = *p;

		/* sha256sum's escapes, on a line that starts with a backslash. */
		if (escaped && c == '\\') {
			if (len < 2 || (p[1] != '\\' && p[1] != 'n' && p[1] != 'r'))
				return malformed(file, lineno);
			c = p[1] == 'n' ? '\n' : p[1] == 'r' ? '\r' : '\\';
			p++;
			len--;
		}
		if ((error = vbuf_addch(name, c)) < 0)
			return error;
	}
	if (!(idx = lookup(ctx, name->buf)) || idx > t->nr) {
		int below = !strncmp(name->buf, ROOT "/", strlen(ROOT) + 1);

		return venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': its %s name '%s%s', "
				      "which is not a file in it", file, DIGESTS_NAME,
				      below ? target : "", below ? UNDER_ROOT(name->buf) : name->buf);
	}
	sum = &t->v[idx - 1];
	if (sum->listed)
		return venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': its %s name '%s%s' "
				      "twice", file, DIGESTS_NAME, target, UNDER_ROOT(sum->name));
	sum->listed = 1;
	venv_sha256_hex(sum->digest, hex);
	if (memcmp(hex, hexat, VENV_SHA256_HEX_LEN))
		return venv_error_set(VENV_EINVAL, "the archive '%s' is damaged: the contents of "
				      "'%s%s' differ from what was archived (SHA-256 mismatch)",
				      file, target, UNDER_ROOT(sum->name));
	return 0;
}

int venv_archive__digests_check(struct venv_archive_digests *t, struct archive *a,
				const char *file, const char *target,
				venv_archive_digest_lookup *lookup, const void *ctx)
{
	struct vbuf line = VBUF_INIT(DIGESTS_LINE_MAX), name = VBUF_INIT(VBUF_MAX_PATH);
	char buf[65536];
	size_t lineno = 0, i;
	la_ssize_t n = 0;
	int error = 0;

	while (!error && (n = LA(archive_read_data)(a, buf, sizeof(buf))) > 0) {
		const char *p = buf, *end = buf + n;

		while (!error && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t k = (size_t)((nl ? nl : end) - p);

			if (line.len + k > DIGESTS_LINE_MAX) {
				error = venv_error_set(VENV_EUNSAFE, "refusing the archive '%s': line "
						       "%zu of its %s is longer than %d bytes",
						       file, lineno + 1, DIGESTS_NAME,
						       (int)DIGESTS_LINE_MAX);
				break;
			}
			if ((error = vbuf_add(&line, p, k)) < 0)
				break;
			p += k;
			if (nl) {
				p++;
				error = check_line(t, file, target, lookup, ctx, &line, ++lineno,
						   &name);
				vbuf_reset(&line);
			}
		}
	}
	/* Named as archive_restore.c names a member the reader broke off in. */
	if (!error && n < 0)
		error = venv_archive__error(a, "read", file, "in member '" DIGESTS_NAME "'");
	if (!error && line.len)
		error = venv_error_set(VENV_EINVAL, "the archive '%s' is damaged: its %s end in the "
				       "middle of a line", file, DIGESTS_NAME);
	for (i = 0; !error && i < t->nr; i++)
		if (!t->v[i].listed)
			error = venv_error_set(VENV_EINVAL, "the archive '%s' is damaged: its %s have "
					       "none for '%s%s'", file, DIGESTS_NAME, target,
					       UNDER_ROOT(t->v[i].name));
	vbuf_release(&line);
	vbuf_release(&name);
	return error;
}
