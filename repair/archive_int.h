#ifndef VENV_REPAIR_ARCHIVE_INT_H
#define VENV_REPAIR_ARCHIVE_INT_H

#include <archive.h>

/*
 * What archive.c (writing) and archive_restore.c (reading back) share;
 * not part of the library's interface. The digests member: archive_digest.h.
 */

#define META_NAME "venv-archive.json"
#define ROOT "env"
#define MAX_ENTRIES 2000000
#define MAX_TOTAL ((int64_t)64 * 1024 * 1024 * 1024)
#define META_MAX ((size_t)64 * 1024)

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

/*
 * venv_repair__archive() in its two steps. venv_archive__write() writes
 * the archive of the environment dir to file (NULL: a name in the cache
 * directory), puts it in place and keeps in *w what it wrote and the
 * environment open; on failure nothing of the archive is left and *w is
 * NULL. venv_archive__verify() reads the archive back and compares it
 * with what was written and with the environment's files: every member,
 * the bytes of every file and their digests, and the digests member.
 * venv_archive__written_free() removes the archive too when discard is
 * set (the check failed), and frees w. Apart, so that the check can be
 * tried on an archive damaged after it was written
 * (tests/unit/repair/test_archive.c).
 */
struct timespec;
struct venv_archive_written;

int venv_archive__write(struct venv_archive_written **w, const char *dir, const char *file,
			const struct timespec *root_mtime);
int venv_archive__verify(const struct venv_archive_written *w);
void venv_archive__written_free(struct venv_archive_written *w, int discard);

#endif
