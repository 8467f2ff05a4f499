#ifndef VENV_REPAIR_H
#define VENV_REPAIR_H

#include "venv.h"
#include "plan.h"

/*
 * venv repair as a library: fix an environment in place after a move or
 * copy, or upgrade it to a new base interpreter, losing nothing (see
 * repair/txn.h for the lock and the journal).
 */

struct venv_repair_opts {
	int dry_run;               /* plan only: nothing is written, not even the lock */
	int upgrade;               /* run the creator's upgrade path */
	const char *python;        /* --upgrade: the new base interpreter (absolute), or NULL */
	int archive;               /* archive the environment before any change */
	const char *archive_file;  /* where; NULL: beside the environment */
	/*
	 * Asked before a step that reinstalls packages and deletes the old
	 * site-packages; returns 1 to go on. NULL: the step is refused.
	 */
	int (*confirm)(void *payload, const char *question);
	void (*log)(void *payload, enum venv_log_level level, const char *msg);
	void *payload;
};

struct venv_repair_report {
	char *env_dir;
	char *old_location;   /* where it was moved or copied from, or NULL */
	char *recovered;      /* what was done about an interrupted repair, or NULL */
	char *archive;        /* the archive written, or NULL */
	char *python;         /* --upgrade: the interpreter it now uses */
	char *from_version, *to_version;
	struct venv_plan done;      /* changes made (dry run: that would be made) */
	struct venv_plan remaining; /* problems left: check's findings on the result */
	size_t errors;              /* ... of them at error severity (check --severity error) */
	char **reinstalled;         /* requirements given to pip again */
	size_t nreinstalled;
};

/*
 * Repair one environment. Returns 0 (look at report->remaining for what is
 * left) or a negative code: then nothing was changed, or everything was
 * put back as it was (the message says which).
 */
int venv_repair(const char *dir, const struct venv_repair_opts *o,
		struct venv_repair_report *report);
void venv_repair_report_release(struct venv_repair_report *report);

/*
 * Write the whole environment dir to the archive `file` (NULL: a name
 * beside it), verify it by reading it back, and return the path in out.
 */
int venv_archive_env(struct vbuf *out, const char *dir, const char *file);

/* As above; root_mtime (may be NULL) is recorded for the top directory. */
int venv_repair__archive(struct vbuf *out, const char *dir, const char *file,
			 const struct timespec *root_mtime);

/*
 * Put an archived environment back at dir (NULL: where it was archived
 * from), through a fresh staging directory that is swapped into place.
 * `replace` allows replacing an existing environment, whose repair lock is
 * held meanwhile. The path restored to goes into out. libarchive extracts
 * relative to the working directory, so this changes it for a moment (to
 * the staging directory) and back: do not call it from several threads.
 */
int venv_restore_env(struct vbuf *out, const char *archive, const char *dir, int replace);

#endif
