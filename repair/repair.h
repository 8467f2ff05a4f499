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
	int force;                 /* also a directory without the marks of an environment
				      that holds nothing else (common/envid.h) */
	int upgrade;               /* run the creator's upgrade path */
	const char *python;        /* --upgrade: the new base interpreter (absolute), or NULL */
	int archive;               /* archive the environment before any change */
	const char *archive_file;  /* where; NULL: beside the environment */
	/*
	 * The caller exits once the repair returns (the venv command): what an
	 * upgrade deletes (the old version's files) is deleted after that, by a
	 * process of its own, beside the environment (.NAME.venv-trash), not
	 * while the repair runs; the environment is final when it returns.
	 */
	int delete_after_exit;
	void (*log)(void *payload, enum venv_log_level level, const char *msg);
	/*
	 * Or NULL. --upgrade: called while pip installs distributions again, for
	 * each step pip starts ("cext==2.0", then "installing"), n of total.
	 */
	void (*progress)(void *payload, const char *what, size_t n, size_t total);
	void *payload;
};

/* --upgrade across minor versions: what happened to one distribution. */
struct venv_repair_dist {
	char *name, *version;
	const char *action;   /* "moved", "reinstalled", "dropped", "superseded" or "failed" */
	char *source;         /* reinstalled: the wheel file, or "pip install <requirement>" */
	char *why;            /* why it was not moved, or NULL */
};

/* An entry no distribution owns, moved (paths relative to the environment). */
struct venv_repair_moved {
	char *from, *to;
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
	size_t unlisted;            /* ... and this many more, counted but not in remaining:
				     * it lists them as check shows findings (the first 20
				     * of a code, 1000 in all) */
	char **reinstalled;         /* what was installed again: \"name==version\" */
	size_t nreinstalled;
	struct venv_repair_dist *dists;   /* --upgrade across minor versions, per distribution */
	size_t ndists;
	struct venv_repair_moved *unowned;
	size_t nunowned;
	char **markers;             /* requirements whose marker changed value, one line each */
	size_t nmarkers;
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

enum venv_restore_flags {
	VENV_RESTORE_REPLACE = 1 << 0,  /* an existing environment at dir may be replaced */
	VENV_RESTORE_AS_IS = 1 << 1     /* restored elsewhere: do not relocate it */
};

/*
 * Put an archived environment back at dir (NULL: where it was archived
 * from), through a fresh staging directory that is swapped into place,
 * under the environment's lock (common/lock.h). Restored elsewhere than it
 * was archived from, it is relocated as `venv repair` would (unless
 * VENV_RESTORE_AS_IS) and `from` (may be NULL) receives where it was
 * archived from. The path restored to goes into out. Staging directories
 * that earlier restores of the same target left behind are removed.
 */
int venv_restore_env(struct vbuf *out, const char *archive, const char *dir, unsigned flags,
		     struct vbuf *from);

#endif
