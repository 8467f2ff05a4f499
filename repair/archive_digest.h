#ifndef VENV_REPAIR_ARCHIVE_DIGEST_H
#define VENV_REPAIR_ARCHIVE_DIGEST_H

#include <archive.h>
#include "sha256.h"
#include "vbuf.h"

/*
 * The digests member of an archive, written by archive.c and checked by
 * archive_restore.c with the code here, so that its format has one writer
 * and one reader; not part of the library's interface.
 *
 * It is the last member, after the tree: the SHA-256 of the contents of
 * every regular file of the tree (a hard link's data is its first name's),
 * computed as the file was written into the archive. zstd frames as
 * Debian's libarchive writes them carry no checksum and tar none of its
 * own, so without it a flipped byte inside a file would be restored as if
 * it were the file. The format is sha256sum's, one line per file in the
 * archive's order:
 *
 *	<64 lowercase hex digits>  <member name, e.g. env/bin/python3>\n
 *
 * and, as sha256sum writes it, a name with a backslash, a newline or a
 * carriage return has them as "\\", "\n" and "\r" on a line that starts
 * with a backslash; so `sha256sum -c venv-archive-digests` checks a tree
 * extracted with tar. venv-archive.json says "digests": DIGESTS_NAME when
 * the archive has one; archives of older venvs have neither.
 */
#define DIGESTS_NAME "venv-archive-digests"
/* A line: the digest, two spaces, a name below PATH_MAX with every byte escaped at worst. */
#define DIGESTS_LINE_MAX (VENV_SHA256_HEX_LEN + 2 + 2 * PATH_MAX + 2)

/* Append the line of the file name (a member name) with that digest, escaped as above. */
int venv_archive__digest_line(struct vbuf *out, const char *name,
			      const unsigned char digest[VENV_SHA256_LEN]);

/*
 * The digests of the files with contents of an archive as it is read,
 * in the archive's order: what its digests member must list, each once.
 */
struct venv_archive_digest {
	const char *name;        /* the member's, kept by the caller while the table is used */
	unsigned char digest[VENV_SHA256_LEN];
	int listed;              /* the digests member named it */
};

struct venv_archive_digests {
	struct venv_archive_digest *v;
	size_t nr, alloc;
};

#define VENV_ARCHIVE_DIGESTS_INIT { NULL, 0, 0 }

/*
 * A new entry at the end of t for name, its digest to be filled in; NULL
 * (with the message) when out of memory. The pointer is good until the
 * next call.
 */
struct venv_archive_digest *venv_archive__digests_add(struct venv_archive_digests *t,
						      const char *name);
void venv_archive__digests_release(struct venv_archive_digests *t);

/* Which entry of the table a member name is (its index + 1), or 0 for no file with contents. */
typedef size_t venv_archive_digest_lookup(const void *ctx, const char *name);

/*
 * Read the digests member, at whose data reader a stands, line by line
 * and check it against t: each line at most DIGESTS_LINE_MAX bytes and
 * naming a different file of t (lookup(ctx, name)), so that a hostile
 * member cannot make us read or keep more than that per file; each file's
 * digest as listed; then every file of t listed. file is the archive and
 * target where the tree goes, for messages. 0, or VENV_EUNSAFE (a member
 * that is not ours), VENV_EINVAL (damaged: a file differs from what was
 * archived) or the reader's error, with the message.
 */
int venv_archive__digests_check(struct venv_archive_digests *t, struct archive *a,
				const char *file, const char *target,
				venv_archive_digest_lookup *lookup, const void *ctx);

#endif
