#ifndef VENV_REPAIR_ARCHIVE_INT_H
#define VENV_REPAIR_ARCHIVE_INT_H

#include <archive.h>
#include "sha256.h"

/*
 * What archive.c (writing) and archive_restore.c (reading back) share;
 * not part of the library's interface.
 */

#define META_NAME "venv-archive.json"
#define ROOT "env"
#define MAX_ENTRIES 2000000
#define MAX_TOTAL ((int64_t)64 * 1024 * 1024 * 1024)
#define META_MAX ((size_t)64 * 1024)

/*
 * The last member, after the tree: the SHA-256 of the contents of every
 * regular file of the tree (a hard link's data is its first name's),
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

/*
 * What member name (ROOT or ROOT/...) is below ROOT: "" or "/bin/python",
 * to name it as the user knows it, after the environment's own path.
 */
#define UNDER_ROOT(name) ((name) + sizeof(ROOT) - 1)

/*
 * VENV_EIO with "cannot VERB 'FILE'[ CONTEXT]: reason" (VERB "read" or
 * "write", FILE the archive, CONTEXT e.g. "while adding '/env/bin/python'"
 * or NULL): the system's reason when libarchive has one, else its message.
 */
int venv_archive__error(struct archive *a, const char *verb, const char *file,
			const char *context);
/* The documented form, "cannot open 'FILE': reason", with the system's reason when there is one. */
int venv_archive__open_error(struct archive *a, const char *file);

#endif
