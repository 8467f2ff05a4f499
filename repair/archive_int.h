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

#endif
