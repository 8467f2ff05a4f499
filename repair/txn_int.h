#ifndef VENV_REPAIR_TXN_INT_H
#define VENV_REPAIR_TXN_INT_H

#include <jansson.h>
#include "txn.h"

/*
 * What txn.c (the lock, the journal, a plan's transaction, recovery) and
 * txn_upgrade.c (the upgrade's transaction) share; not part of the
 * library's interface.
 */

/*
 * Create `name` in dfd exclusively with exactly `mode` (keeping the owner
 * of `owner` when root), write, and fsync unless `nosync`.
 */
int venv_txn__write_new_file_at(int dfd, const char *name, const void *data, size_t len,
				unsigned mode, const struct stat *owner, int nosync);
/* Replace the journal with j durably; remove it (and its temporary). */
int venv_txn__write_journal(struct venv_envdir *e, json_t *j);
/* The same, made durable by a syncfs of the whole file system (see txn.c). */
int venv_txn__write_journal_synced(struct venv_envdir *e, json_t *j);
int venv_txn__remove_journal(struct venv_envdir *e);
/*
 * An upgrade's journal j: finish the committed upgrade, or put back what
 * the uncommitted one changed (txn_upgrade.c; venv_repair_recover() too).
 */
int venv_txn__upgrade_forward(struct venv_envdir *e, json_t *j);
int venv_txn__upgrade_back(struct venv_envdir *e, json_t *j);

/*
 * Names in the journal (txn_bytes.c): a file name as a string of its bytes,
 * UTF-8 or not; the journal's text, each name that is not UTF-8 written as
 * {"venv-bytes": "<hex>"} (free() it; NULL when out of memory); and a
 * journal read back, those turned into their bytes again.
 */
json_t *venv_txn__jpath(const char *path);
char *venv_txn__journal_text(json_t *j);
int venv_txn__journal_decode(json_t *j);

/* The string member `key` of the journal object o, or "". */
static inline const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

#endif
